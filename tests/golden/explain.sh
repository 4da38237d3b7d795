#!/bin/sh
# explain.sh - `casemix group --explain CASE_ID` (issue 9 point 15), DIP and
# CHS-DRG, on the demo tables:
#  - on a generated region, for a sample of cases, the explanation (stdout,
#    exit 0) names the case's line and ends in the group and path that the
#    group CSV of the same input gives that case (the CSV is the oracle);
#  - a rejected row: "case ID: rejected on line N: reason", exit 0;
#  - an id that is not in the file: exit 1, nothing on stdout, the id named
#    on stderr; a repeated id: one explanation per row, in line order;
#  - Chinese coder terms (主要诊断, 其他诊断, 主要手术及操作, 并发症/合并症,
#    排除表); a lower-case code that matches nothing: a hint at
#    drg.upcase_codes (DRG), that letter case is not the cause (DIP);
#  - --explain without --out writes no file.
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
case $TMP in /*) D=$TMP/explain.$$ ;; *) D=$(pwd)/$TMP/explain.$$ ;; esac
rm -rf "$D"; mkdir -p "$D"
R=$(pwd)
TABLES="dip = { catalogue = \"$R/config/demo/catalogue.csv\"; proc_attributes = \"$R/config/demo/proc_attributes.csv\";
    icd10 = \"$R/config/demo/icd10.csv\"; };
generator = { cases = 240; history_cases = 0; seed = 9; bad_rows = 0.02; };"
printf 'region = "T"; period = "P";\n%s\ndrg = { tables = "%s/config/demo/drg"; };\n' "$TABLES" "$R" > "$D/x.cfg"
printf 'region = "T"; period = "P";\n%s\ndrg = { tables = "%s/config/demo/drg"; upcase_codes = true; };\n' "$TABLES" "$R" > "$D/up.cfg"
"$BIN" gen --config "$D/x.cfg" --out "$D" --quiet || { echo "FAIL: gen"; exit 1; }
IN=$D/current.csv

echo "== DIP: the explanation ends in the group the CSV gives"
"$BIN" group --scheme dip --config "$D/x.cfg" --input "$IN" --out "$D/dip.csv" --quiet
n=0
# expected WHERE FILE ID: per row of ID in the group CSV, in line order,
# "LINE:path group" (dip) or "LINE:REJECTED"; got: the same from the explanation
expected_dip() { awk -F, -v id="$2" '$1 == id { print $2 ":" ($6 == "REJECTED" ? "REJECTED" : $5 " " $3) }' "$1"; }
got_dip() {
    awk '/^case .* \(line [0-9]+\), DIP/ { l = $4; sub(/\),$/, "", l); next }
         /^case .*: rejected on line / { n = $0; sub(/.*: rejected on line /, "", n); sub(/:.*/, "", n); print n ":REJECTED" }
         /^result: / { print l ":" $2 " " $3 }'
}
# every 8th row of the CSV: case_id,line,group,group_type,match_path,status,reason
# (and the first two rejected rows)
{ awk -F, 'NR > 1 && NR % 12 == 2 { print $1 }' "$D/dip.csv"; grep ',REJECTED,' "$D/dip.csv" | head -n 2 | cut -d, -f1; } > "$D/sample"
while read -r id; do
    out=$("$BIN" group --scheme dip --config "$D/x.cfg" --input "$IN" --explain "$id" 2>/dev/null); rc=$?
    eq "dip $id: exit 0, each row's line and group" "$rc|$(printf '%s\n' "$out" | got_dip | tr '\n' ' ')" \
        "0|$(expected_dip "$D/dip.csv" "$id" | tr '\n' ' ')"
    n=$((n + 1))
done < "$D/sample"
[ "$n" -ge 18 ] && ok "$n DIP cases explained" || bad "only $n DIP cases in the sample"

echo "== CHS-DRG: the explanation ends in the DRG the CSV gives"
"$BIN" group --scheme drg --config "$D/x.cfg" --input "$IN" --out "$D/drg.csv" --quiet
awk -F, 'NR > 1 && NR % 24 == 3' "$D/drg.csv" > "$D/sample"
n=0
while IFS=, read -r id line status mdc adrg drg cc reason; do
    out=$("$BIN" group --scheme drg --config "$D/x.cfg" --input "$IN" --explain "$id" 2>/dev/null); rc=$?
    case "$status" in
        REJECTED) want="case $id: rejected on line $line: " ;;
        OK) want="result: OK $mdc $adrg $drg " ;;
        UNGROUPABLE) want="result: UNGROUPABLE 0000 00 0000" ;;
        *) want="($status/$reason)" ;;
    esac
    has "drg $id ($status, exit $rc)" "$rc $out" "$want"
    n=$((n + 1))
done < "$D/sample"
[ "$n" -ge 9 ] && ok "$n DRG cases explained" || bad "only $n DRG cases in the sample"

echo "== found, rejected, absent, repeated"
cat > "$D/x.csv" <<'CSV'
case_id,institution_id,institution_level,sex,age_years,principal_dx,other_dx,principal_proc,other_procs,total_cost,fund_paid
A1,H1,3,1,50,K80.100,I10.x00,51.2300,51.5100,5000,2500
A2,H1,3,1,50,k80.100,,51.2300,zz.9999,5000,2500
A3,H1,3
A4,H1,3,2,60,i63.900,j96.000,,,5000,2500
A1,H1,3,1,50,K35.800x001,,,,5000,2500
CSV
out=$("$BIN" group --scheme dip --config "$D/x.cfg" --input "$D/x.csv" --explain A3 2>"$D/err"); rc=$?
eq "rejected row: exit 0" "$rc" 0
eq "rejected row: one line on stdout" "$out" "case A3: rejected on line 4: row has 3 fields but the header has 11; check quoting and commas"
out=$("$BIN" group --scheme drg --config "$D/x.cfg" --input "$D/x.csv" --explain A3 2>/dev/null); rc=$?
has "rejected row (drg): exit $rc" "$rc $out" "0 case A3: rejected on line 4: "
out=$("$BIN" group --scheme dip --config "$D/x.cfg" --input "$D/x.csv" --explain A9 2>"$D/err"); rc=$?
eq "absent id: exit 1, nothing on stdout" "$rc|$out" "1|"
has "absent id: stderr names it" "$(cat "$D/err")" "case A9 is not in $D/x.csv"
out=$("$BIN" group --scheme drg --config "$D/x.cfg" --input "$D/x.csv" --explain a1 2>/dev/null); rc=$?
eq "ids are exact (a1 is not A1): exit 1" "$rc" 1
out=$("$BIN" group --scheme dip --config "$D/x.cfg" --input "$D/x.csv" --explain A1 --threads 2 2>/dev/null); rc=$?
eq "repeated id: one explanation per row, in line order" "$rc|$(printf '%s\n' "$out" | grep '^case A1 ' | tr '\n' ' ')" \
    "0|case A1 (line 2), DIP (按病种分值付费): case A1 (line 6), DIP (按病种分值付费): "
eq "repeated id: two results" "$(printf '%s\n' "$out" | grep -c '^result: ')" 2
for t in "主要诊断" "主要手术及操作" "其他手术及操作" "其他诊断" "ties to the lowest 序号" "score "; do has "DIP explanation: $t" "$out" "$t"; done
ls "$D"/x.csv.* "$D"/*.tmp.* > /dev/null 2>&1 && bad "--explain without --out wrote a file" || ok "--explain without --out writes no file"

echo "== hints for lower-case codes"
out=$("$BIN" group --scheme dip --config "$D/x.cfg" --input "$D/x.csv" --explain A2 2>/dev/null)
has "DIP: lower case is upper-cased" "$out" "'k80.100' -> K80.100"
has "DIP: unknown lower-case procedure, case not the cause" "$out" "its letter case is not the cause"
out=$("$BIN" group --scheme drg --config "$D/x.cfg" --input "$D/x.csv" --explain A4 2>/dev/null)
has "DRG: lower-case principal matches nothing" "$out" "dx[0] i63.900 (主要诊断 principal diagnosis; not in any table"
has "DRG: hint at drg.upcase_codes" "$out" "drg.upcase_codes = true"
out=$("$BIN" group --scheme drg --config "$D/up.cfg" --input "$D/x.csv" --explain A4 2>/dev/null)
case "$out" in *"hint:"*) bad "DRG with upcase_codes: still a hint" "$out" ;; *) ok "DRG with upcase_codes: no hint" ;; esac
has "DRG with upcase_codes: grouped" "$out" "result: OK "
for t in "其他诊断" "排除表" "并发症/合并症"; do has "DRG explanation: $t" "$out" "$t"; done

rm -rf "$D"
echo
[ $fails -eq 0 ] && echo "explain: all checks passed" || { echo "explain: $fails check(s) failed:$failed"; exit 1; }
