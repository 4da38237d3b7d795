#!/bin/sh
# forecast.sh - the monthly pre-settlement without history years (casemix month; docs/METHODS.md §9
# "Without history years"), on the README's example region (config/example: 241 cases, 13 in January)
# cut into one export per month of discharge:
#
#  January (4.8% of the year's score, not 1/12)    forecast far above the final point value (+76%), the
#                                                   band ±47.9% from year.month_cv (one month, no spread);
#                                                   paid at the band's low end; the terminal says why
#  every month's band                              recomputed here from /months (score, fund share):
#                                                   12 × mean, cv pooled with the prior as 2 months,
#                                                   ± 2 sd of the rest of the year, floor at the months' score
#  months 1-11 pay the band's low end, 12 the      /months point_value_estimate
#    forecast (the year is known)
#  twelve months + clear                           per institution paid + balance = due, to the fen; Σ due =
#                                                   the budget; January paid below the forecast's payment
#  clearing.budget_point_value below the band      paid at the budget point value, said so
#  year.no_history_pay = "forecast"                as before: January's gross = the budget / 12
#  year.month_cv = 0, no_history_pay = "low"       exit 3, file:line
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/$TMP/forecast
example_months "$D"
expect "twelve monthly exports, 243 rows (241 cases + 2 rejects)" "$(ls "$D/m" | wc -l) $(cat "$D"/m/*.csv | grep -vc '结算ID')" "12 243"
L=$D/out/ex-2025.ledger-2025.h5
"$BIN" month --config "$D/region.cfg" --month 2025-01 --input "$D/m/m01.csv" > "$D/m01.out" 2>&1 ||
    { echo "FAIL: month 01"; cat "$D/m01.out"; exit 1; }
has "January: the band from year.month_cv (one month, no spread)" "$(cat "$D/m01.out")" \
    "1 month(s) so far, their spread (cv) -; with year.month_cv 25.0% counted as 2 months: cv 25.0%; band ±47.9% of the year's score"
has "January: paid at the band's low end, and why" "$(cat "$D/m01.out")" \
    "paid at           the band's low end"
for m in 02 03 04 05 06 07 08 09 10 11 12; do
    "$BIN" month --config "$D/region.cfg" --month 2025-$m --input "$D/m/m$m.csv" --quiet || { echo "FAIL: month $m"; exit 1; }
done
"$BIN" clear --config "$D/region.cfg" --year 2025 > "$D/clear.out" 2>&1 || { echo "FAIL: clear"; cat "$D/clear.out"; exit 1; }
pv=$(h5dump -m '%.17g' -a /clearing/point_value "$L" | awk '/\(0\)/{print $2}')
# every month's forecast and band recomputed from the ledger's scores and fund shares (budget 1,250,000.00, no reserve)
h5cols "$L" /months month score_e4 fund_share forecast band_low band_high point_value_estimate > "$D/months.txt"
eq "the band of every month recomputed (12 × mean, cv pooled with 0.25 as 2 months, ± 2 sd of the rest)" \
    "$(awk -F'|' -v B=125000000 '
    function pv(t, s) { return B * 1e4 / (s * t) / 100 }
    function near(a, b) { d = a - b; if (d < 0) d = -d; return d <= 2e-9 * b }
    { n = NR; x[n] = $2; S += $2; mean = S / n; v = 0
      for (i = 1; i <= n; i++) v += (x[i] - mean) ^ 2
      cv2 = n > 1 ? v / (n - 1) / mean ^ 2 : 0
      cv = sqrt(((n - 1) * cv2 + 2 * 0.0625) / (n + 1)); r = 12 - n
      sd = cv * mean * sqrt(r + r * r / n); t = 12 * mean; lo = t - 2 * sd; hi = t + 2 * sd
      if (lo < S) lo = S
      if (lo > t * 0.98) lo = t * 0.98
      if (hi < t * 1.02) hi = t * 1.02
      if (!near($4, pv(t, $3)) || !near($5, pv(hi, $3)) || !near($6, pv(lo, $3))) print "month " $1 ": " $0 " want " pv(t, $3) " " pv(hi, $3) " " pv(lo, $3)
      if (n < 12 && $7 != $5) print "month " $1 " paid " $7 ", not the band low " $5
      if (n == 12 && $7 != $4) print "month 12 paid " $7 ", not the forecast " $4 }' "$D/months.txt")" ""
jan=$(head -1 "$D/months.txt")
eq "January's forecast was 70-80% above the final point value (the flaw reproduced)" \
    "$(echo "$jan" | awk -F'|' -v p="$pv" '{ r = $4 / p - 1; print (r > 0.70 && r < 0.80) ? "yes" : r }')" yes
eq "January paid at the band's low end, between the final point value and 1.25 × it (was 1.76 ×)" \
    "$(echo "$jan" | awk -F'|' -v p="$pv" '{ print ($7 > p && $7 < 1.25 * p && $7 < $4) ? "yes" : $7 " vs " p }')" yes
# the year reconciles: paid + clearing balance = due per institution (no audit, coefficient 1), Σ due = budget
eq "paid + balance = due per institution, to the fen" \
    "$(h5cols "$L" /clearing institution_id due_fen paid_fen balance_fen | awk -F'|' '$3 + $4 != $2 { print }')" ""
eq "Σ due = the budget" "$(h5cols "$L" /clearing due_fen | awk '{ s += $1 } END { printf "%.0f\n", s }')" 125000000
# a budget point value below the band's low end caps the payment
sed -e "s|ex-2025.h5|cap-2025.h5|" "$D/region.cfg" > "$D/cap.cfg"
printf 'clearing = { budget_point_value = 5.5; };\n' >> "$D/cap.cfg"
"$BIN" month --config "$D/cap.cfg" --month 2025-01 --input "$D/m/m01.csv" > "$D/cap.out" 2>&1 || { echo "FAIL: cap"; cat "$D/cap.out"; exit 1; }
has "budget point value: said" "$(cat "$D/cap.out")" "paid at           the budget point value 5.500000 (clearing.budget_point_value)"
eq "budget point value: paid at 5.5" "$(h5cols "$D/out/cap-2025.ledger-2025.h5" /months point_value_estimate)" 5.5
# "forecast": the old basis, a flat forecast pays the twelfth of the budget whatever the month's volume
sed -e "s|ex-2025.h5|fc-2025.h5|" "$D/region.cfg" > "$D/fc.cfg"
printf 'year = { no_history_pay = "forecast"; };\n' >> "$D/fc.cfg"
"$BIN" month --config "$D/fc.cfg" --month 2025-01 --input "$D/m/m01.csv" > "$D/fc.out" 2>&1 || { echo "FAIL: fc"; cat "$D/fc.out"; exit 1; }
has "forecast basis: said" "$(cat "$D/fc.out")" "paid at           the forecast"
eq "forecast basis: January's gross = budget / 12" "$(h5cols "$D/out/fc-2025.ledger-2025.h5" /months gross_fen)" 10416667
# bad settings: exit 3, file:line, nothing done
for bad in 'month_cv = 0;' 'no_history_pay = "low";'; do
    cp "$D/region.cfg" "$D/bad.cfg"; printf 'year = {\n  %s\n};\n' "$bad" >> "$D/bad.cfg"
    "$BIN" month --config "$D/bad.cfg" --month 2025-01 --input "$D/m/m01.csv" --quiet 2> "$D/bad.err"
    eq "year.$bad exit 3" "$?" 3
    has "year.$bad file:line" "$(cat "$D/bad.err")" "bad.cfg:$(($(wc -l < "$D/region.cfg") + 2)): year."
done
[ "$fails" -eq 0 ] || { echo "forecast: $fails failed:$failed"; exit 1; }
rm -rf "$D"
echo "forecast: all passed"
