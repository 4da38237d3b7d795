#!/bin/sh
# published_tables.sh - the tables a bureau publishes beside the grouping
# tables (issue 9, points 13 and 4).
#
# 1. Published DRG weights (drg.weights): the demo region (config/demo.cfg's
#    seeded generator, its self-made CHS-DRG tables) settled with scheme
#    "drg", a weights table with Chinese headers (DRG编码, DRG名称, 权重) and
#    no history. Expected, from the table and the README's DRG rules, not
#    from a run: RW in /drgs = the table's for every DRG; a case's points =
#    RW × 100 × level coefficient when it is not an outlier; the outlier
#    class from the period's DRG mean cost (DRGs with fewer than
#    trim_min_cases cases, untrimmed: computed here by awk); Σ DRG payments
#    = budget; the file names the weights source. A table with an unknown
#    DRG stops with exit 3 and file:line.
# 2. Institution master table (input.institutions, tests/corpus/institutions.csv
#    with Chinese headers, BOM, CRLF, 三级甲等): tests/corpus/no_level.csv has
#    no level column and settles with the table's levels; a row of an
#    institution not in the table and without a level is rejected (field
#    institution_level); tests/corpus/level_table.csv: a row level differing
#    from the table keeps the table's and is flagged (bit 2), an empty level
#    takes the table's, an institution not in the table keeps its rows' own
#    level; /institution_names holds the table's names in /institutions order.
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/published.$$
rm -rf "$D"
mkdir -p "$D"
R=$(pwd)

echo "== published DRG weights (drg.weights), no history"
cat > "$D/gen.cfg" <<EOF2
region = "410400"; period = "2025Q1"; scheme = "both";
dip = { catalogue = "$R/config/demo/catalogue.csv"; group_stats = "$R/config/demo/group_stats.csv";
        proc_attributes = "$R/config/demo/proc_attributes.csv"; icd10 = "$R/config/demo/icd10.csv"; };
drg = { tables = "$R/config/demo/drg"; };
generator = { cases = 4000; seed = 9; institutions = 12; year = 2025; };
EOF2
"$BIN" gen --config "$D/gen.cfg" --out "$D" --history-cases -1 --quiet || { echo "FAIL: gen"; exit 1; }
ls "$D"/history_*.csv >/dev/null 2>&1 && bad "gen --history-cases -1 wrote history files"
# weight of the i-th DRG (drg.csv order) = 0.3 + (i mod 23) × 0.125: exact in binary
awk -F, 'NR > 1 { i++; printf "%s,%s,%.3f\n", $1, $4, 0.3 + (i % 23) * 0.125 }' config/demo/drg/drg.csv |
    { printf '\357\273\277DRG编码,DRG名称,权重\r\n'; sed 's/$/\r/'; } > "$D/weights.csv"
cat > "$D/drg.cfg" <<EOF2
region = "410400"; period = "2025Q1"; scheme = "drg";
input = { records = "current.csv"; };
drg = { tables = "$R/config/demo/drg"; weights = "weights.csv"; };
coefficients = { mode = "fixed"; level1 = 0.8; level2 = 0.9; level3 = 1.0; };
budget = { fund_budget = 12345678.91; };
output = { file = "drg.h5"; compression = "none"; };
EOF2
BUDGET=1234567891
OUT=$D/drg.h5
MSG=$("$BIN" settle --config "$D/drg.cfg" --quiet 2>&1)
RC=$?
eq "drg weights: settle exit" "$RC" 0
if [ "$RC" = 0 ]; then
    # RW in /drgs = the table's
    h5cols "$OUT" /drgs code rw | awk -F'|' '{ printf "%s,%.6f\n", $1, $2 }' | sort > "$D/rw.got"
    tr -d '\r' < "$D/weights.csv" | awk -F, 'NR > 1 { printf "%s,%.6f\n", $1, $3 }' | sort > "$D/rw.want"
    eq "drg weights: /drgs rw = the table's (every DRG)" "$(cmp -s "$D/rw.got" "$D/rw.want" && echo same ||
        diff "$D/rw.got" "$D/rw.want" | head -3)" same
    eq "drg weights: /drgs rows = DRGs of the tables" "$(wc -l < "$D/rw.got" | tr -d ' ')" \
        "$(($(wc -l < config/demo/drg/drg.csv) - 1))"
    S=$(h5cols "$OUT" /summary records_read cases rejects drg_budget_fen drg_payments_fen)
    eq "drg weights: read = cases + rejects" "$(echo "$S" | awk -F'|' '{ print ($1 == $2 + $3) ? "yes" : $0 }')" yes
    eq "drg weights: summary budget | payments" "$(echo "$S" | cut -d'|' -f4,5)" "$BUDGET|$BUDGET"
    h5cols "$OUT" /cases case_id level drg total_cost_fen drg_outlier drg_points drg_payment_fen > "$D/cases.txt"
    eq "drg weights: Σ case DRG payments = budget" \
        "$(awk -F'|' '{ s += $7 } END { printf "%d", s }' "$D/cases.txt")" "$BUDGET"
    # points and outlier class, independently: RW from the table, period mean per DRG
    chk=$(awk -F'|' -v wf="$D/rw.want" '
        BEGIN { while ((getline l < wf) > 0) { split(l, a, ","); rw[a[1]] = a[2] } ; coef[1] = 0.8; coef[2] = 0.9; coef[3] = 1.0 }
        { n++; id[n] = $1; lv[n] = $2; d[n] = $3; c[n] = $4; cls[n] = $5; pts[n] = $6
          if ($3 != "0000") { cnt[$3]++; sum[$3] += $4 } }
        END {
            bad = 0; checked = 0; outl = 0
            for (i = 1; i <= n; i++) {
                if (d[i] == "0000") continue
                if (!(d[i] in rw)) { bad++; continue }
                base = rw[d[i]] * 100 * coef[lv[i]]
                if (cnt[d[i]] >= 25) continue   # trimmed mean: not recomputed here
                m = sum[d[i]] / cnt[d[i]]; r = c[i] / m; w = rw[d[i]]
                k = w <= 1 ? 3 : (w <= 2 ? 2 : 1.5)
                want = "normal"; p = base
                if (r <= 0.4) { want = "low"; p = r * base }
                else if (r >= k) { want = "high"; p = (1 + r - k) * base }
                checked++; if (want != "normal") outl++
                if (cls[i] != want || (p - pts[i]) > 0.01 || (pts[i] - p) > 0.01) {
                    bad++; if (bad <= 3) printf "%s %s rw %s cost %s mean %.2f: got %s %s want %s %.4f; ", id[i], d[i], w, c[i], m, cls[i], pts[i], want, p
                }
            }
            printf "%d bad of %d checked (%d outliers)", bad, checked, outl
        }' "$D/cases.txt")
    case "$chk" in
        "0 bad of "*) case "$chk" in *" 0 checked"*|*"(0 outliers)") bad "drg weights: too few cases checked: $chk" ;;
                      *) ok "drg weights: points and outlier class from table RW and period mean: $chk" ;; esac ;;
        *) bad "drg weights: points and outlier class from table RW and period mean" "$chk" ;;
    esac
    has "drg weights: file attribute drg_weights_source" "$(h5dump -a /drg_weights_source "$OUT" 2>&1)" "weights.csv"
    has "drg weights: file attribute drg_outlier_mean_cost_source" \
        "$(h5dump -a /drg_outlier_mean_cost_source "$OUT" 2>&1)" "current period"
else
    echo "$MSG"
fi
# Without the table and without history: exit 3, the message names drg.weights.
sed 's/ weights = "weights.csv";//' "$D/drg.cfg" > "$D/nohist.cfg"
MSG=$("$BIN" settle --config "$D/nohist.cfg" --out "$D/nohist.h5" --quiet 2>&1); RC=$?
eq "no weights, no history: exit" "$RC" 3
has "no weights, no history: message" "$MSG" "drg.weights"
# An unknown DRG in the table: exit 3 with file:line.
n=$(wc -l < "$D/weights.csv")
{ cat "$D/weights.csv"; printf 'ZZ99,不存在,1.0\r\n'; } > "$D/weights_bad.csv"
sed 's/weights.csv/weights_bad.csv/' "$D/drg.cfg" > "$D/bad.cfg"
MSG=$("$BIN" settle --config "$D/bad.cfg" --out "$D/bad.h5" --quiet 2>&1); RC=$?
eq "unknown DRG in the weights table: exit" "$RC" 3
has "unknown DRG in the weights table: file:line" "$MSG" "weights_bad.csv:$((n + 1)): drg: DRG 'ZZ99'"
[ -e "$D/bad.h5" ] && bad "unknown DRG: output written"

echo "== institution master table (input.institutions)"
C=tests/corpus
# inst_run NAME CSV READ CASES REJECTS INSTITUTIONS NAMES: settle CSV with
# corpus_inst.cfg; CASES = "line|case_id|institution|level|flags&4 ...",
# REJECTS = "line|case_id|field ...", INSTITUTIONS = "id|level ...", NAMES =
# the names joined by ';'; read = cases + rejects, Σ payments = budget.
inst_run() {
    n=$1; OUT=$D/$1.h5
    MSG=$("$BIN" settle --config $C/corpus_inst.cfg --input "$2" --out "$OUT" 2>&1 >/dev/null); RC=$?
    eq "$n: exit" "$RC" 0
    [ "$RC" = 0 ] || { echo "$MSG"; return; }
    eq "$n: cases line|id|institution|level|flag bit 2" "$(h5cols "$OUT" /cases line case_id institution_id level flags |
        awk -F'|' '{ printf "%s%s|%s|%s|%s|%d", s, $1, $2, $3, $4, int($5 / 4) % 2; s = " " }')" "$4"
    eq "$n: rejects line|id|field" "$(h5cols "$OUT" /rejects line case_id field | tr '\n' ' ' | sed 's/ $//')" "$5"
    eq "$n: institutions id|level" "$(h5cols "$OUT" /institutions institution_id level | tr '\n' ' ' | sed 's/ $//')" "$6"
    eq "$n: /institution_names in /institutions order" "$(names_of "$OUT" | tr '\n' ';' | sed 's/;$//')" "$7"
    S=$(h5cols "$OUT" /summary records_read cases rejects payments_fen fund_budget_fen)
    eq "$n: read | read = cases + rejects | payments = budget" \
        "$(echo "$S" | awk -F'|' '{ print $1 "|" ($1 == $2 + $3 ? "yes" : "no") "|" ($4 == $5 ? "yes" : "no") }')" "$3|yes|yes"
    eq "$n: Σ case payments = budget" "$(h5cols "$OUT" /cases payment_fen | awk '{ s += $1 } END { printf "%d", s }')" \
        "$(echo "$S" | cut -d'|' -f5)"
}
N1="第一人民医院"; N2="第二人民医院, 东院"
inst_run no_level $C/no_level.csv 4 "2|T1|H1|3|0 3|T2|H2|2|0 5|T4|H1|3|0" "4|T3|institution_level" \
    "H1|3 H2|2 H9|0" "$N1;$N2;"
R4=$(h5cols "$OUT" /rejects line reason | grep '^4|')
has "no_level: reject reason names the institution and the table" "$R4" "institution H9 is not in the institution table"
inst_run level_table $C/level_table.csv 6 "2|M1|H1|3|0 3|M2|H1|3|1 4|M3|H2|2|0 5|M4|H9|1|0 7|M6|H9|2|1" \
    "6|M5|institution_level" "H1|3 H2|2 H8|0 H9|1" "$N1;$N2;;"
has "level_table: note names the institution not in the table" "$MSG" "H9"
has "level_table: /institutions attribute level_source" "$(h5dump -a /institutions/level_source "$OUT" 2>&1)" \
    "institutions.csv"
# Without the table the file without a level column stops (exit 4, names the column).
MSG=$("$BIN" settle --config $C/corpus.cfg --input $C/no_level.csv --out "$D/nolevel_notab.h5" --quiet 2>&1); RC=$?
eq "no_level without the table: exit" "$RC" 4
has "no_level without the table: message" "$MSG" "institution_level"
# A bad table stops before any work: exit 3 with file:line.
printf 'institution_id,name,level\nH1,a,3\nH1,b,2\n' > "$D/inst_dup.csv"
sed "s|institutions = \"institutions.csv\"|institutions = \"$D/inst_dup.csv\"|" $C/corpus_inst.cfg > "$D/inst_dup.cfg"
sed -i "s|\"\.\./golden|\"$R/tests/golden|g; s|icd10 = \"icd10.csv\"|icd10 = \"$R/tests/corpus/icd10.csv\"|" "$D/inst_dup.cfg"
MSG=$("$BIN" settle --config "$D/inst_dup.cfg" --input $C/no_level.csv --out "$D/inst_dup.h5" --quiet 2>&1); RC=$?
eq "duplicate institution in the table: exit" "$RC" 3
has "duplicate institution in the table: file:line" "$MSG" "inst_dup.csv:3: institution_id: institution H1 appears again"

# 3. The demo region with history and coefficients from history, settled
#    twice: with the level column (as generated), and with the level column
#    removed from the current and history files and the levels in an
#    institution table made from the data. Same levels, same coefficients,
#    same payments (DIP and DRG), case by case.
echo "== institution table: levels of current and history files from the table"
mkdir -p "$D/lv" "$D/nolv"
cat > "$D/lv/gen.cfg" <<EOF2
region = "410400"; period = "2025Q1"; scheme = "both";
input = { records = "current.csv"; };
history = ( { year = 2023; file = "history_2023.csv"; }, { year = 2024; file = "history_2024.csv"; } );
dip = { catalogue = "$R/config/demo/catalogue.csv"; group_stats = "$R/config/demo/group_stats.csv";
        proc_attributes = "$R/config/demo/proc_attributes.csv"; icd10 = "$R/config/demo/icd10.csv"; };
drg = { tables = "$R/config/demo/drg"; };
coefficients = { mode = "history"; };
budget = { fund_budget = "1000000.00"; drg_budget = "900000.00"; };
output = { file = "out.h5"; compression = "none"; };
generator = { cases = 3000; history_cases = 3000; seed = 5; institutions = 9; year = 2025; };
EOF2
"$BIN" gen --config "$D/lv/gen.cfg" --out "$D/lv" --quiet || bad "gen with history"
for f in "$D"/lv/*.csv; do
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "institution_level") c = i }
        { s = ""; for (i = 1; i <= NF; i++) if (i != c) s = s (s == "" && i == 1 ? "" : ",") $i; print s }' "$f" \
        > "$D/nolv/$(basename "$f")"
done
awk -F, 'BEGIN { print "定点医药机构编码,医疗机构等级"; t[1] = "一级"; t[2] = "二级甲等"; t[3] = "三级甲等" }
    FNR == 1 { for (i = 1; i <= NF; i++) { if ($i == "institution_id") a = i; if ($i == "institution_level") b = i }; next }
    !($a in seen) { seen[$a] = 1; print $a "," t[$b] }' "$D"/lv/*.csv > "$D/nolv/inst.csv"
sed 's/^input = { records = "current.csv"; };/input = { records = "current.csv"; institutions = "inst.csv"; };/' \
    "$D/lv/gen.cfg" > "$D/nolv/gen.cfg"
head -1 "$D/nolv/current.csv" | grep -q institution_level && bad "the level column was not removed"
"$BIN" settle --config "$D/lv/gen.cfg" --quiet || bad "settle with the level column: exit $?"
"$BIN" settle --config "$D/nolv/gen.cfg" --quiet || bad "settle with the institution table: exit $?"
if [ -e "$D/lv/out.h5" ] && [ -e "$D/nolv/out.h5" ]; then
    a=$(h5cols "$D/lv/out.h5" /cases case_id level payment_fen drg_payment_fen | md5sum)
    b=$(h5cols "$D/nolv/out.h5" /cases case_id level payment_fen drg_payment_fen | md5sum)
    eq "level column vs institution table: same levels and payments, case by case" "$b" "$a"
    "$BIN" settle --config "$D/nolv/gen.cfg" --out "$D/nolv/out1.h5" --threads 1 --quiet
    eq "institution table: 1 thread = 2 threads (/cases, /institutions, /institution_names)" \
        "$(h5cols "$D/nolv/out1.h5" /cases case_id level flags payment_fen | md5sum)$(h5rows "$D/nolv/out1.h5" /institutions | md5sum)$(h5dump -d /institution_names "$D/nolv/out1.h5" | grep '(' | md5sum)" \
        "$(h5cols "$D/nolv/out.h5" /cases case_id level flags payment_fen | md5sum)$(h5rows "$D/nolv/out.h5" /institutions | md5sum)$(h5dump -d /institution_names "$D/nolv/out.h5" | grep '(' | md5sum)"
    eq "level column vs institution table: same level coefficients" \
        "$(h5dump -a /level1_coefficient -a /level2_coefficient -a /level3_coefficient "$D/nolv/out.h5" | grep '(0)')" \
        "$(h5dump -a /level1_coefficient -a /level2_coefficient -a /level3_coefficient "$D/lv/out.h5" | grep '(0)')"
fi

echo
if [ $fails -ne 0 ]; then
    echo "published_tables: $fails check(s) failed (files kept in $D):$failed"
    exit 1
fi
rm -rf "$D"
echo "published_tables: all checks passed"
