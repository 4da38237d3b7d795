#!/bin/sh
# settle_report.sh - what settle tells a person: the terminal summary, the
# rejects CSV beside the output, the blank-group reason in /cases.
#
# Input (the small catalogue of settle_small.sh, plus an ICD-10 list of
# K35.800, K35.800x001, K80.100, R99.x00, J18.900):
#
#  line case  what                                        fate / reason group       money counted
#  2    C1    K35.800                                     case, not blank
#  3    C2    K80.100 + 51.2300                           case, not blank
#  4    R1    no principal diagnosis                      blank: dx_missing
#  5    R2    ZZZ.999 (not in the ICD-10 list)            blank: dx_invalid
#  6    R3    J18.900 (listed; no J18 group)              blank: no_catalogue_entry
#  7    R4    K35.800 + 99.9999 (no procedure attribute)  blank: proc_attribute_unknown
#  8    X1    total 'abc', fund 1.00                      total_cost, bad amount    0 / 1.00
#  9    X2    fund 150.00 > total 100.00                  fund_paid, above total    100.00 / 150.00
#  10   C1    repeated id (10.00 / 5.00)                  case_id, duplicate        10.00 / 5.00
#  11   X3    total '1.234', fund 1.00                    total_cost, bad amount    0 / 1.00
#  12   X4    level 4 (0.00 / 0.00)                       institution_level         0 / 0
#  13   X5    fund 'zz', total 40.00                      fund_paid, bad amount     40.00 / 0
#  14   X6    fund 300.00 > total 200.00                  fund_paid, above total    200.00 / 300.00
#  15   --    empty case id (0.00 / 0.00)                 case_id, empty            0 / 0
#  16   C1    repeated id (20.00 / 10.00)                 case_id, duplicate        20.00 / 10.00
#  17   X7    total 'x', fund 1.00                        total_cost, bad amount    0 / 1.00
#  18   X8    too few fields                              (row), field count        0 / 0
#
# Reason groups, most rows first, ties by first line: total_cost 3, fund_paid
# (above total) 2, case_id (duplicate) 2, institution_level 1, fund_paid (bad
# amount) 1; "and 2 more reasons" (empty id, field count). Rejected money:
# total cost 370.00 yuan, fund paid 468.00 yuan (a rejected row's amounts are read
# as far as they read, wherever the reject happened); 6 of 11 rows count 0 for
# the total cost (a total of 0.00 counts as none).
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
case $TMP in /*) D=$TMP/report ;; *) D=$(pwd)/$TMP/report ;; esac
rm -rf "$D"
mkdir -p "$D"
S=$(pwd)/tests/golden/small
printf 'code\nK35.800\nK35.800x001\nK80.100\nR99.x00\nJ18.900\n' > "$D/icd10.csv"
cat > "$D/report.cfg" <<EOF
region = "T1"; period = "REPORT";
input = { records = "input.csv"; };
dip = { catalogue = "$S/catalogue.csv"; group_stats = "$S/group_stats.csv";
        proc_attributes = "$S/proc_attributes.csv"; icd10 = "icd10.csv"; };
coefficients = { mode = "fixed"; level1 = 0.8; level2 = 0.9; level3 = 1.0; };
budget = { fund_budget = "10000.00"; };
output = { compression = "none"; };
EOF
{
echo "case_id,institution_id,institution_level,principal_dx,principal_proc,total_cost,fund_paid"
echo "C1,H1,3,K35.800,,5000.00,2500.00"
echo "C2,H1,3,K80.100,51.2300,16000.00,8000.00"
echo "R1,H2,1,,,3200.00,1600.00"
echo "R2,H2,1,ZZZ.999,,3200.00,1600.00"
echo "R3,H2,1,J18.900,,3200.00,1600.00"
echo "R4,H2,1,K35.800,99.9999,3200.00,1600.00"
echo "X1,H2,1,K35.800,,abc,1.00"
echo "X2,H2,1,K35.800,,100.00,150.00"
echo "C1,H2,1,K35.800,,10.00,5.00"
echo "X3,H2,1,K35.800,,1.234,1.00"
echo "X4,H2,4,K35.800,,0.00,0.00"
echo "X5,H2,1,K35.800,,40.00,zz"
echo "X6,H2,1,K35.800,,200.00,300.00"
echo ",H2,1,K35.800,,0.00,0.00"
echo "C1,H2,1,K35.800,,20.00,10.00"
echo "X7,H2,1,K35.800,,x,1.00"
echo "X8,H2,1"
} > "$D/input.csv"
OUT=$D/settlement-T1-REPORT.h5
CSV=$D/settlement-T1-REPORT.rejects.csv
# a file of the user's at the rejects path is never replaced: exit 5 before any work
echo "my own notes" > "$CSV"
"$BIN" settle --config "$D/report.cfg" --out "$OUT" > /dev/null 2> "$D/stderr.txt"
eq "a file casemix did not write at OUT.rejects.csv: exit 5, left as it is" "$?|$(cat "$CSV")|$([ -e "$OUT" ] && echo h5)" \
    "5|my own notes|"
has "  ... and the message says so" "$(cat "$D/stderr.txt")" "not one casemix wrote"
# an earlier run's rejects file is replaced
printf '\357\273\277line (行号),case_id (结算ID),field (字段),reason (原因)\r\n99,OLD,x,old rejects of an earlier run\r\n' > "$CSV"
"$BIN" settle --config "$D/report.cfg" --out "$OUT" > "$D/summary.txt" 2> "$D/stderr.txt"
eq "settle exit code" "$?" 0
case "$(cat "$CSV")" in *OLD*) bad "the earlier rejects file was not replaced" ;; *) ok "the earlier rejects file was replaced" ;; esac
SUM=$(cat "$D/summary.txt")

echo "== blank-group reason in /cases (dip_blank_reason)"
eq "case_id|dip_group|dip_blank_reason" "$(h5cols "$OUT" /cases case_id dip_group dip_blank_reason | tr '\n' ' ')" \
    "C1|K35.8|none C2|K80:SS|none R1|KBBZ|dx_missing R2|KBBZ|dx_invalid R3|KBBZ|no_catalogue_entry R4|KBBZ|proc_attribute_unknown "
eq "dip_blank_reason is an HDF5 enum" \
    "$(h5dump -H -d /cases "$OUT" | grep -A6 'H5T_ENUM' | grep -c '"dx_missing"\|"dx_invalid"\|"proc_attribute_unknown"\|"no_catalogue_entry"')" 4
FB=$(h5dump -a /cases/flags_bits "$OUT")
has "flags_bits names every bit" "$FB" "bit8=big_buckets"
case "$FB" in *"(null)"*|*"=?"*) bad "flags_bits has an unnamed bit" "$FB" ;; *) ok "flags_bits: no unnamed bit" ;; esac

echo "== records read = cases + rejects"
R=$(h5cols "$OUT" /summary records_read cases rejects)
eq "/summary records|cases|rejects (17 data rows: 6 cases, 11 rejects)" "$R" "17|6|11"
LINE=$(echo "$SUM" | grep '^  records read')
eq "summary line" "$(echo "$LINE" | tr -s ' ')" " records read 17 = cases 6 + rejects 11 [reconciled]"

echo "== top reject reasons"
TOP=$(echo "$SUM" | sed -n '/^  reject reasons/,/^  rejected money/p' | grep -E '^ +[0-9]+  ')
eq "counts, most first" "$(echo "$TOP" | awk '{print $1}' | tr '\n' ' ')" "3 2 2 1 1 "
eq "fields in order (ties: first line)" "$(echo "$TOP" | awk '{print $2}' | tr '\n' ' ')" \
    "total_cost: fund_paid: case_id: institution_level: fund_paid: "
has "echoed values left out" "$(echo "$TOP" | head -1)" "'…'"
has "the rest counted" "$SUM" "and 2 more reasons"
eq "top five at most" "$(echo "$TOP" | wc -l | tr -d ' ')" 5

echo "== rejected money"
eq "/summary rejects_total_cost_fen|rejects_fund_paid_fen" \
    "$(h5cols "$OUT" /summary rejects_total_cost_fen rejects_fund_paid_fen)" "37000|46800"
has "summary" "$SUM" "rejected money   total cost 370.00 yuan, fund paid 468.00 yuan: the amounts that could be parsed (6 of 11 rows count 0: their total cost does not read)"

echo "== rejects CSV beside the output"
[ -f "$CSV" ] && ok "rejects file exists" || bad "no $CSV"
has "summary names the rejects file" "$SUM" "rejects file     $CSV"
eq "UTF-8 BOM" "$(head -c 3 "$CSV" | od -An -tx1 | tr -d ' ')" "efbbbf"
eq "header" "$(head -1 "$CSV" | tail -c +4 | tr -d '\r')" "line (行号),case_id (结算ID),field (字段),reason (原因)"
eq "CRLF line ends" "$(grep -c "$(printf '\r')\$" "$CSV")" "$(wc -l < "$CSV" | tr -d ' ')"
eq "one row per reject, lines as /rejects" "$(tail -n +2 "$CSV" | cut -d, -f1 | tr '\n' ' ')" \
    "$(h5cols "$OUT" /rejects line | tr '\n' ' ')"
eq "rows" "$(tail -n +2 "$CSV" | wc -l | tr -d ' ')" 11
eq "/rejects attribute on the file" "$(h5dump -a /rejects_file "$OUT" | grep -o 'settlement-T1-REPORT.rejects.csv')" \
    "settlement-T1-REPORT.rejects.csv"
if command -v python3 > /dev/null; then
    eq "Python reads it (utf-8-sig, csv)" "$(python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
print(len(rows) - 1, rows[0][0], rows[1][2], rows[-1][0])' "$CSV")" "11 line (行号) total_cost 18"
fi

echo "== payments"
eq "payments reconciled" "$(echo "$SUM" | grep -c '^  DIP payments .* = budget to the fen; Σ cases = Σ institutions  \[reconciled\]')" 1
TOPPAY=$(echo "$SUM" | sed -n '/DIP largest payments/,/^  [a-z]/p' | grep -E '^      ')
eq "largest payments: institutions by payment (from /institutions)" \
    "$(echo "$TOPPAY" | awk '{gsub(",", "", $3); printf "%s|%.0f ", $1, $3 * 100}')" \
    "$(h5cols "$OUT" /institutions institution_id payment_fen | sort -t'|' -k2,2nr -k1,1 | head -5 | tr '\n' ' ')"
eq "largest payments: Σ <= budget" "$(echo "$TOPPAY" | awk '{gsub(",", "", $3); s += $3 * 100} END {print (s <= 1000000) ? "yes" : "no: " s}')" yes
CLAIM=$(h5cols "$OUT" /institutions fund_paid_fen | awk '{s += $1} END {print s}')
has "budget vs fund claimed" "$SUM" "$(awk -v c="$CLAIM" 'BEGIN {d = 1000000 - c; printf "%s%d,%03d.00 yuan (%+.2f%%)", d < 0 ? "-" : "", (d < 0 ? -d : d) / 100000, ((d < 0 ? -d : d) / 100) % 1000, 100 * d / c}')"
has "scheme in force" "$SUM" "in force         DIP payments"
has "methods named" "$SUM" "docs/METHODS.md"
[ -f docs/METHODS.md ] && ok "docs/METHODS.md is in the repository" || bad "docs/METHODS.md missing"
case "$SUM" in *domain.md*|*§*|*shared/*) bad "the summary names a document users do not have" "$SUM" ;; *) ok "no reference to documents outside the repository" ;; esac

echo "== /rejects and the rejects file cut text at a UTF-8 character boundary"
# a case id of 60 Chinese characters (180 bytes) is too long for any limit:
# rejected, and its id cut to the 64 bytes a case id may have (21 characters,
# 63 bytes); a cut inside a 3-byte character would make it undecodable
L=$(awk 'BEGIN { for (i = 0; i < 30; i++) printf "结算"; }')
printf 'case_id,institution_id,institution_level,principal_dx,principal_proc,total_cost,fund_paid\nC1,H1,3,K35.800,,1.00,0.50\n%s,H1,3,K35.800,,1.00,0.50\n' "$L" > "$D/long.csv"
"$BIN" settle --config "$D/report.cfg" --input "$D/long.csv" --out "$D/long.h5" --quiet
if command -v python3 > /dev/null; then
    # h5dump writes bytes >= 0x80 as octal escapes (sign-extended): decode them back
    eq "/rejects case_id decodes as UTF-8" "$(h5dump -d /rejects -y "$D/long.h5" | python3 -c '
import re, sys
t = sys.stdin.read()
rows = re.findall(r"\{\s*(\d+),\s*\"((?:[^\"\\]|\\.)*)\"", t)
for line, s in rows:
    b = bytearray()
    i = 0
    while i < len(s):
        m = re.match(r"\\(\d+)", s[i:])
        if m: b.append(int(m.group(1), 8) & 0xFF); i += len(m.group(0))
        else: b += s[i].encode(); i += 1
    v = bytes(b).rstrip(b"\0").decode("utf-8")
    print(line, len(v), v == ("结算" * 30)[:len(v)])')" "3 21 True"
    eq "rejects file case_id decodes as UTF-8" "$(python3 -c '
import csv, sys
r = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
print(len(r) - 1, r[1][0], len(r[1][1]), r[1][1] == ("结算" * 30)[:len(r[1][1])])' "$D/long.rejects.csv")" "1 3 21 True"
fi

echo "== a run without rejects replaces the old rejects file (header only)"
head -3 "$D/input.csv" > "$D/clean.csv"
"$BIN" settle --config "$D/report.cfg" --input "$D/clean.csv" --out "$OUT" --quiet
eq "header only" "$(wc -l < "$CSV" | tr -d ' ')|$(head -c 3 "$CSV" | od -An -tx1 | tr -d ' ')" "1|efbbbf"
eq "no temporary files" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0

echo
if [ $fails -ne 0 ]; then
    echo "settle_report: $fails check(s) failed (files kept in $D):$failed"
    exit 1
fi
rm -rf "$D"
echo "settle_report: all checks passed"
