#!/bin/sh
# walkthrough.sh - the README's "Settle your own export" as a newcomer runs it:
# config/example/region.cfg on config/example/export.csv (a HIS-style export:
# Chinese headers, BOM, CRLF, other date and amount forms, 34-character case
# ids, no level column) with the institution table config/example/institutions.csv.
# Checked against the export itself, row by row, by an independent reading of
# the CSV in awk (not through casemix): records read = the export's rows =
# cases + rejects; the two rejects the README names (a settlement exported
# twice, a fund payment above the total) on their lines; the admission date
# 2025/2/30 kept, paid and noted; Σ total cost of the cases = the export's sum
# less the rejected rows; the names of the table in /institution_names;
# Σ payments = the budget; no patient id (人员编号) in any output; the
# README's export command writes the workbook beside the settlement file (not
# where it is run); and the README's Python snippet, when h5py and pandas are there.
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$TMP/walkthrough.$$
rm -rf "$D"
mkdir -p "$D"
X=config/example
OUT=$(pwd)/$D/settlement.h5

"$BIN" settle --config $X/region.cfg --out "$OUT" > "$D/summary.txt" 2>&1
rc=$?
eq "settle exit" "$rc" 0
[ "$rc" = 0 ] || { sed 's/^/  /' "$D/summary.txt"; exit 1; }

# the export read independently: data rows, and per row its case id and total (医疗费总额, column 17)
tr -d '\r' < $X/export.csv | tail -n +2 | perl -ne '
    chomp; my @f; while (/\G(?:"([^"]*)"|([^,]*))(,|$)/g) { push @f, defined $1 ? $1 : $2; last if $3 eq "" }
    $f[16] =~ s/,//g; print "$.|$f[0]|$f[16]|$f[8]\n"' > "$D/rows.txt"
rows=$(wc -l < "$D/rows.txt" | tr -d ' ')
s=$(h5cols "$OUT" /summary records_read cases rejects quality_notes payments_fen fund_budget_fen)
eq "records read = rows of the export" "$(echo "$s" | cut -d'|' -f1)" "$rows"
eq "cases + rejects = records read" "$(echo "$s" | awk -F'|' '{ print $2 + $3 }')" "$rows"
has "summary: reconciled" "$(cat "$D/summary.txt")" "= cases $(echo "$s" | cut -d'|' -f2) + rejects $(echo "$s" | cut -d'|' -f3)  [reconciled]"

# the rejects: the later copy of a case id, and the fund payment above the total
dup=$(awk -F'|' 'seen[$2]++ { print $1 + 1 }' "$D/rows.txt")
REJ=$(h5cols "$OUT" /rejects line field reason)
has "reject of the repeated id" "$REJ" "$dup|case_id|duplicate case id"
has "reject of the fund payment" "$REJ" "|fund_paid|fund paid "
eq "rejects: two" "$(echo "$REJ" | grep -c .)" 2
# the non-existent admission date: kept, noted, its case paid
bad_line=$(awk -F'|' '$4 ~ /^2025\/2\/30/ { print $1 + 1 }' "$D/rows.txt")
has "quality note of the admission date" "$(h5cols "$OUT" /quality line field reason)" "$bad_line|admit_date|'2025/2/30 09:00:00'"
eq "that case is paid" "$(h5cols "$OUT" /cases line payment_fen | awk -F'|' -v l="$bad_line" '$1 == l { print ($2 > 0) }')" 1

# Σ total cost of the cases = the export's rows less the rejected lines (fen, exact)
want=$(awk -F'|' -v rj="$(h5cols "$OUT" /rejects line | tr '\n' ' ')" '
    BEGIN { n = split(rj, a, " "); for (i = 1; i <= n; i++) r[a[i]] = 1 }
    !(($1 + 1) in r) { split($3, y, "."); t += y[1] * 100 + substr(y[2] "00", 1, 2) } END { printf "%d", t }' "$D/rows.txt")
eq "Σ /cases total_cost_fen = the export's kept rows" "$(h5cols "$OUT" /cases total_cost_fen | awk '{ t += $1 } END { printf "%d", t }')" "$want"
eq "Σ payments = budget" "$(h5cols "$OUT" /cases payment_fen | awk '{ t += $1 } END { printf "%d", t }')|$(echo "$s" | cut -d'|' -f5)" \
    "$(echo "$s" | cut -d'|' -f6)|$(echo "$s" | cut -d'|' -f6)"

# the institution table: every institution named, levels from the table
# each institution's name as in the table (/institution_names in /institutions order)
tr -d '\r' < $X/institutions.csv | tail -n +2 | cut -d, -f1,2 | sort > "$D/want_names.txt"
h5cols "$OUT" /institutions institution_id > "$D/ids.txt"
names_of "$OUT" > "$D/names.txt"
eq "institutions named as in the table" "$(paste -d, "$D/ids.txt" "$D/names.txt" | sort)" "$(cat "$D/want_names.txt")"
has "names in the largest payments" "$(cat "$D/summary.txt")" "医院"

# privacy: the export's 人员编号 (P + 10 digits) appear nowhere
if h5dump "$OUT" | grep -a -q 'P000[0-9]\{7\}' || grep -a -q 'P000[0-9]\{7\}' "$D/settlement.rejects.csv" "$D/summary.txt"; then
    bad "a patient id (人员编号) is in an output"
else ok "no patient id in the outputs"; fi
has "the rejects file opens in Excel (BOM)" "$(head -c 3 "$D/settlement.rejects.csv" | od -An -tx1 | tr -d ' ')" "efbbbf"

# the README's export command as written, on this run's file: the workbook goes beside the
# settlement file (build/ in the README), never into the folder it is run from
cmd=$(grep '^\./casemix export build/example-settlement-410400-2025\.h5 ' README.md)
case $cmd in
    *"--xlsx build/example-settlement-410400-2025.xlsx") ;;
    *) bad "README: the workbook is written beside the settlement file" "command: $cmd" ;;
esac
case $BIN in /*) B=$BIN ;; *) B=$(pwd)/$BIN ;; esac
set -- $(echo "$cmd" | sed -e "s#^\./casemix#$B#" -e "s#build/example-settlement-410400-2025#$(pwd)/$D/settlement#g")
(cd "$D" && mkdir -p cwd && cd cwd && "$@" --quiet) > "$D/export.log" 2>&1 || bad "README export command" "$(cat "$D/export.log")"
eq "README export: the workbook beside the settlement, nothing where it was run" \
    "$([ -s "$D/settlement.xlsx" ] && echo beside) $(ls "$D/cwd" | wc -l)" "beside 0"

# the README's Python snippet (h5py + pandas; openpyxl for the .xlsx)
PY=/usr/bin/python3
if $PY -c 'import h5py, pandas, openpyxl' 2> /dev/null; then
    awk '/Reading the output in Python/{f=1} f&&/^```python/{g=1;next} g&&/^```/{exit} g' README.md |
        sed -e "s#build/example-settlement-410400-2025.h5#$OUT#" -e "s#build/example-institutions.xlsx#institutions.xlsx#" > "$D/snippet.py"
    if (cd "$D" && $PY snippet.py > snippet.log 2>&1); then
        eq "README snippet: Excel file, Σ payment_fen = budget" \
            "$($PY -c "import pandas as pd; print(int(pd.read_excel('$D/institutions.xlsx').payment_fen.sum()))")" \
            "$(echo "$s" | cut -d'|' -f6)"
    else bad "README Python snippet failed" "$(cat "$D/snippet.log")"; fi
else
    echo "SKIP: the README's Python snippet (no h5py/pandas/openpyxl for /usr/bin/python3: apt install python3-h5py python3-pandas python3-openpyxl)"
fi

echo
if [ $fails -ne 0 ]; then
    echo "walkthrough: $fails check(s) failed (files kept in $D):$failed"
    exit 1
fi
rm -rf "$D"
echo "walkthrough: all checks passed"
