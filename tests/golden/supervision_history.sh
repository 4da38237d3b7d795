#!/bin/sh
# supervision_history.sh - the rules fed from history (docs/METHODS.md
# "Supervision"): R11 (death in a low-risk group 低风险组死亡) and R08's
# k x group-mean-LOS branch. Without history R11 is "not evaluated" with a
# reason; with history a death planted in a group whose history has cases
# but no death (z = -inf, low-risk at any cut) is flagged R11, and every R11
# flag is a death in such a group or one of z < -1. The groups with no
# history death and the group mean LOS are computed here independently: the
# history file settled as a period (its cases' groups) joined with its own
# discharge_mode and los_days columns.
set -eu
. tests/golden/lib.inc
export LC_ALL=C # sort and join in one collation
D=$TMP/supervision_history
rm -rf "$D"; mkdir -p "$D"
demo_dip_cfg SUP current.csv 98765432.10 > "$D/nohist.cfg"
"$BIN" gen --config "$D/nohist.cfg" --out "$D" --cases 20000 --history-cases 20000 --seed 5 --quiet
{ cat "$D/nohist.cfg"; echo 'history = ( { year = 2024; file = "history_2024.csv"; } );'
  echo 'coefficients = { mode = "history"; };'; } > "$D/hist.cfg"

# without history: not evaluated, with the reason
"$BIN" settle --config "$D/nohist.cfg" --out "$D/nh.h5" --quiet
eq "no history: R11 not evaluated" "$(h5cols "$D/nh.h5" /rules id evaluated hits | grep '^R11')" "R11|0|-1"
why=$(h5cols "$D/nh.h5" /rules id not_evaluated_because | grep '^R11' | cut -d'|' -f2)
case "$why" in *history*) ok "no history: the reason names the history ($why)" ;;
               *) bad "no history: the reason" "$why" ;; esac

# the history's groups, independently: settle the history file as a period
"$BIN" settle --config "$D/nohist.cfg" --input "$D/history_2024.csv" --out "$D/hg.h5" --quiet
h5cols "$D/hg.h5" /cases case_id dip_group | sort -t'|' -k1,1 > "$D/hg.txt"
awk -F, 'NR > 1 { print $1 "|" $13 "|" $12 }' "$D/history_2024.csv" | sort -t'|' -k1,1 > "$D/hd.txt"
join -t'|' "$D/hg.txt" "$D/hd.txt" > "$D/hj.txt" # case_id|group|dmode|los
awk -F'|' '{ n[$2]++; if ($3 == "5") d[$2]++ } END { for (g in n) if (!d[g]) print g }' "$D/hj.txt" | sort > "$D/nodeath.txt"
[ -s "$D/nodeath.txt" ] || bad "groups without a history death" "none"

# plant: a copy of a current case of such a group (not a death), discharged by death
"$BIN" settle --config "$D/nohist.cfg" --out "$D/cur.h5" --quiet
pick=$(h5cols "$D/cur.h5" /cases case_id dip_group | awk -F'|' 'NR == FNR { z[$1] = 1; next } ($2 in z) { print $1 }' \
       "$D/nodeath.txt" - | head -200 | sort > "$D/cand.txt"
       awk -F, 'NR > 1 && $13 != "5" { print $1 }' "$D/current.csv" | sort | comm -12 "$D/cand.txt" - | head -1)
[ -n "$pick" ] || bad "a current case in a group without history deaths" "none"
cp "$D/current.csv" "$D/current.orig.csv"
awk -F, -v OFS=, -v id="$pick" '{ print } $1 == id { $1 = "PLR11" id; $2 = "PX" $2; $13 = "5"; print }' \
    "$D/current.orig.csv" > "$D/current.csv"
"$BIN" settle --config "$D/hist.cfg" --out "$D/h1.h5" --threads 1 --quiet
"$BIN" settle --config "$D/hist.cfg" --out "$D/h2.h5" --threads 2 --quiet
eq "with history: R11 evaluated" "$(h5cols "$D/h1.h5" /rules id evaluated | grep '^R11')" "R11|1"
eq "the planted death in a group without history deaths flagged R11 (z -inf: -999)" \
   "$(h5cols "$D/h1.h5" /flags case_id rule figure | grep "^PLR11$pick|R11|" | cut -d'|' -f3)" "-999"
# every R11 flag is a death (discharge_mode 5)
notd=$(h5cols "$D/h1.h5" /flags case_id rule | grep '|R11$' | cut -d'|' -f1 | sort > "$D/r11.txt"
       awk -F, 'NR > 1 && $13 == "5" { print $1 }' "$D/current.csv" | sort | comm -23 "$D/r11.txt" - | head -3)
eq "every R11 flag is a death" "$notd" ""
# every death in a group without history deaths is flagged R11
h5cols "$D/h1.h5" /cases case_id dip_group | awk -F'|' 'NR == FNR { z[$1] = 1; next } ($2 in z) { print $1 }' \
    "$D/nodeath.txt" - | sort > "$D/inz.txt"
miss=$(awk -F, 'NR > 1 && $13 == "5" { print $1 }' "$D/current.csv" | sort | comm -12 "$D/inz.txt" - |
       comm -23 - "$D/r11.txt" | head -3)
eq "every death in a group without history deaths flagged R11" "$miss" ""
# R08's group branch: threshold = 3 x the group's history mean LOS (below the 60-day cap)
h5cols "$D/h1.h5" /flags case_id rule figure threshold | awk -F'|' '$2 == "R08" && $4 != "60"' > "$D/r08.txt"
[ -s "$D/r08.txt" ] && ok "R08 by the group mean LOS: $(wc -l < "$D/r08.txt") flags below the cap" ||
    bad "R08 by the group mean LOS" "no R08 flag below the cap"
awk -F'|' '$4 != "" { s[$2] += $4; n[$2]++ } END { for (g in n) printf "%s|%.6f\n", g, 3 * s[g] / n[g] }' "$D/hj.txt" \
    | sort -t'|' -k1,1 > "$D/glos.txt"
h5cols "$D/h1.h5" /cases case_id dip_group | sort -t'|' -k1,1 > "$D/cg.txt"
wrong=$(sort -t'|' -k1,1 "$D/r08.txt" | join -t'|' - "$D/cg.txt" | awk -F'|' '{ print $5 "|" $1 "|" $3 "|" $4 }' |
        sort -t'|' -k1,1 |
        join -t'|' - "$D/glos.txt" | tee "$D/r08j.txt" |
        awk -F'|' '{ d = $4 - $5; if (d < 0) d = -d; if (d > 1e-4 || $3 <= $4) print }' | head -3)
eq "R08 below the cap: every flag's group found in history" "$(wc -l < "$D/r08j.txt")" "$(wc -l < "$D/r08.txt")"
eq "R08 below the cap: LOS > 3 x the group's history mean LOS" "$wrong" ""
for ds in /flags /rules /indicators; do
    a=$(h5dump -d "$ds" "$D/h1.h5" | tail -n +2 | md5sum); b=$(h5dump -d "$ds" "$D/h2.h5" | tail -n +2 | md5sum)
    eq "$ds the same at 1 and 2 threads (with history)" "$a" "$b"
done
lr=$(h5cols "$D/h1.h5" /indicators institution_id indicator evaluated | grep -c '^H.*|low_risk_mortality|1$' || true)
[ "$lr" -gt 0 ] && ok "low_risk_mortality evaluated with history ($lr institutions)" || bad "low_risk_mortality with history" "not evaluated"
eq "low_risk_mortality not evaluated without history" \
   "$(h5cols "$D/nh.h5" /indicators institution_id indicator evaluated | grep -c '^H.*|low_risk_mortality|1$' || true)" 0
# gen --plant with history plants R11 too (deaths in groups without a history death): each flagged
P=$D/plant; mkdir -p "$P"
"$BIN" gen --config "$D/nohist.cfg" --out "$P" --cases 20000 --history-cases 20000 --seed 5 --plant 0.02 --quiet
# and R01 across the period boundary (a readmission after a discharge of history_2024.csv, the
# previous period's file): with supervision.previous_input every planted truth is flagged
{ cat "$D/hist.cfg"; echo 'supervision = { previous_input = "history_2024.csv"; };'; } > "$P/hist.cfg" # paths: from $P
"$BIN" settle --config "$P/hist.cfg" --input "$P/current.csv" --out "$P/p.h5" --quiet
n11=$(grep -c ',R11,' "$P/planted.csv" || true)
[ "$n11" -gt 0 ] && ok "gen --plant with history plants R11 ($n11)" || bad "gen --plant with history plants R11" "none"
np=$(grep -c '^PLR01P.*,R01,D24' "$P/planted.csv" || true)
[ "$np" -gt 0 ] && ok "gen --plant with history plants R01 across the boundary ($np)" || bad "R01 across the boundary planted" "none"
h5cols "$P/p.h5" /flags case_id rule related_case_id | sort > "$P/flags.txt"
miss=$(tail -n +2 "$P/planted.csv" | tr ',' '|' | sort | comm -23 - "$P/flags.txt" | head -3)
eq "every planted truth flagged (R11 and R01 across the boundary included)" "$miss" ""
eq "boundary controls at N+1 days not flagged R01" "$(grep -c '^PLXR01P.*|R01|' "$P/flags.txt" || true)" 0
[ "$fails" -eq 0 ] || { echo "$fails failure(s):$failed"; exit 1; }
echo "supervision_history: all ok"
