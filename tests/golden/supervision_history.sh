#!/bin/sh
# supervision_history.sh - the rules fed from history (docs/METHODS.md
# "Supervision"): R11 (death in a low-risk group 低风险组死亡) and R08's
# k x group-mean-LOS branch. Without history R11 is "not evaluated" with a
# reason; with history a death planted in a group whose history has cases
# but no death (z = -inf, low-risk at any cut) is flagged R11, and every R11
# flag is a death in such a group or one of z < -1. The groups with no
# history death and the group mean LOS are computed here independently: the
# history file settled as a period (its cases' groups) joined with its own
# discharge_mode and los_days columns. With history configured but nothing
# calibrating from it (dip.group_stats for the means) the history is read for
# supervision alone: R08 and R11 checked flag by flag against a Python
# computation over the three history files and the current file.
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
# the history read for supervision alone: no scores.source, coefficients.mode or standard_cost from
# history (dip.group_stats gives the group means), three history years. R08's group branch and R11
# are evaluated from all three years, their flags exactly those computed here from the history files
# (each settled as a period for its cases' groups) and the current file; the indicators' previous
# period is the newest year. Without supervision the history is not read (a missing file is no error).
{ cat "$D/nohist.cfg"; echo 'history = ( { year = 2022; file = "history_2022.csv"; },'
  echo '            { year = 2023; file = "history_2023.csv"; }, { year = 2024; file = "history_2024.csv"; } );'; } \
    > "$D/suponly.cfg"
"$BIN" settle --config "$D/suponly.cfg" --out "$D/s1.h5" --threads 1 > "$D/s1.out"
"$BIN" settle --config "$D/suponly.cfg" --out "$D/s2.h5" --threads 2 --quiet
has "supervision-only history: the summary says so" "$(cat "$D/s1.out")" \
    "3 year(s), 60000 cases with a LOS; read for supervision alone"
for y in 2022 2023; do
    "$BIN" settle --config "$D/nohist.cfg" --input "$D/history_$y.csv" --out "$D/hg$y.h5" --quiet
done
res=$(/usr/bin/python3 - "$D" <<'PY'
import csv, math, sys, h5py
D = sys.argv[1]
def groups(path):
    with h5py.File(path, "r") as f:
        c = f["cases"][:]
    return {a.decode(): g.decode() for a, g in zip(c["case_id"], c["dip_group"])}
def rows(path):
    with open(path, newline="") as f:
        return {r["case_id"]: (r["discharge_mode"], r["los_days"]) for r in csv.DictReader(f)}
n, d, ls, ln = {}, {}, {}, {}
for y, h5 in ((2022, "hg2022.h5"), (2023, "hg2023.h5"), (2024, "hg.h5")):
    g, r = groups(f"{D}/{h5}"), rows(f"{D}/history_{y}.csv")
    for cid, grp in g.items():
        dm, los = r[cid]
        n[grp] = n.get(grp, 0) + 1
        d[grp] = d.get(grp, 0) + (dm == "5")
        if los != "":
            ls[grp] = ls.get(grp, 0) + int(los); ln[grp] = ln.get(grp, 0) + 1
lg = [math.log(d[g] / n[g]) for g in n if d[g] > 0]
mu = sum(lg) / len(lg); sd = math.sqrt(sum((x - mu) ** 2 for x in lg) / len(lg))
z = {g: (-math.inf if d[g] == 0 else (math.log(d[g] / n[g]) - mu) / sd) for g in n}
cur, r = groups(f"{D}/s1.h5"), rows(f"{D}/current.csv")
want = {}
for cid, grp in cur.items():
    dm, los = r[cid]
    if los != "":
        los = int(los); m = ls.get(grp, 0) / ln[grp] if ln.get(grp) else 0
        if los > 60: want[(cid, "R08")] = 60.0
        elif m > 0 and los > 3 * m: want[(cid, "R08")] = 3 * m
    if dm == "5" and grp in z and z[grp] < -1: want[(cid, "R11")] = -1.0
with h5py.File(f"{D}/s1.h5", "r") as f:
    fl = f["flags"][:]; ru = {x["id"].decode(): x for x in f["rules"][:]}
    ind = f["indicators"][:]; src = f["indicators"].attrs["previous_source"].decode()
got = {(a.decode(), b.decode()): t for a, b, t in zip(fl["case_id"], fl["rule"], fl["threshold"]) if b in (b"R08", b"R11")}
out = []
for k in ("R08", "R11"):
    w = {c for c in want if c[1] == k}; g = {c for c in got if c[1] == k}
    bad = [c for c in w & g if abs(want[c] - got[c]) > 1e-4]
    out.append(f"{k} evaluated={ru[k]['evaluated']} hits={ru[k]['hits']} want={len(w)} missing={len(w - g)} "
               f"extra={len(g - w)} threshold_off={len(bad)}")
out.append(f"R08 below the cap {sum(1 for c in want if c[1] == 'R08' and want[c] != 60.0) > 0}")
hc = {}
with h5py.File(f"{D}/hg.h5", "r") as f:
    for iid in f["cases"]["institution_id"]: hc[iid.decode()] = hc.get(iid.decode(), 0) + 1
pv = {x["institution_id"].decode(): x["previous_value"] for x in ind if x["indicator"] == b"cases"
      and x["institution_id"] != b""}
off = [i for i in pv if hc.get(i, 0) and pv[i] != hc[i]]
out.append(f"previous cases from 2024: {len([i for i in pv if hc.get(i)])} institutions, {len(off)} off; "
           f"{'newest history year (2024)' in src}")
print("\n".join(out))
PY
)
echo "$res" | sed 's/^/  /'
line() { echo "$res" | sed -n "$1p"; }
case "$(line 1)" in "R08 evaluated=1 hits="*" missing=0 extra=0 threshold_off=0")
    h=$(line 1 | sed 's/.*hits=\([0-9]*\) want=\([0-9]*\).*/\1 \2/'); set -- $h
    [ "$1" = "$2" ] && [ "$1" -gt 0 ] && ok "supervision-only history: R08 hits = the independent count ($1)" ||
        bad "supervision-only history: R08 hits" "$(line 1)" ;;
    *) bad "supervision-only history: R08 flags = the independent computation" "$(line 1)" ;; esac
case "$(line 2)" in "R11 evaluated=1 hits="*" missing=0 extra=0 threshold_off=0")
    h=$(line 2 | sed 's/.*hits=\([0-9]*\) want=\([0-9]*\).*/\1 \2/'); set -- $h
    [ "$1" = "$2" ] && [ "$1" -gt 0 ] && ok "supervision-only history: R11 hits = the independent count ($1)" ||
        bad "supervision-only history: R11 hits" "$(line 2)" ;;
    *) bad "supervision-only history: R11 flags = the independent computation" "$(line 2)" ;; esac
eq "supervision-only history: R08 flags below the 60-day cap (the group branch)" "$(line 3)" "R08 below the cap True"
case "$(line 4)" in "previous cases from 2024: "*" institutions, 0 off; True") case "$(line 4)" in
    *": 0 institutions"*) bad "supervision-only history: indicators' previous year" "$(line 4)" ;;
    *) ok "supervision-only history: previous_value of cases = the 2024 file's cases per institution" ;; esac ;;
    *) bad "supervision-only history: indicators' previous year" "$(line 4)" ;; esac
eq "supervision-only history: R08 parameters name the history" \
   "$(h5cols "$D/s1.h5" /rules id parameters | grep '^R08')" "R08|max_los=60; k=3 (k x the group's mean LOS in 3 history year(s))"
for ds in /flags /rules /indicators; do
    a=$(h5dump -d "$ds" "$D/s1.h5" | tail -n +2 | md5sum); b=$(h5dump -d "$ds" "$D/s2.h5" | tail -n +2 | md5sum)
    eq "$ds the same at 1 and 2 threads (supervision-only history)" "$a" "$b"
done
{ cat "$D/nohist.cfg"; echo 'history = ( { year = 2024; file = "missing_2024.csv"; } );'; } > "$D/miss.cfg"
{ cat "$D/miss.cfg"; echo 'supervision = { enabled = false; };'; } > "$D/miss_nosup.cfg"
"$BIN" settle --config "$D/miss_nosup.cfg" --out "$D/m0.h5" --quiet && ok "without supervision the history is not read" ||
    bad "without supervision the history is not read" "settle failed on a missing history file"
rc=0; "$BIN" settle --config "$D/miss.cfg" --out "$D/m1.h5" --quiet 2> "$D/m1.err" || rc=$?
eq "with supervision a missing history file stops the run (exit 4)" "$rc" 4
has "with supervision a missing history file: the message" "$(cat "$D/m1.err")" "history[0].file"
eq "no history list: R08's parameters say so" "$(h5cols "$D/nh.h5" /rules id parameters | grep '^R08')" \
   "R08|max_los=60; k=3 (k x group mean LOS not applied: no history list (history = ({ year = ..; file = ..; })))"
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
