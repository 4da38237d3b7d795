#!/bin/sh
# supervision.sh - the case rules end to end (docs/METHODS.md "Supervision"):
# a generated region with every rule's pattern planted (casemix gen --plant)
# must have every planted case flagged by its rule, with the related case
# (recall 100% per rule), and the N+1-day controls not flagged R01; /flags,
# /rules, /rule_names and /review_sample are the same bytes at 1 and 2
# threads, and the same rows (but for line) with the input rows shuffled;
# the sample holds at least the rate of every institution, its result column
# is the strongest result of the case's /flags rows; a rule switched
# off is "not evaluated" (hits -1), and supervision.enabled = false writes
# none of the tables.
set -eu
. tests/golden/lib.inc
D=$TMP/supervision
rm -rf "$D"; mkdir -p "$D"
demo_dip_cfg SUP current.csv 98765432.10 > "$D/s.cfg"
"$BIN" gen --config "$D/s.cfg" --out "$D" --cases ${SUP_CASES:-20000} --history-cases -1 --seed 11 --plant 0.05 --quiet
[ -s "$D/planted.csv" ] || { echo "FAIL: no planted.csv"; exit 1; }
"$BIN" settle --config "$D/s.cfg" --out "$D/t1.h5" --threads 1 > "$D/t1.out"
"$BIN" settle --config "$D/s.cfg" --out "$D/t2.h5" --threads 2 --quiet

# recall: every planted (case, rule, related case) is a row of /flags
h5cols "$D/t1.h5" /flags case_id rule related_case_id | sort > "$D/flags.txt"
tail -n +2 "$D/planted.csv" | tr ',' '|' | sort > "$D/planted.txt"
missing=$(comm -23 "$D/planted.txt" "$D/flags.txt" | head -5)
eq "every planted case flagged by its rule with the related case" "$missing" ""
for r in R01 R02 R03 R04 R05 R06 R07 R08 R09 R10 R12 R13; do
    n=$(grep -c "|$r|" "$D/planted.txt" || true)
    [ "$n" -gt 0 ] || bad "$r planted" "none planted"
done
ok "every rule but R11 planted ($(wc -l < "$D/planted.txt") truths)"
ctl=$(grep -c '^PLXR01.*|R01|' "$D/flags.txt" || true)
eq "readmission controls at N+1 days not flagged R01" "$ctl" 0
nctl=$(grep -c '^PLXR01' "$D/current.csv" || true)
[ "$nctl" -gt 0 ] || bad "controls planted" "no PLXR01 rows"

# the summary's count: the cases with a flag of a rule that is not info, counted here from /flags
nlook=$(h5cols "$D/t1.h5" /flags case_id result | grep -v '|info$' | cut -d'|' -f1 | sort -u | wc -l)
has "summary: cases needing a look, info rules named as not counted" "$(cat "$D/t1.out")" \
    "Supervision (稽核): $nlook cases flagged by a rule that needs a look (definite or suspicious; the info rules R03, R12, R13 are not counted here"

# /rules.unit: the unit of /flags figure and threshold, checked against the flags themselves
eq "/rules unit of R01 R04 R06 R10 R11 R12" \
    "$(h5cols "$D/t1.h5" /rules id unit | grep -E '^R(01|04|06|10|11|12)\|' | tr '\n' ';')" \
    "R01|days (readmission gap);R04|nights (in common);R06|per mille (services / total cost);R10|years (age);R11|z (group death rate; -999 none);R12|ratio (cost / standard cost);"
h5cols "$D/t1.h5" /flags rule figure threshold | awk -F'|' '
    $1 == "R01" && !($2 == int($2) && $2 >= 0 && $2 <= $3) { print "R01 days: " $0; bad = 1 }
    $1 == "R04" && !($2 == int($2) && $2 >= 1 && $3 == 1) { print "R04 nights: " $0; bad = 1 }
    $1 == "R06" && !($2 >= 0 && $2 < $3 && $3 <= 1000) { print "R06 per mille: " $0; bad = 1 }
    END { exit bad }' > "$D/units.txt" && ok "/flags figures in the units of /rules (R01 days, R04 nights, R06 per mille)" \
    || bad "/flags figures in the units of /rules" "$(head -3 "$D/units.txt")"
"$BIN" export "$D/t1.h5" --csv "$D/csv" --tables rules --quiet
has "export: the rules sheet has the unit column" "$(head -1 "$D/csv/rules.csv")" "unit → unit of figure and threshold 单位"
"$BIN" report "$D/t1.h5" --out "$D/t1.html" --quiet
has "report: the rules table has the unit column" "$(sed -n '/id="tab-rules"/,/<\/figure>/p' "$D/t1.html" | head -5)" ">unit<"

# 1 vs 2 threads: the same bytes
for ds in /flags /rules /rule_names /review_sample; do
    a=$(h5dump -d "$ds" "$D/t1.h5" | tail -n +2 | md5sum); b=$(h5dump -d "$ds" "$D/t2.h5" | tail -n +2 | md5sum)
    eq "$ds the same at 1 and 2 threads" "$a" "$b"
done
# /flags is deflated without the shuffle filter (h5row.no_shuffle, METHODS §11); /review_sample keeps it
eq "/flags: deflate alone (no shuffle filter)" "$(h5dump -p -H -d /flags "$D/t1.h5" | grep -c -e 'SHUFFLE' -e 'COMPRESSION DEFLATE')" 1
eq "/review_sample: shuffle + deflate" "$(h5dump -p -H -d /review_sample "$D/t1.h5" | grep -c -e 'SHUFFLE' -e 'COMPRESSION DEFLATE')" 2

# shuffled input: the same rows but for line
{ head -1 "$D/current.csv"; tail -n +2 "$D/current.csv" | shuf --random-source="$D/current.csv"; } > "$D/shuf.csv"
"$BIN" settle --config "$D/s.cfg" --input "$D/shuf.csv" --out "$D/sh.h5" --threads 2 --quiet
a=$(h5cols "$D/t1.h5" /flags case_id rule result related_case_id figure threshold | sort | md5sum)
b=$(h5cols "$D/sh.h5" /flags case_id rule result related_case_id figure threshold | sort | md5sum)
eq "/flags the same rows with the input shuffled" "$a" "$b"
a=$(h5cols "$D/t1.h5" /review_sample case_id institution_id reason result rules | sort | md5sum)
b=$(h5cols "$D/sh.h5" /review_sample case_id institution_id reason result rules | sort | md5sum)
eq "/review_sample the same rows with the input shuffled" "$a" "$b"
a=$(h5rows "$D/t1.h5" /rules | md5sum); b=$(h5rows "$D/sh.h5" /rules | md5sum)
eq "/rules the same with the input shuffled" "$a" "$b"

# R05 (B is never paid twice): every R05 case is kept in /cases with the flag duplicate_withheld
# (bit 13), score 0 and payment 0, and only those; the same cases with the input shuffled; the
# budget is still paid to the fen; the summary says how many were withheld
withheld() { h5cols "$1" /cases case_id score payment_fen flags | awk -F'|' 'int($4 / 8192) % 2 { print $1 "|" $2 "|" $3 }' | sort; }
withheld "$D/t1.h5" > "$D/wh.txt"
h5cols "$D/t1.h5" /flags case_id rule | grep '|R05$' | cut -d'|' -f1 | sort -u | sed 's/$/|0|0/' > "$D/r05.txt"
[ -s "$D/r05.txt" ] || bad "R05 cases" "none"
eq "R05 cases = the withheld cases (score 0, payment 0)" "$(md5sum < "$D/wh.txt")" "$(md5sum < "$D/r05.txt")"
eq "the same cases withheld with the input shuffled" "$(withheld "$D/sh.h5" | md5sum)" "$(md5sum < "$D/wh.txt")"
eq "Σ payments = budget with duplicates withheld" \
   "$(h5cols "$D/t1.h5" /cases payment_fen | awk '{ s += $1 } END { printf "%.0f", s }')" 9876543210
out=$("$BIN" settle --config "$D/s.cfg" --out "$D/t3.h5" --threads 2)
has "the summary counts the withheld duplicates" "$out" "R05 duplicates withheld from payment (重复结算不予支付): $(wc -l < "$D/wh.txt") cases"
has "the report says how many duplicates were withheld" "$(grep 'id="withheld"' "$D/t1.html")" \
    "(重复结算不予支付)</b>: $(wc -l < "$D/wh.txt") cases"

# the sample: at least 8% of every institution's cases (ceil), flagged first
short=$(h5cols "$D/t1.h5" /cases institution_id | sort | uniq -c | awk '{print $2, $1}' | sort > "$D/n.txt"
        h5cols "$D/t1.h5" /review_sample institution_id | sort | uniq -c | awk '{print $2, $1}' | sort > "$D/s.txt"
        join -a1 -e 0 -o 0,1.2,2.2 "$D/n.txt" "$D/s.txt" | awk '{ need = int($2 * 0.08); if (need < $2 * 0.08) need++;
            if ($3 < need) print $1, $2, $3 }')
eq "every institution sampled at 8% or more" "$short" ""
nf=$(h5cols "$D/t1.h5" /review_sample case_id reason | grep -c '|flagged$' || true)
[ "$nf" -gt 0 ] && ok "flagged cases in the sample ($nf)" || bad "flagged cases in the sample" "none"
# a flagged pick is a case with a flag of a rule that is not info
notf=$(h5cols "$D/t1.h5" /review_sample case_id reason | grep '|flagged$' | cut -d'|' -f1 | sort > "$D/sf.txt"
       h5cols "$D/t1.h5" /flags case_id result | grep -v '|info$' | cut -d'|' -f1 | sort -u > "$D/ff.txt"
       comm -23 "$D/sf.txt" "$D/ff.txt" | head -3)
eq "flagged picks are flagged cases" "$notf" ""
# /review_sample result: the strongest result among the case's /flags rows that are not info (definite,
# then highly_suspicious, then suspicious), info when it has none; computed here from /flags alone.
# Its power: rows where the rule table (/rules result of the row's rules) says otherwise (R04 is
# definite across institutions, highly_suspicious within one) must be there and still agree.
h5cols "$D/t1.h5" /flags case_id result > "$D/fres.txt"
h5cols "$D/t1.h5" /rules id result > "$D/rres.txt"
h5cols "$D/t1.h5" /review_sample case_id reason rules result > "$D/sres.txt"
res=$(awk -F'|' 'BEGIN { split("definite highly_suspicious suspicious info", N, " "); for (k = 1; k <= 4; k++) R[N[k]] = k }
    FILENAME ~ /fres/ { if (!($1 in best) || R[$2] < best[$1]) best[$1] = R[$2]; next }
    FILENAME ~ /rres/ { tab[$1] = R[$2]; next }
    { want = ($1 in best) ? N[best[$1]] : "info"; n++; seen[$4]++
      if ($4 != want) { bad++; if (bad <= 3) printf "row %s: %s, /flags say %s; ", $1, $4, want }
      t = 4; m = split($3, ids, " "); for (k = 1; k <= m; k++) if (tab[ids[k]] < t) t = tab[ids[k]]
      if ($2 == "flagged" && N[t] != want) differ++ }
    END { printf "%d rows, %d differ; definite %d, highly %d, suspicious %d, info %d; rule table otherwise %d\n",
                 n, bad, seen["definite"], seen["highly_suspicious"], seen["suspicious"], seen["info"], differ }' \
    "$D/fres.txt" "$D/rres.txt" "$D/sres.txt")
case "$res" in
    *" rows, 0 differ; definite "[1-9]*", highly "[1-9]*", suspicious "[1-9]*", info "[1-9]*"; rule table otherwise "[1-9]*)
        ok "/review_sample result = the strongest non-info result of the case's /flags rows ($res)" ;;
    *) bad "/review_sample result = the strongest non-info result of the case's /flags rows" "$res" ;;
esac
# no patient id in any supervision table
pid=$(for ds in /flags /review_sample /rules; do h5rows "$D/t1.h5" $ds; done | grep -c 'PL0000' || true)
eq "no patient id in the supervision tables" "$pid" 0

# a rule switched off: not evaluated, hits -1, no rows
cat "$D/s.cfg" > "$D/off.cfg"
echo 'supervision = { rules = { R05 = { enabled = false; }; }; sample_seed = 7; };' >> "$D/off.cfg"
"$BIN" settle --config "$D/off.cfg" --out "$D/off.h5" --quiet
eq "R05 off: /rules row" "$(h5cols "$D/off.h5" /rules id evaluated hits | grep '^R05')" "R05|0|-1"
eq "R05 off: no R05 flag" "$(h5cols "$D/off.h5" /flags rule | grep -c '^R05$' || true)" 0
eq "R05 off: no case withheld (both claims paid)" "$(withheld "$D/off.h5" | wc -l)" 0
a=$(h5cols "$D/t1.h5" /review_sample case_id | md5sum); b=$(h5cols "$D/off.h5" /review_sample case_id | md5sum)
[ "$a" != "$b" ] && ok "another seed, another sample" || bad "another seed, another sample" "same sample"
# inputs absent: without patient_id the cross-case rules are not evaluated
cut -d, -f2 --complement "$D/current.csv" > "$D/nopat.csv"
"$BIN" settle --config "$D/s.cfg" --input "$D/nopat.csv" --out "$D/np.h5" --quiet
eq "no patient_id: R01-R05 not evaluated" "$(h5cols "$D/np.h5" /rules id evaluated | head -5 | tr '\n' ' ')" \
   "R01|0 R02|0 R03|0 R04|0 R05|0 "
# admit_route (入院途径): emergency admissions (1 or 急诊) are exempt from R01; an unreadable
# route is missing, never a reject
awk -F, 'NR == 1 { print $0 ",入院途径"; next }
         $1 ~ /^PLR01/ { print $0 "," (NR % 2 ? "急诊" : "1"); next }
         { print $0 "," (NR % 7 ? "2" : "zz") }' "$D/current.csv" > "$D/route.csv"
"$BIN" settle --config "$D/s.cfg" --input "$D/route.csv" --out "$D/rt.h5" --quiet
eq "admit_route: no more rejects" "$(h5cols "$D/rt.h5" /summary rejects)" "$(h5cols "$D/t1.h5" /summary rejects)"
eq "admit_route 1 / 急诊: planted readmissions exempt from R01" \
   "$(h5cols "$D/rt.h5" /flags case_id rule | grep -c '^PLR01.*|R01$' || true)" 0
n1=$(h5cols "$D/t1.h5" /flags rule | grep -c '^R01$'); n2=$(h5cols "$D/rt.h5" /flags rule | grep -c '^R01$')
[ "$n2" -lt "$n1" ] && ok "fewer R01 flags with emergency routes ($n2 < $n1)" || bad "fewer R01 flags" "$n2 >= $n1"
# supervision off: no tables
echo 'supervision = { enabled = false; };' >> "$D/nopat.cfg"; cat "$D/s.cfg" >> "$D/nopat.cfg"
"$BIN" settle --config "$D/nopat.cfg" --out "$D/none.h5" --quiet
if h5dump -H -d /flags "$D/none.h5" >/dev/null 2>&1; then bad "supervision.enabled = false" "/flags written"; else ok "supervision.enabled = false: no /flags"; fi
[ "$fails" -eq 0 ] || { echo "$fails failure(s):$failed"; exit 1; }
echo "supervision: all ok"
