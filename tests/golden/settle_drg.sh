#!/bin/sh
# settle_drg.sh - a CHS-DRG settlement (scheme "both") small enough to work
# out by hand (docs/METHODS.md §6-7): DRG points with base points, a high
# and a low outlier in two RW bands, point value, rate, case and institution
# payments. The DIP half of "both" is settle_small.sh's subject; here only
# its payments are checked to differ from the DRG ones (a case paid by DIP
# score instead of DRG points fails below).
#
# Tables: the demo DRG tables (config/demo/drg) with published weights
# (tests/golden/small/drg/weights.csv): ES35 0.8, GD15 1.5, every other DRG 1.0.
# No history: the DRG mean cost m_d of the outlier rule is this period's mean
# (fewer than 25 cases: nothing trimmed). Level coefficients 0.8 (level 1),
# 1.0 (level 3). Bands (defaults): RW <= 1 -> k = 3; 1 < RW <= 2 -> k = 2;
# high when r >= k, points (1 + r - k) x base; low when r <= 0.4, points r x base.
#
# ES35 (RW 0.8, k 3): costs 2000 x 5, 14000 -> m = 24000 / 6 = 4000
#   E1-E3 H1 lv3  r 0.5  normal  base 0.8 x 100 x 1.0 = 80
#   E4-E5 H2 lv1  r 0.5  normal  base 0.8 x 100 x 0.8 = 64
#   E6    H1 lv3  r 3.5  high    80 x (1 + 3.5 - 3)   = 120
# GD15 (RW 1.5, k 2): costs 8250 x 4, 2000, 25000 -> m = 60000 / 6 = 10000
#   G1-G2 H1 lv3  r 0.825 normal base 150
#   G3-G4 H2 lv1  r 0.825 normal base 1.5 x 100 x 0.8 = 120
#   G5    H2 lv1  r 0.2   low    120 x 0.2            = 24
#   G6    H1 lv3  r 2.5   high   150 x (1 + 2.5 - 2)  = 225  (normal with the low band's k 3)
# FV25 (RW 1.0, k 3): F1 H2 lv1 cost 3000 = m  normal  100 x 0.8 = 80
# U1: Z99.999 is in no MDC -> 0000 UNGROUPABLE: no points, no DRG payment.
# Σ points: H1 = 3 x 80 + 120 + 2 x 150 + 225 = 885; H2 = 2 x 64 + 2 x 120 + 24 + 80 = 472;
# total 1357. Fund share = 43750 / 87500 = 0.5 (fund = cost / 2 on every row).
# Point value = (13570 / 0.5) / 1357 = 20 yuan/point; rate = 20 x 100 = 2000 yuan per RW.
# Institution payments = 1,357,000 fen x points / 1357: H1 885,000, H2 472,000.
# Case payments = points x 20 x 0.5 yuan = points x 1000 fen (E1 80,000 ... G6 225,000).
# CMI = mean RW of the grouped cases: H1 (4 x 0.8 + 3 x 1.5) / 7 = 1.1,
# H2 (2 x 0.8 + 3 x 1.5 + 1.0) / 6 = 1.18333333333 (U1 not grouped).
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
OUT=$TMP/drg_small.h5
rm -f "$OUT"
"$BIN" settle --config tests/golden/small/drg/drg.cfg --out "$OUT" --quiet
expect "cases: line|id|inst|drg|status|outlier|drg_points|drg_payment" \
    "$(h5cols "$OUT" /cases line case_id institution_id drg drg_status drg_outlier drg_points drg_payment_fen | tr '\n' ' ')" \
    "2|E1|H1|ES35|OK|normal|80|80000 3|E2|H1|ES35|OK|normal|80|80000 4|E3|H1|ES35|OK|normal|80|80000 \
5|E4|H2|ES35|OK|normal|64|64000 6|E5|H2|ES35|OK|normal|64|64000 7|E6|H1|ES35|OK|high|120|120000 \
8|G1|H1|GD15|OK|normal|150|150000 9|G2|H1|GD15|OK|normal|150|150000 10|G3|H2|GD15|OK|normal|120|120000 \
11|G4|H2|GD15|OK|normal|120|120000 12|G5|H2|GD15|OK|low|24|24000 13|G6|H1|GD15|OK|high|225|225000 \
14|F1|H2|FV25|OK|normal|80|80000 15|U1|H2|0000|UNGROUPABLE|normal|0|0 "
expect "institutions: id|level|cases|coef|cmi|drg_points|drg_payment|low|high|0000" \
    "$(h5cols "$OUT" /institutions institution_id level cases coefficient cmi drg_points drg_payment_fen \
        n_drg_low n_drg_high n_drg_0000 | tr '\n' ' ')" \
    "H1|3|7|1|1.1|885|885000|0|2|0 H2|1|7|0.8|1.18333333333|472|472000|1|0|1 "
expect "summary: grouped|0000|low|high|drg_budget|points_e4|payments|share|point_value|rate" \
    "$(h5cols "$OUT" /summary drg_grouped_cases drg_0000_cases drg_low_cases drg_high_cases drg_budget_fen \
        drg_points_e4 drg_payments_fen fund_share drg_point_value drg_rate)" \
    "13|1|1|2|1357000|13570000|1357000|0.5|20|2000"
# the DIP half settles the same cases on its own budget, by its own scores
expect "DIP payments = DIP budget" "$(h5cols "$OUT" /summary payments_fen)" "100000"
differ=$(h5cols "$OUT" /cases drg_payment_fen payment_fen | awk -F'|' '$1 != $2' | wc -l)
[ "$differ" -ge 13 ] && echo "ok: DIP and DRG case payments differ ($differ of 14 cases)" \
    || { echo "FAIL: DIP and DRG case payments differ on only $differ of 14 cases"; exit 1; }
# an export without the sex column: CHS-DRG cannot validate a case, so settle names the column at the
# header (exit 4), not "the total of DRG points is zero" after grouping every case into 0000
k=$(head -1 tests/golden/small/drg/input.csv | tr -d '\r' | tr ',' '\n' | grep -nx sex | cut -d: -f1)
cut -d, -f"$k" --complement tests/golden/small/drg/input.csv > "$TMP/drg_nosex.csv"
set +e
"$BIN" settle --config tests/golden/small/drg/drg.cfg --input "$TMP/drg_nosex.csv" --out "$TMP/drg_nosex.h5" --quiet 2> "$TMP/drg_nosex.err"
rc=$?
set -e
expect "no sex column, scheme both: exit 4" "$rc" 4
expect "no sex column: named at the header" "$(grep -c "drg_nosex.csv:1: missing required column 'sex'" "$TMP/drg_nosex.err")" 1
