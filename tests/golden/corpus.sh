#!/bin/sh
# corpus.sh - the bad-input corpus (tests/corpus/*.csv): every file either
# settles, with each bad row rejected on its physical line and field and the
# summary reconciled (records read = cases + rejects = rows of /cases +
# rows of /rejects, Σ case payments = budget), or stops with the documented
# exit code (4: input unusable) and a message naming the file (and line 1
# for header faults), leaving no output and no OUT.tmp.* behind. The input
# file's SHA-256 is compared before and after every run. Configuration:
# tests/corpus/corpus.cfg (the golden tables + a self-made ICD-10 list).
#
# Files over 100 KB or with binary bytes are generated into $TMP/corpus.PID
# (big ones removed after their check; the directory is kept on failure).
# Expected outcomes come from the README's input rules, not from a run.
#
#  case (file)                  expected outcome
#  empty.csv                    exit 4, "empty file"
#  header_only.csv              exit 4, "no case" (0 rows)
#  missing_column.csv           exit 4, file:1, names institution_level
#  duplicate_column.csv         exit 4, file:1, case_id and 结算ID both named
#  cr_only (generated)          CR-only line ends (old Mac export): exit 4, file named
#  extra_columns.csv            unknown and unnamed header columns ignored: 2 cases, 0 rejects
#  field_count.csv              too few / too many fields: rejects line 3, 4 (field ""), 2 cases
#  unterminated_quote_last.csv  last row opens a quote: reject line 4 (field ""), 2 cases
#  unterminated_quote_middle.csv  row 3 opens a quote that never closes: RFC 4180 makes the
#                               rest of the file one bad row: reject line 3, 1 case, read 2
#                               (NOTE printed: the reason does not say that lines 4-5 are in it)
#  quoted.csv                   commas, "" and LF / CRLF inside quotes: rejects on lines 6
#                               and 10 (after 3- and 2-line rows), 4 cases
#  quoted_big (generated)       1.6 MB, 40,000 rows, a 3-line quoted row every 997 rows
#                               (> 1 MiB chunk): 40 rejects on lines computed by awk
#  block_boundary (generated)   67 MB: a quoted field with two newlines straddles the reader's
#                               64 MiB block end (row 671088); the rejects after it (rows 671090,
#                               671099) are on lines 671094 and 671103 (awk counts); the
#                               newlines of the row left open at the block end must not count
#  bom.csv                      UTF-8 BOM before case_id: 2 cases
#  crlf.csv                     CRLF (and a blank CRLF line, not a record): line 5 fund_paid
#                               rejected ('x'), 2 cases, read 3
#  gbk (generated)              GBK export (iconv -t GBK): decoded (input.encoding = "auto"),
#                               settled like its UTF-8 twin; /input_encoding = "GB18030"
#  gbk_body (generated)         ASCII header, GBK 男/女 in rows: decoded (the first MiB is
#                               looked at), 3 cases, sex read
#  gbk_bad (generated)          GBK with a byte that is not GB18030 on line 3: exit 4, the
#                               line and the byte offset named
#  gbk_utf8 (generated)         the GBK file with input.encoding = "UTF-8": exit 4, names the
#                               setting
#  gbk_late (generated)         1.2 MB of ASCII rows, then a GBK row: "auto" reads UTF-8 (only
#                               the first MiB is looked at), the row is rejected naming
#                               input.encoding; with "GB18030" every row is a case
#  utf16 (generated)            UTF-16 export: exit 4, file:1, "iconv"
#  nul (generated)              NUL byte in row 3: reject line 3 "NUL"; NUL in header: exit 4
#  long_line (generated)        10 MB other_dx list: settled; 10 MB case id: reject case_id;
#                               10 MB quoted note over 11 lines: settled, next row line 15
#  amounts.csv                  abc, 1e3, -5.00, fund -0.01, 12.345, 1e12 yuan,
#                               1000000000.01, fund above total: rejected with their field and
#                               the value echoed; cost_bed 'x' (a category: needed by no run)
#                               kept, flag bad_amount, a /quality note; 1000000000.00,
#                               " 100.5 " and "1,000.00" accepted
#  amounts_grouped.csv          quoted thousands separators: "13,728.90", "1,234,567.00",
#                               "13,728" exact (fund + self = total: no flag bit 3);
#                               "13,72.90", "1,2345.00", "50,00": "misplaced thousands
#                               separator" with the value; "5,000.00" > "4,000.00": fund_paid
#  categories.csv               Σ categories ≠ total: flag bit 0 (lines 3, 4), settled;
#                               with corpus_reject.cfg: rejects 3, 4 field cost_*, "-10.00", "+0.01"
#  dates.csv                    2025-02-30, 2025-02-29, month 13: invalid (admit or
#                               discharge field), discharge before admit: settle needs no
#                               date, so kept with flag bad_date and a /quality note naming
#                               the field and the value; 2024-02-29, a time after the date,
#                               20250101, empty dates: accepted
#  dates_forms.csv              YYYY/M/D, YYYY-M-D (+ time), YYYYMMDD, 14 digits, T-times:
#                               accepted, and LOS = the day difference (no flag bit 1; a
#                               row with LOS 5 over 9 days is flagged: the days are real);
#                               2025/2/29, month 13, hour 24, day 123: kept, a bad_date note
#                               on the field
#  levels.csv                   三级甲等, 二级乙等, 一级, 3级, 三甲, 二乙, 一级丙等, " 2 ": levels
#                               3 2 1 3 3 2 1 2, 三级医院: 3; 未定级: missing (settle needs
#                               it: reject "empty"); 四级: rejected institution_level
#  lists.csv                    procedures and other_dx split at , ; ； 、 ， as at |: the
#                               first procedure is the principal (K35.8:47.0100); the
#                               other order gives another group
#  los.csv                      LOS ≠ discharge − admit: flag bit 1 (line 3 only; same-day
#                               stay as 0 or 1 day is no flag); 'four': kept, bad_date, note
#  age_days.csv                 age in days for every age (20335 for a 55-year-old; up to
#                               54787 = 150 years): settled; with DIP only every bad
#                               demographic is a note; with DRG (corpus_drg.cfg) bad sex,
#                               age_years, age_days at age 0, weight at 0-28 days rejected,
#                               the others noted; age_days a year or more off age_years:
#                               flag age_mismatch; a filled age_days groups an adult as empty
#  long_ids.csv                 case ids of 23, 24, 30, 40, 64 bytes settle whole in /cases;
#                               duplicates among long ids (also differing only after byte
#                               23) rejected; 65 and 75 bytes (UTF-8) rejected, cut echoed
#  optional_fields.csv          per command: settle rejects bad total / level / fund > total
#                               and keeps bad dates, LOS, self_paid, sex (DIP) with notes;
#                               group dip keeps every row; group drg rejects only bad sex
#  codes.csv                    lower-case codes group like upper; code outside the ICD-10 list
#                               or unknown: KBBZ (not rejected; group reason DX_INVALID)
#  empty_dx.csv                 empty principal dx: KBBZ, reason DX_MISSING, not rejected
#  duplicate_ids.csv            later rows of an id rejected (field case_id, "line 2"), ids
#                               trimmed; an id whose first row was rejected is paid once
#  truncated_last_line.csv      file cut inside the last row: reject line 4 (field count)
#  no_final_newline.csv         complete last row without '\n': settled
#  fund_zero.csv                every fund_paid 0: exit 4 naming 统筹基金支付 and
#                               budget.fund_share; with corpus_share.cfg (fund_share 0.5) settled,
#                               point value = (budget ÷ 0.5) ÷ Σ score, Σ payments = budget
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$TMP/corpus.$$      # per run: several people may run the suite at once
rm -rf "$D"
mkdir -p "$D"
C=tests/corpus
CFG=$C/corpus.cfg
BUDGET_FEN=1000000

# run NAME CSV [CFG]: settle CSV into $D/NAME.h5; sets RC, MSG, OUT. Checks
# that the input is unchanged and that no temporary file is left.
run() {
    NAME=$1; IN=$2; OUT=$D/$1.h5
    rm -f "$OUT"
    sum0=$(sha256sum < "$IN")
    MSG=$("$BIN" settle --config "${3:-$CFG}" --input "$IN" --out "$OUT" --quiet 2>&1 >/dev/null)
    RC=$?
    [ "$(sha256sum < "$IN")" = "$sum0" ] || bad "$NAME: the input file was modified"
    for t in "$OUT".tmp.*; do [ -e "$t" ] && bad "$NAME: temporary file left: $t"; done
}

# fatal NAME CSV WANT_EXIT TEXT...: the run stops with WANT_EXIT, the
# message holds every TEXT, and no output exists.
fatal() {
    n=$1; f=$2; want=$3; shift 3
    run "$n" "$f"
    eq "$n: exit code" "$RC" "$want"
    for t in "$@"; do has "$n: message" "$MSG" "$t"; done
    [ ! -e "$OUT" ] || bad "$n: output written by a failed run"
}

# settled NAME CSV READ REJECTS CASES [CFG]: the run succeeds; READ = data
# rows counted by the test; REJECTS = "line|case_id|field ..." and CASES =
# "line|case_id|dip_group|flags&3 ..." (bits 0 categories, 1 LOS). Sets
# REASONS (one line per reject) for further checks.
settled() {
    n=$1; f=$2; want_read=$3; want_rej=$4; want_cases=$5
    run "$n" "$f" "${6:-$CFG}"
    if [ "$RC" != 0 ]; then bad "$n: exit $RC" "$MSG"; REASONS=; return; fi
    rj=$(h5cols "$OUT" /rejects line case_id field reason)
    cs=$(h5cols "$OUT" /cases line case_id dip_group flags payment_fen)
    REASONS=$(echo "$rj" | cut -d'|' -f1,4)
    eq "$n: rejects line|case_id|field" "$(echo "$rj" | cut -d'|' -f1-3 | tr '\n' ' ' | sed 's/ $//')" "$want_rej"
    eq "$n: cases line|case_id|group|flags&3" \
        "$(echo "$cs" | awk -F'|' 'NF { printf "%s%s|%s|%s|%d", s, $1, $2, $3, $4 % 4; s = " " }')" "$want_cases"
    s=$(h5cols "$OUT" /summary records_read cases rejects payments_fen)
    read_=$(echo "$s" | cut -d'|' -f1); ncase=$(echo "$s" | cut -d'|' -f2); nrej=$(echo "$s" | cut -d'|' -f3)
    pay=$(echo "$s" | cut -d'|' -f4)
    rows_c=$(echo "$cs" | grep -c .); rows_r=$(echo "$rj" | grep -c .)
    eq "$n: summary read|cases|rejects = rows counted|/cases rows|/rejects rows" \
        "$read_|$ncase|$nrej" "$want_read|$rows_c|$rows_r"
    eq "$n: read = cases + rejects" "$read_" "$((ncase + nrej))"
    eq "$n: Σ case payments = summary payments = budget" \
        "$(echo "$cs" | awk -F'|' '{ s += $5 } END { printf "%d", s }')|$pay" "$BUDGET_FEN|$BUDGET_FEN"
}
# quality NAME NOTE... FLAGS: after `settled`, /quality holds exactly one row
# per NOTE ("line|case_id|field|start of the reason", in order) and FLAGS
# lists "line|flags>>9<<9" (the data-quality bits 9-12) of every case that
# has one of them; the summary counts the notes.
quality() {
    n=$1; shift
    got=$(h5cols "$OUT" /quality line case_id field reason)
    k=0
    while [ $# -gt 1 ]; do
        k=$((k + 1))
        row=$(echo "$got" | sed -n "${k}p")
        case "$row" in "$1"*) ok "$n: note $k" ;; *) bad "$n: note $k" "got:  $row" "want: $1..." ;; esac
        shift
    done
    eq "$n: /quality rows" "$(echo "$got" | grep -c .)" "$k"
    eq "$n: summary quality_notes" "$(h5cols "$OUT" /summary quality_notes)" "$k"
    eq "$n: data-quality flags" "$(h5cols "$OUT" /cases line flags |
        awk -F'|' '{ v = int($2 / 512) * 512; if (v) { printf "%s%s|%d", s, $1, v; s = " " } }')" "$1"
}
# reason NAME LINE TEXT: the reject on LINE has TEXT in its reason.
reason() { has "$1: reason of line $2" "$(echo "$REASONS" | grep -a "^$2|" | cut -d'|' -f2-)" "$3"; }

S="case_id,institution_id,institution_level,principal_dx,principal_proc,total_cost,fund_paid"

echo "== fatal input faults (exit 4)"
fatal empty $C/empty.csv 4 "empty.csv" "empty file"
fatal header_only $C/header_only.csv 4 "header_only.csv" "no case"
fatal missing_column $C/missing_column.csv 4 "missing_column.csv:1" "institution_level"
fatal duplicate_column $C/duplicate_column.csv 4 "duplicate_column.csv:1" "case_id" "结算ID"
printf '%s\rA1,H1,3,K35.800,,100.00,50.00\r' "$S" > "$D/cr_only.csv"
fatal cr_only "$D/cr_only.csv" 4 "cr_only.csv"

echo "== header and layout"
settled extra_columns $C/extra_columns.csv 2 "" "2|E1|K35.8|0 3|E2|K35.8|0"
settled field_count $C/field_count.csv 4 "3|F2| 4|F3|" "2|F1|K35.8|0 5|F4|K35.8|0"
reason field_count 3 "6 fields but the header has 7"
reason field_count 4 "8 fields but the header has 7"
settled bom $C/bom.csv 2 "" "2|B1|K35.8|0 3|B2|K35.8|0"
settled crlf $C/crlf.csv 3 "5|R3|fund_paid" "2|R1|K35.8|0 4|R2|K35.8|0"
settled truncated_last_line $C/truncated_last_line.csv 3 "4|N3|" "2|N1|K35.8|0 3|N2|K35.8|0"
reason truncated_last_line 4 "4 fields"
settled no_final_newline $C/no_final_newline.csv 2 "" "2|N1|K35.8|0 3|N2|K35.8|0"

echo "== quoting"
settled unterminated_quote_last $C/unterminated_quote_last.csv 3 "4||" "2|U1|K35.8|0 3|U2|K35.8|0"
reason unterminated_quote_last 4 "unterminated quoted field"
settled unterminated_quote_middle $C/unterminated_quote_middle.csv 2 "3||" "2|U1|K35.8|0"
reason unterminated_quote_middle 3 "unterminated quoted field"
case "$(echo "$REASONS" | grep '^3|')" in
    *"end of file"*|*"line 5"*|*"lines 3"*) ok "unterminated_quote_middle: reason says how far the quote ran" ;;
    *) echo "NOTE: unterminated_quote_middle: the reject of line 3 swallows lines 4-5 (U3, U4) without saying so" ;;
esac
settled quoted $C/quoted.csv 6 "6|Q3|total_cost 10|Q6|total_cost" \
    "2|Q1|K35.8|0 3|Q2|K35.8|0 7|Q4|K35.8:47.0100|0 8|Q5|K35.8|0"
# Multi-chunk: 1 MiB chunks cut at record ends; physical lines by awk.
awk -v wantf="$D/quoted_big.want" 'BEGIN {
    print "case_id,institution_id,institution_level,principal_dx,principal_proc,total_cost,fund_paid,note"
    line = 2; sep = ""
    for (i = 1; i <= 40000; i++) {
        if (i % 997 == 0) {
            printf "Q%d,H1,3,K35.800,,abc,50,\"multi\r\nline, \"\"quoted\"\"\nnote\"\r\n", i
            printf "%s%d|Q%d|total_cost", sep, line, i > wantf; sep = " "; line += 3
        } else { printf "Q%d,H1,3,K35.800,,100.00,50.00,\"a,b\"\r\n", i; line++ }
    } }' > "$D/quoted_big.csv"
run quoted_big "$D/quoted_big.csv"
eq "quoted_big: exit" "$RC" 0
[ "$RC" = 0 ] && eq "quoted_big: reject lines across chunks" \
    "$(h5cols "$OUT" /rejects line case_id field | tr '\n' ' ' | sed 's/ $//')" "$(cat "$D/quoted_big.want")"
[ "$RC" = 0 ] && eq "quoted_big: summary read|cases|rejects; last case line" \
    "$(h5cols "$OUT" /summary records_read cases rejects) $(h5cols "$OUT" /cases line case_id | tail -n 1)" \
    "40000|39960|40 40081|Q40000"
rm -f "$D/quoted_big.csv"

# The reader cuts the file into 64 MiB blocks at row ends; a quoted field
# with newlines is cut by the block end here. Rows are 100 bytes.
awk 'BEGIN {
    print "case_id,institution_id,institution_level,principal_dx,principal_proc,total_cost,fund_paid,note"
    pad = sprintf("%100s", ""); gsub(/ /, "x", pad)
    for (k = 0; k < 671100; k++) {
        if (k == 671088) { r = sprintf("Q%d,H1,3,K35.800,,100.00,50.00,\"a\nb\n%s", k, pad); r = substr(r, 1, 98) "\"\n" }
        else if (k == 671090 || k == 671099) { r = sprintf("R%d,H1,3,K35.800,,abc,50.00,%s", k, pad); r = substr(r, 1, 99) "\n" }
        else { r = sprintf("C%d,H1,3,K35.800,,100.00,50.00,%s", k, pad); r = substr(r, 1, 99) "\n" }
        printf "%s", r } }' > "$D/block_boundary.csv"
run block_boundary "$D/block_boundary.csv"
eq "block_boundary: exit" "$RC" 0
if [ "$RC" = 0 ]; then
    # (/cases has 671,098 rows: too many for h5dump here; the rejects carry the lines)
    got="$(h5cols "$OUT" /rejects line case_id | tr '\n' ' ')$(h5cols "$OUT" /summary records_read cases rejects)"
    [ "$got" = "671094|R671090 671103|R671099 671100|671098|2" ] && ok "block_boundary: lines after the 64 MiB block end" ||
        bad "block_boundary: lines after the 64 MiB block end" \
            "got:  $got" "want: 671094|R671090 671103|R671099 671100|671098|2"
fi
rm -f "$D/block_boundary.csv" "$D/block_boundary.h5"

echo "== encodings and binary bytes"
printf '结算ID,定点医疗机构编码,医院等级,主要诊断编码,主要手术及操作编码,总费用,统筹基金支付,备注\nG1,H1,三级甲等,K35.800,,"1,100.00",50.00,急性阑尾炎\nG2,H1,3,K35.800,,abc,50.00,胆石症\n' > "$D/gbk_twin.csv"
iconv -f UTF-8 -t GBK "$D/gbk_twin.csv" > "$D/gbk.csv"
cmp -s "$D/gbk.csv" "$D/gbk_twin.csv" && bad "gbk: iconv made no GBK file"
settled gbk "$D/gbk.csv" 2 "3|G2|total_cost" "2|G1|K35.8|0"
[ "$RC" = 0 ] && eq "gbk: /input_encoding" "$(h5dump -a /input_encoding "$OUT" | grep -o '"[^"]*"' | tail -n 1)" '"GB18030"'
cp "$OUT" "$D/gbk.h5.keep"
settled gbk_twin "$D/gbk_twin.csv" 2 "3|G2|total_cost" "2|G1|K35.8|0"
[ "$RC" = 0 ] && eq "gbk_twin: /input_encoding" "$(h5dump -a /input_encoding "$OUT" | grep -o '"[^"]*"' | tail -n 1)" '"UTF-8"'
for t in /cases /rejects /summary /institutions; do
    h5diff "$D/gbk.h5.keep" "$OUT" $t $t > /dev/null 2>&1 && ok "gbk: $t as its UTF-8 twin's" || bad "gbk: $t differs from its UTF-8 twin's"
done
printf '%s,sex,note\nG1,H1,3,K35.800,,100.00,50.00,男,急性阑尾炎\nG2,H1,3,K35.800,,100.00,50.00,女,胆石症\nG3,H1,3,K35.800,,100.00,50.00,1,x\n' "$S" |
    iconv -f UTF-8 -t GBK > "$D/gbk_body.csv"
settled gbk_body "$D/gbk_body.csv" 3 "" "2|G1|K35.8|0 3|G2|K35.8|0 4|G3|K35.8|0"
{ printf '结算ID,定点医疗机构编码,医院等级,主要诊断编码,主要手术及操作编码,总费用,统筹基金支付,备注\nG1,H1,3,K35.800,,100.00,50.00,急性阑尾炎\n' |
    iconv -f UTF-8 -t GBK; printf 'G2,H1,3,K35.800,,100.00,50.00,\201\n'; } > "$D/gbk_bad.csv"
fatal gbk_bad "$D/gbk_bad.csv" 4 "gbk_bad.csv:3" "byte offset $(head -n 2 "$D/gbk_bad.csv" | wc -c | awk '{ print $1 + 30 }')" "GB18030"
sed 's/^input = {.*/input = { records = "header_only.csv"; encoding = "UTF-8"; };/' $CFG > $C/.utf8only.$$.cfg
run gbk_utf8 "$D/gbk.csv" $C/.utf8only.$$.cfg
rm -f $C/.utf8only.$$.cfg
eq "gbk_utf8: exit code" "$RC" 4
has "gbk_utf8: message" "$MSG" "input.encoding"
{ printf '%s,note\n' "$S"
  awk 'BEGIN { for (i = 1; i <= 15000; i++) printf "A%d,H1,3,K35.800,,100.00,50.00,%s\n", i, "note note note note note note note note note note note" }'
  printf 'A15001,H1,3,K35.800,,100.00,50.00,急性阑尾炎\n' | iconv -f UTF-8 -t GBK; } > "$D/gbk_late.csv"
run gbk_late "$D/gbk_late.csv"
eq "gbk_late: exit" "$RC" 0
if [ "$RC" = 0 ]; then
    eq "gbk_late: summary read|cases|rejects; the reject" \
        "$(h5cols "$OUT" /summary records_read cases rejects) $(h5cols "$OUT" /rejects line case_id)" "15001|15000|1 15002|A15001"
    has "gbk_late: reason" "$(h5cols "$OUT" /rejects reason)" "input.encoding"
fi
sed 's/^input = {.*/input = { records = "header_only.csv"; encoding = "GBK"; };/' $CFG > $C/.gbk.$$.cfg
run gbk_late_forced "$D/gbk_late.csv" $C/.gbk.$$.cfg
rm -f $C/.gbk.$$.cfg
eq "gbk_late_forced: exit" "$RC" 0
[ "$RC" = 0 ] && eq "gbk_late_forced: summary read|cases|rejects" \
    "$(h5cols "$OUT" /summary records_read cases rejects)" "15001|15001|0"
rm -f "$D/gbk_late.csv"
# a UTF-8 export with a BOM is UTF-8 (auto): a stray non-UTF-8 byte in row 3 rejects that row
# only, under its case id, and the file is not decoded as GBK
{ printf '\357\273\277%s,note\n' "$S"; printf 'B1,H1,3,K35.800,,100.00,50.00,急性阑尾炎\n'
  printf 'B2,H1,3,K35.800,,100.00,50.00,\351x\n'; printf 'B3,H1,3,K35.800,,100.00,50.00,胆囊\n'; } > "$D/bom_stray.csv"
settled bom_stray "$D/bom_stray.csv" 3 "3|B2|" "2|B1|K35.8|0 4|B3|K35.8|0"
reason bom_stray 3 "byte 0xE9 at byte 31 is not UTF-8"
[ "$RC" = 0 ] && eq "bom_stray: /input_encoding" "$(h5dump -a /input_encoding "$OUT" | grep -o '"UTF-8"')" '"UTF-8"'
printf '%s\nW1,H1,3,K35.800,,100.00,50.00\n' "$S" | iconv -f UTF-8 -t UTF-16 > "$D/utf16.csv"
fatal utf16 "$D/utf16.csv" 4 "utf16.csv:1" "iconv"
printf '%s\nZ1,H1,3,K35.800,,100.00,50.00\nZ2,H1,3,K35.8\00000,,100.00,50.00\nZ3,H1,3,K35.800,,100.00,50.00\n' "$S" > "$D/nul.csv"
# the damage is in the diagnosis: the row is rejected under its own (clean) case id
settled nul "$D/nul.csv" 3 "3|Z2|" "2|Z1|K35.8|0 4|Z3|K35.8|0"
reason nul 3 "NUL"
printf 'case_id,institution_id,institution_\000level,principal_dx,principal_proc,total_cost,fund_paid\nZ1,H1,3,K35.800,,100.00,50.00\n' > "$D/nul_header.csv"
fatal nul_header "$D/nul_header.csv" 4 "nul_header.csv:1" "NUL"

echo "== a 10 MB line"
{
    echo "$S,other_dx,note"
    echo "L1,H1,3,K35.800,,100.00,50.00,,"
    printf 'L2,H1,3,K35.800,,100.00,50.00,'; yes 'K35.800|' | head -c 10485760 | tr -d '\n'; echo ","
    printf 'L3'; head -c 10485760 /dev/zero | tr '\0' 'x'; echo ",H1,3,K35.800,,100.00,50.00,,"
    printf 'L4,H1,3,K35.800,,100.00,50.00,,"'
    for i in 1 2 3 4 5 6 7 8 9 10; do head -c 1048576 /dev/zero | tr '\0' 'n'; echo; done; echo '"'
    echo "L5,H1,3,K35.800,,100.00,50.00,,"
} > "$D/long_line.csv"
settled long_line "$D/long_line.csv" 5 "4|L3$(printf '%062d' 0 | tr 0 x)|case_id" \
    "2|L1|K35.8|0 3|L2|K35.8|0 5|L4|K35.8|0 16|L5|K35.8|0"
reason long_line 4 "case id of 10485762 bytes, longer than 64"
reason long_line 4 "'L3xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"
rm -f "$D/long_line.csv"

echo "== amounts"
settled amounts $C/amounts.csv 13 \
    "3|M2|total_cost 5|M4|total_cost 6|M5|total_cost 7|M6|fund_paid 8|M7|total_cost 9|M8|total_cost 10|M9|total_cost 13|M12|fund_paid" \
    "2|M1|K35.8|0 4|M3|K35.8|1 11|M10|K35.8|1 12|M11|K35.8|1 14|M13|K35.8|1"
reason amounts 3 "'abc': not yuan with at most 2 decimals"
reason amounts 6 "'-5.00': negative"
reason amounts 7 "'-0.01': negative"
reason amounts 8 "'12.345': not yuan with at most 2 decimals"
reason amounts 9 "'1000000000000': above 1,000,000,000"
reason amounts 10 "'1000000000.01': above 1,000,000,000"
reason amounts 13 "fund paid 100.01 > total 100.00"
quality amounts "12|M11|cost_bed|'x': not yuan" "12|2048"
[ "$RC" = 0 ] && eq "amounts: M3 ('1,000.00'), M10 total_cost_fen (10^9 yuan exact), M13 (' 100.5 ')" \
    "$(h5cols "$OUT" /cases line total_cost_fen | grep -E '^(4|11|14)\|' | cut -d'|' -f2 | tr '\n' ' ')" "100000 100000000000 10050 "
settled amounts_grouped $C/amounts_grouped.csv 7 "5|A4|total_cost 6|A5|total_cost 7|A6|fund_paid 8|A7|fund_paid" \
    "2|A1|K35.8|0 3|A2|K35.8|0 4|A3|K35.8|0"
reason amounts_grouped 5 "'13,72.90': misplaced thousands separator"
reason amounts_grouped 6 "'1,2345.00': misplaced thousands separator"
reason amounts_grouped 7 "fund paid 5,000.00 > total 4,000.00"
reason amounts_grouped 8 "'50,00': misplaced thousands separator"
[ "$RC" = 0 ] && eq "amounts_grouped: total_cost_fen, flags bit 3 (fund + self = total)" \
    "$(h5cols "$OUT" /cases total_cost_fen flags | awk -F'|' '{ printf "%s|%d ", $1, int($2 / 8) % 2 }')" \
    "1372890|0 123456700|0 1372800|0 "

echo "== cost categories"
settled categories $C/categories.csv 4 "" "2|K1|K35.8|0 3|K2|K35.8|1 4|K3|K35.8|1 5|K4|K35.8|0"
settled categories_reject $C/categories.csv 4 "3|K2|cost_* 4|K3|cost_*" \
    "2|K1|K35.8|0 5|K4|K35.8|0" $C/corpus_reject.cfg
reason categories_reject 3 "-10.00 yuan"
reason categories_reject 4 "+0.01 yuan"

echo "== dates and length of stay"
settled dates $C/dates.csv 9 "" \
    "2|T1|K35.8|0 3|T2|K35.8|0 4|T3|K35.8|0 5|T4|K35.8|0 6|T5|K35.8|0 7|T6|K35.8|0 8|T7|K35.8|0 9|T8|K35.8|0 10|T9|K35.8|0"
quality dates "3|T2|admit_date|'2025-02-30': not a date" \
    "4|T3|discharge_date|discharge '2025-01-01' before admission '2025-01-05'" \
    "6|T5|discharge_date|'2025-02-29'" "7|T6|admit_date|'2025-13-01'" \
    "3|512 4|512 6|512 7|512"
settled dates_forms $C/dates_forms.csv 11 "" \
    "2|D1|K35.8|0 3|D2|K35.8|0 4|D3|K35.8|0 5|D4|K35.8|0 6|D5|K35.8|0 7|D6|K35.8|2 8|D7|K35.8|0 9|D8|K35.8|0 10|D9|K35.8|0 11|D10|K35.8|0 12|D11|K35.8|0"
quality dates_forms "9|D8|admit_date|'2025/2/29': not a date" "10|D9|admit_date|'20251301': not a date" \
    "10|D9|discharge_date|'20251302': not a date" "11|D10|admit_date|'20250105246000': not a date" \
    "12|D11|discharge_date|'2025/1/123': not a date" "9|512 10|512 11|512 12|512"
settled los $C/los.csv 6 "" "2|L1|K35.8|0 3|L2|K35.8|2 4|L3|K35.8|0 5|L4|K35.8|0 6|L5|K35.8|0 7|L6|K35.8|0"
quality los "7|L6|los_days|'four': not a whole number" "7|512"

echo "== institution levels"
settled levels $C/levels.csv 11 "10|V9|institution_level 11|V10|institution_level" \
    "2|V1|K35.8|0 3|V2|K35.8|0 4|V3|K35.8|0 5|V4|K35.8|0 6|V5|K35.8|0 7|V6|K35.8|0 8|V7|K35.8|0 9|V8|K35.8|0 12|V11|K35.8|0"
reason levels 10 "'未定级': not graded; settle needs a level 1-3"
[ "$RC" = 0 ] && eq "levels: /cases level" "$(h5cols "$OUT" /cases level | tr '\n' ' ')" "3 2 1 3 3 2 1 2 3 "

echo "== code lists"
settled lists $C/lists.csv 8 "" \
    "2|S1|K35.8:47.0100|0 3|S2|K35.8:47.0100|0 4|S3|K35.8:47.0100|0 5|S4|K35.8:47.0100|0 6|S5|K35.8:47.0100|0 7|S6|K35.8:47.0100|0 8|S7|KBBZ|0 9|S8|K35.8:47.0100|0"

echo "== codes"
settled codes $C/codes.csv 9 "" \
    "2|C1|K35.8|0 3|C2|K35.8|0 4|C3|K35.8:47.0100|0 5|C4|K35.8:47.0100|0 6|C5|KBBZ|0 7|C6|KBBZ|0 8|C7|K80:SS|0 9|C8|K80:SS|0 10|C9|K35.8|0"
settled empty_dx $C/empty_dx.csv 3 "" "2|P1|K35.8|0 3|P2|KBBZ|0 4|P3|KBBZ|0"
# The blank reason is in the group command's output (case_id,line,group,type,path,status,reason).
for f in codes empty_dx; do
    "$BIN" group --scheme dip --config "$CFG" --input $C/$f.csv --out "$D/$f.group.csv" --quiet ||
        bad "$f: group exited $?"
done
eq "codes: blank reasons (group)" "$(grep KBBZ "$D/codes.group.csv" | cut -d, -f1,7 | tr '\n' ' ')" \
    "C5,DX_INVALID C6,DX_INVALID "
eq "empty_dx: blank reasons (group)" "$(grep KBBZ "$D/empty_dx.group.csv" | cut -d, -f1,7 | tr '\n' ' ')" \
    "P2,DX_MISSING P3,DX_MISSING "

echo "== duplicate case ids"
settled duplicate_ids $C/duplicate_ids.csv 7 "4|I1|case_id 5|I2|case_id 6|I3|total_cost 8|I1|case_id" \
    "2|I1|K35.8|0 3|I2|K35.8|0 7|I3|K35.8|0"
reason duplicate_ids 4 "line 2"
reason duplicate_ids 5 "line 3"
[ "$RC" = 0 ] && eq "duplicate_ids: summary duplicate_case_ids" "$(h5cols "$OUT" /summary duplicate_case_ids)" 3

echo "== fund share of zero (issue 9, point 12)"
# Every fund_paid is 0 or empty: no point value; the run stops, no output.
fatal fund_zero $C/fund_zero.csv 4 "fund_zero.csv" "fund share is 0" "3 cases" "统筹基金支付" "budget.fund_share"
# With budget.fund_share = 0.5 it settles: point value = (budget ÷ 0.5) ÷ Σ score.
settled fund_zero_share $C/fund_zero.csv 3 "" "2|Z1|K35.8|0 3|Z2|K35.8|0 4|Z3|K35.8|0" $C/corpus_share.cfg
if [ "$RC" = 0 ]; then
    s=$(h5cols "$OUT" /summary fund_share total_score point_value)
    fs=$(echo "$s" | cut -d'|' -f1)
    eq "fund_zero_share: summary fund_share = the configured 0.5" "$fs" "0.5"
    eq "fund_zero_share: point value = (budget / 0.5) / total score" \
        "$(echo "$s" | awk -F'|' '{ printf "%.6f", $3 }')" \
        "$(echo "$s" | awk -F'|' -v b="$BUDGET_FEN" '{ printf "%.6f", b / 100 / 0.5 / $2 }')"
    has "fund_zero_share: attribute fund_share_source" \
        "$(h5dump -a /fund_share_source "$OUT" 2>/dev/null)" "budget.fund_share"
fi

# An export whose 统筹基金支付 column is empty in every row: each empty fund payment is no fund
# payment (0, a bad_amount note), so the share is 0 and the run stops the same way; with
# budget.fund_share it settles, every case kept.
sed 's/,0\.00$/,/; s/,0$/,/' $C/fund_zero.csv > "$D/fund_empty.csv"
fatal fund_empty "$D/fund_empty.csv" 4 "fund_empty.csv" "fund share is 0" "3 cases" "统筹基金支付" "budget.fund_share"
settled fund_empty_share "$D/fund_empty.csv" 3 "" "2|Z1|K35.8|0 3|Z2|K35.8|0 4|Z3|K35.8|0" $C/corpus_share.cfg
quality fund_empty_share "2|Z1|fund_paid|empty fund payment" "3|Z2|fund_paid|empty" "4|Z3|fund_paid|empty" \
    "2|2048 3|2048 4|2048"

echo "== every bad field of a row is noted (none dropped)"
# 14 cost categories and both dates unreadable: 16 notes on one kept case
{ printf 'case_id,institution_id,institution_level,principal_dx,principal_proc,total_cost,fund_paid,admit_date,discharge_date'
  for k in bed consult exam lab treatment surgery nursing material western herbal patent general registration other; do
      printf ',cost_%s' $k; done; printf '\n'
  printf 'N1,H1,3,K35.800,,100.00,50.00,2025-02-30,2025-13-01,a,b,c,d,e,f,g,h,i,j,k,l,m,n\n'; } > "$D/many_notes.csv"
settled many_notes "$D/many_notes.csv" 1 "" "2|N1|K35.8|1"   # categories (all 0) != total: flag bit 0
[ "$RC" = 0 ] && eq "many_notes: /quality rows and summary count" \
    "$(h5cols "$OUT" /quality field | grep -c .)|$(h5cols "$OUT" /summary quality_notes)" "16|16"

echo "== age in days for every age (issue 9.1)"
# DIP only: no demographic is needed, every bad one is a note
settled age_days_dip $C/age_days.csv 14 "" \
    "2|A1|K35.8|0 3|A2|K35.8|0 4|A3|K35.8|0 5|A4|K35.8|0 6|A5|K35.8|0 7|A6|K35.8|0 8|A7|KBBZ|0 9|A8|KBBZ|0 10|A9|KBBZ|0 11|A10|KBBZ|0 12|A11|KBBZ|0 13|A12|K35.8|0 14|A13|K35.8|0 15|A14|K35.8|0"
quality age_days_dip "4|A3|age_days|54787 days is 150.0 years, age_years says 30" "5|A4|age_days|20335 days" \
    "6|A5|age_days|'54788': not a whole number of days from 0 to 54787" "7|A6|age_days|'abc'" \
    "8|A7|age_days|'abc'" "10|A9|birth_weight_g|'heavy'" "11|A10|birth_weight_g|'heavy'" \
    "12|A11|age_days|800 days" "13|A12|age_years|'200'" "14|A13|sex|'x'" \
    "4|4096 5|4096 6|1024 7|1024 8|1024 10|1024 11|1024 12|4096 13|1024 14|1024"
# DIP and CHS-DRG: what the DRG grouper reads is needed (RULES.md: age_days only at
# age 0, the weight only at 0 to 28 days)
settled age_days_drg $C/age_days.csv 14 "8|A7|age_days 10|A9|birth_weight_g 13|A12|age_years 14|A13|sex" \
    "2|A1|K35.8|0 3|A2|K35.8|0 4|A3|K35.8|0 5|A4|K35.8|0 6|A5|K35.8|0 7|A6|K35.8|0 9|A8|KBBZ|0 11|A10|KBBZ|0 12|A11|KBBZ|0 15|A14|K35.8|0" \
    $C/corpus_drg.cfg
reason age_days_drg 8 "'abc': not a whole number of days"
reason age_days_drg 10 "'heavy': not a whole number"
reason age_days_drg 13 "'200': not a whole number from 0 to 150"
reason age_days_drg 14 "'x': sex must be"
quality age_days_drg "4|A3|age_days|54787 days" "5|A4|age_days|20335 days" "6|A5|age_days|'54788'" \
    "7|A6|age_days|'abc'" "11|A10|birth_weight_g|'heavy'" "12|A11|age_days|800 days" \
    "4|4096 5|4096 6|1024 7|1024 11|1024 12|4096"
if [ "$RC" = 0 ]; then
    eq "age_days_drg: Σ case DRG payments = DRG budget" \
        "$(h5cols "$OUT" /cases drg_payment_fen | awk '{ s += $1 } END { printf "%d", s }')|$(h5cols "$OUT" /summary drg_payments_fen)" \
        "$BUDGET_FEN|$BUDGET_FEN"
    # an adult's filled age_days (A2, A3-A7, A14) groups as the empty one (A1); the
    # newborn (12 days) and the infant (200 days) as RULES.md says: PR1, PV1
    eq "age_days_drg: DRG of every case" "$(h5cols "$OUT" /cases case_id drg drg_status | tr '\n' ' ')" \
        "A1|GZ15|OK A2|GZ15|OK A3|GZ15|OK A4|GZ15|OK A5|GZ15|OK A6|GZ15|OK A8|PR15|OK A10|PV15|OK A11|PV15|OK A14|GZ15|OK "
fi

echo "== case ids of 24 to 64 bytes (issue 9.5)"
I40=41040025010100000123AAAAAAAAAAAAAAAAAAAA
I64=Z$(printf '%063d' 0 | tr 0 6)
PA=P0000000000000000000000AAAAAAA; PB=P0000000000000000000000BBBBBBB
settled long_ids $C/long_ids.csv 12 \
    "8|$I40|case_id 9|W$(printf '%063d' 0 | tr 0 5)|case_id 10|$I64|case_id 11|$PB|case_id 12|X2222222222222222222222|case_id 13|$(printf '病%.0s' $(seq 21))|case_id" \
    "2|X2222222222222222222222|K35.8|0 3|Y44444444444444444444444|K35.8|0 4|$I40|K35.8|0 5|$I64|K35.8|0 6|$PA|K35.8|0 7|$PB|K35.8|0"
reason long_ids 8 "first seen on line 4"
reason long_ids 10 "first seen on line 5"
reason long_ids 11 "first seen on line 7"
reason long_ids 9 "case id of 65 bytes, longer than 64"
reason long_ids 13 "'$(printf '病%.0s' $(seq 10))...': case id of 75 bytes"
[ "$RC" = 0 ] && eq "long_ids: summary duplicate_case_ids" "$(h5cols "$OUT" /summary duplicate_case_ids)" 4
# the group command writes them whole too
"$BIN" group --scheme dip --config "$CFG" --input $C/long_ids.csv --out "$D/long_ids.group.csv" --quiet ||
    bad "long_ids: group exited $?"
eq "long_ids: group ids" "$(cut -d, -f1 "$D/long_ids.group.csv" | tail -n +2 | awk '{ printf "%d ", length($0) }')" \
    "23 24 40 64 30 30 40 64 64 30 23 63 "

# a long id rejected after the read (institution table: not in it, no level) keeps its whole id
printf '%s\nA1,H1,3,K35.800,,100.00,50.00\n%s,H9,,K35.800,,100.00,50.00\n%s,H9,,K35.800,,100.00,50.00\n' \
    "$S" "$I40" "41040025010100000123病AAAAAAAAAAAA" > "$D/long_ids_inst.csv"
settled long_ids_inst "$D/long_ids_inst.csv" 3 "3|$I40|institution_level 4|41040025010100000123病AAAAAAAAAAAA|institution_level" \
    "2|A1|K35.8|0" $C/corpus_inst.cfg

echo "== reject only what the run needs (issue 9.2)"
settled optional_fields $C/optional_fields.csv 9 "7|O6|total_cost 8|O7|institution_level 9|O8|fund_paid" \
    "2|O1|K35.8|0 3|O2|K35.8|0 4|O3|K35.8|0 5|O4|K35.8|0 6|O5|K35.8|0 10|O9|K35.8|0"
reason optional_fields 7 "'abc': not yuan"
reason optional_fields 8 "'5': institution level must be 1, 2 or 3"
reason optional_fields 9 "fund paid 150.00 > total 100.00"
quality optional_fields "3|O2|admit_date|'2025-01-32': not a date" \
    "4|O3|discharge_date|discharge '2025-01-05' before admission '2025-01-09'" "5|O4|self_paid|'x'" \
    "6|O5|sex|'male'" "10|O9|los_days|'four'" "3|512 4|512 5|2048 6|1024 10|512"
# group --scheme dip needs only the case id: every row grouped, the notes in the quality column
"$BIN" group --scheme dip --config "$CFG" --input $C/optional_fields.csv --out "$D/optional.dip.csv" --quiet ||
    bad "optional_fields: group dip exited $?"
eq "optional_fields: group dip status|quality field" \
    "$(tail -n +2 "$D/optional.dip.csv" | awk -F, '{ q = $8; sub(/:.*/, "", q); sub(/^"/, "", q); printf "%s|%s|%s ", $1, $6, q }')" \
    "O1|OK| O2|OK|admit_date O3|OK|discharge_date O4|OK|self_paid O5|OK|sex O6|OK|total_cost O7|OK|institution_level O8|OK|fund_paid O9|OK|los_days "
# group --scheme drg needs the demographics too: only the bad sex is rejected
"$BIN" group --scheme drg --config $C/corpus_drg.cfg --input $C/optional_fields.csv --out "$D/optional.drg.csv" --quiet ||
    bad "optional_fields: group drg exited $?"
eq "optional_fields: group drg status" "$(tail -n +2 "$D/optional.drg.csv" | cut -d, -f1,3 | tr '\n' ' ')" \
    "O1,OK O2,OK O3,OK O4,OK O5,REJECTED O6,OK O7,OK O8,OK O9,OK "

echo
if [ $fails -ne 0 ]; then
    echo "corpus: $fails check(s) failed (files kept in $D):$failed"
    exit 1
fi
rm -rf "$D"
echo "corpus: all checks passed"
