#!/bin/sh
# input_formats.sh - the reader on real-export quirks, checked through the
# group and settle commands: Chinese headers (aliases), UTF-8 BOM, CRLF,
# RFC 4180 quoting (commas, doubled quotes and newlines inside quotes), a
# single `procedures` column, extra columns, lower-case codes, a truncated
# last line, category sums, and rows that must be rejected with their line.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$TMP/formats
mkdir -p "$D"
CFG=tests/golden/small/small.cfg

# 1. Chinese headers + BOM + CRLF + quoting; physical lines counted inside quotes.
printf '\357\273\277结算ID,定点医疗机构编码,医院等级,主要诊断编码,其他诊断编码,手术及操作编码,总费用,统筹基金支付,个人自付,备注\r\n' > "$D/zh.csv"
printf 'Z1,H1,3,k35.800,,"47.0100|54.5101",12000.00,6000.00,6000.00,"note, with comma"\r\n' >> "$D/zh.csv"
printf 'Z2,H1,3,K35.800,,,5000.5,2500.25,2500.25,"two\r\nlines ""quoted"""\r\n' >> "$D/zh.csv"
printf 'Z3,H1,3,K80.100,,51.2300,16000,8000,8000,x' >> "$D/zh.csv"     # no final newline
"$BIN" group --scheme dip --config "$CFG" --input "$D/zh.csv" --out "$D/zh.out.csv" --quiet
expect "aliases, BOM, CRLF, quotes, procedures column" "$(tail -n +2 "$D/zh.out.csv" | tr '\n' ' ')" \
    "Z1,2,K35.8:47.0100,core,dx_main,OK,NO_RELATED_GROUPS, Z2,3,K35.8,core,dx_only,OK,NO_PROCS, Z3,5,K80:SS,comprehensive,comprehensive,OK,NO_CORE_MATCH, "

# 2. Bad rows are rejected with line, field and the value; the rest is settled.
#    Dates are needed by no settlement: a bad one is kept, flagged (bad_date,
#    bit 9) and noted in /quality.
H="case_id,institution_id,institution_level,principal_dx,principal_proc,other_procs,admit_date,discharge_date,los_days,total_cost,fund_paid,self_paid,cost_bed,cost_consult,cost_exam,cost_lab,cost_treatment,cost_surgery,cost_nursing,cost_material,cost_western,cost_herbal,cost_patent,cost_general,cost_registration,cost_other"
{
echo "$H"
echo "B1,H1,3,K35.800,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00,10,10,10,10,10,10,10,10,10,0,0,0,0,10"      # ok: categories sum 100
echo "B2,H1,3,K35.800,,,2025-01-01,2025-01-05,9,100.00,50.00,50.00,10,10,10,10,10,10,10,10,10,0,0,0,0,0"       # LOS flag + category flag (90 != 100)
echo "B3,H1,3,K35.800,,,2025-01-05,2025-01-01,4,100.00,50.00,50.00,10,10,10,10,10,10,10,10,10,0,0,0,0,10"      # discharge before admission: flag
echo "B4,H1,3,K35.800,,,2025-02-30,2025-03-01,1,100.00,50.00,50.00,10,10,10,10,10,10,10,10,10,0,0,0,0,10"      # invalid date: flag
echo "B5,H1,3,K35.800,,,2025-01-01,2025-01-05,4,12.345,5.00,7.345,10,10,10,10,10,10,10,10,10,0,0,0,0,10"       # over-precise
echo "B6,H1,3,K35.800,,,2025-01-01,2025-01-05,4,-5.00,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0"                          # negative
echo "B7,H1,4,K35.800,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00,10,10,10,10,10,10,10,10,10,0,0,0,0,10"      # level 4
echo "B8,H1,3,K35.800,,,2025-01-01,2025-01-05,4,100.00,50.00"                                                  # too few fields
echo ",H1,3,K35.800,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00,10,10,10,10,10,10,10,10,10,0,0,0,0,10"        # empty id
echo "B9,H1,3,,,,2025-01-01,2025-01-05,4,100.00,50.00,50.00,10,10,10,10,10,10,10,10,10,0,0,0,0,10"             # empty dx: blank, not rejected
echo ""
echo "B10,H1,3,K35.800,,,2025-01-01,2025-01-05,4,100.00,150.00,0,10,10,10,10,10,10,10,10,10,0,0,0,0,10"        # fund above total
} > "$D/bad.csv"
"$BIN" settle --config "$CFG" --input "$D/bad.csv" --out "$D/bad.h5" --quiet
expect "rejects: line|case|field" "$(h5cols "$D/bad.h5" /rejects line case_id field | tr '\n' ' ')" \
    "6|B5|total_cost 7|B6|total_cost 8|B7|institution_level 9|B8| 10||case_id 13|B10|fund_paid "
expect "reject reasons echo the value" "$(h5cols "$D/bad.h5" /rejects reason | grep -a -c -E "^'(12.345|-5.00|4)': |fund paid 150.00 > total 100.00|row has 11 fields")" 5
expect "cases: line|id|group|flags" "$(h5cols "$D/bad.h5" /cases line case_id dip_group flags | tr '\n' ' ')" \
    "2|B1|K35.8|0 3|B2|K35.8|3 4|B3|K35.8|512 5|B4|K35.8|512 11|B9|KBBZ|0 "
expect "quality notes: line|id|field|reason" "$(h5cols "$D/bad.h5" /quality line case_id field reason | tr '\n' ' ')" \
    "4|B3|discharge_date|discharge '2025-01-01' before admission '2025-01-05' 5|B4|admit_date|'2025-02-30': not a date (no such day, or a form not accepted) "
expect "records read = cases + rejects (blank line not a record)" \
    "$(h5cols "$D/bad.h5" /summary records_read cases rejects quality_notes)" "11|5|6|2"

# 3. category_mismatch = "reject" turns the mismatch into a reject.
cat > "$D/reject.cfg" <<CFG2
input = { records = "bad.csv"; category_mismatch = "reject"; };
dip = { catalogue = "$(pwd)/tests/golden/small/catalogue.csv"; group_stats = "$(pwd)/tests/golden/small/group_stats.csv"; proc_attributes = "$(pwd)/tests/golden/small/proc_attributes.csv"; };
budget = { fund_budget = "100.00"; };
CFG2
"$BIN" settle --config "$D/reject.cfg" --out "$D/rej.h5" --quiet
expect "category mismatch rejected" "$(h5cols "$D/rej.h5" /rejects line case_id field reason | grep '^3|')" \
    "3|B2|cost_*|cost categories sum 90.00, total cost 100.00: differ by -10.00 yuan"
