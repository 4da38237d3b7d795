#!/bin/sh
# settle_small.sh - a DIP settlement small enough to work out by hand.
#
# Catalogue (tests/golden/small): K35.8 score 500 (mean fee 5000), K35.8:47.0100
# score 1000 (10000), K80:SS score 2000 (20000), KBBZ score 800 (8000).
# Level coefficients 0.8 (level 1) and 1.0 (level 3). Standard cost = group
# mean fee × coefficient; outliers 0.5 / 2.0 / 5.0; blank factor 0.7.
#
#  line case inst lv group          cost     std      ratio  class   score
#  2    C1   H1   3  K35.8           5000     5000    1.00   normal  500 × 1.0           =  500
#  3    C2   H1   3  K35.8:47.0100  25000    10000    2.50   high   1000 × (2.5-2+1)     = 1500
#  4    C3   H2   1  K35.8           1000     4000    0.25   low     500 × 0.8 × 0.25    =  100
#  5    C4   H2   1  K80:SS (SS)    16000    16000    1.00   normal 2000 × 0.8           = 1600
#  6    C5   H2   1  KBBZ (R99)      3200     6400    0.50   blank   800 × 0.8 × 0.7×0.5 =  224
#  7    C6   rejected: total_cost "abc"
#  8    C1   rejected: duplicate of line 2
# Σ score = 2000 (H1) + 1924 (H2) = 3924; fund share = 25100 / 50200 = 0.5;
# point value = (10000 / 0.5) / 3924 = 5.0968399... yuan/point.
# Institutions (fen): H1 = 1,000,000 × 2000/3924 = 509683.995 -> 509683 + 1
# (largest remainder) = 509684; H2 = 490316.004 -> 490316. Σ = 1,000,000.
# Cases in H1 (weights 500:1500): 127421, 382263. In H2 (100:1600:224):
# 25484.199, 407747.193, 57084.606 -> floors sum 490315; +1 to C5 -> 57085.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
OUT=$TMP/small.h5
rm -f "$OUT"
"$BIN" settle --config tests/golden/small/small.cfg --out "$OUT" --quiet
expect "institutions: id|level|cases|cost|fund|score|coef|payment" \
    "$(h5cols "$OUT" /institutions institution_id level cases total_cost_fen fund_paid_fen total_score coefficient payment_fen | tr '\n' ' ')" \
    "H1|3|2|3000000|1500000|2000|1|509684 H2|1|3|2020000|1010000|1924|0.8|490316 "
expect "cases: line|id|group|path|outlier|ratio|score|payment" \
    "$(h5cols "$OUT" /cases line case_id dip_group match_path outlier cost_ratio score payment_fen | tr '\n' ' ')" \
    "2|C1|K35.8|dx_only|normal|1|500|127421 3|C2|K35.8:47.0100|dx_main|high|2.5|1500|382263 4|C3|K35.8|dx_only|low|0.25|100|25484 5|C4|K80:SS|comprehensive|normal|1|1600|407747 6|C5|KBBZ|blank|normal|0.5|224|57085 "
expect "rejects: line|case|field" \
    "$(h5rows "$OUT" /rejects | cut -d'|' -f1-3 | tr '\n' ' ')" \
    "7|C6|total_cost 8|C1|case_id "
expect "summary: read|cases|rejects|dups|blank|low|high|special|budget|cost|fund|score_e4|payments" \
    "$(h5cols "$OUT" /summary records_read cases rejects duplicate_case_ids blank_cases low_cases high_cases \
        special_review_cases fund_budget_fen total_cost_fen fund_paid_fen total_score_e4 payments_fen)" \
    "7|5|2|1|1|1|1|0|1000000|5020000|2510000|39240000|1000000"
expect "point value" "$(h5cols "$OUT" /summary point_value | cut -c1-12)" "5.0968399592"
# an output file is complete or absent: no temporary file left behind
expect "no temporary files" "$(ls "$TMP" | grep -c '\.tmp\.' || true)" "0"
