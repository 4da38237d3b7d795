#!/bin/sh
# indicators.sh - institution indicators, peer percentiles, rating, budget
# progress and growth, worked by hand (tests/golden/indicators/).
#
# Three level-2 institutions, coefficients 1, catalogue K35.8 (score 500,
# mean fee 5000) and K80:SS (2000, 20000):
#   H1: C1 K35.8 5000 yuan LOS 5, C2 K35.8 6000 LOS 7, C3 K80:SS 20000 LOS 10
#   H2: C4 K35.8 4000 LOS 4, C5 K80:SS 18000 LOS 8, C6 K80:SS 22000 LOS 12
#   H3: C7 K35.8 2000 LOS 3 (ratio 0.4: low cost outlier)
# Region K35.8: 4 cases, 17000 yuan (mean 4250), LOS 19 (4.75); K80:SS: 3
# cases, 60000 (20000), LOS 30 (10).
# Cost index H1 = [2 x 5500/4250 + 20000/20000] / 3 = 61/51 = 1.19607843137;
#   H2 = [4000/4250 + 2] / 3 = 0.980392156863; H3 = 2000/4250 = 0.470588235294.
# Time index H1 = [2 x 6/4.75 + 1] / 3 = 1.17543859649; H2 = [4/4.75 + 2] / 3
#   = 0.947368421053; H3 = 3/4.75 = 0.631578947368.
# CMI (score before coefficients) H1 (500+500+2000)/3 = 1000, H2 1500, H3 500.
# Percentiles ("mean", n = 3): lowest 16.67, middle 50, highest 83.33; ties
# share: cost_outlier_rate H1 = H2 = 0 -> 33.33, H3 83.33 (high).
# Rating (min_count 0 in region.cfg; rules not run: rule rates not
# evaluated; weights in force cost_index 5, time_index 5, cost_outlier_rate
# 5, blank_rate 5: W = 20): H1 high on both indices -> 10/20 = 50 不达标;
# H2 none -> 100 优秀; H3 high on the outlier rate -> 15/20 = 75 合格.
# Budget (period 2025Q2: half the year elapsed): points H1 3000, H2 4500, H3
# 200 (C7 500 x 0.4); 1,000,000 fen shared: H1 389610.39 -> 389610, H2
# 584415.58 -> 584416 (largest remainder), H3 25974. Progress H1 3896.10 /
# 40000 = 0.0974025, gap -0.4025975; H2 5844.16 / 1,000,000 = 0.00584416;
# region (institutions with a target) 9740.26 / 1,040,000 = 0.00936563461538.
# Previous period (previous.csv: the same without C2): H1 per-case cost
# 12500, CMI 1250 -> growth (10333.33 - 12500) / 12500 = -0.173333333333
# and -0.2; fund ratio 0.7 both times -> shift 0 points.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D=$(pwd)/tests/golden/indicators
TMP=$(cd "$TMP" && pwd)
OUT=$TMP/indicators.h5
# mkcfg OUT.cfg TARGETS [MORE]: region.cfg with absolute paths, another targets file, more supervision keys
mkcfg() {
    sed -e "s|\"input.csv\"|\"$D/input.csv\"|; s|\"catalogue.csv\"|\"$D/catalogue.csv\"|; s|\"group_stats.csv\"|\"$D/group_stats.csv\"|; s|\"proc_attributes.csv\"|\"$D/proc_attributes.csv\"|; s|targets = \"targets.csv\";|targets = \"$D/$2\"; ${3:-}|" \
        "$D/region.cfg" > "$1"
}
rm -f "$OUT"
log=$("$BIN" settle --config "$D/region.cfg" --out "$OUT" --threads 1)
has "summary names the institution rated 不达标" "$log" "rated 不达标 (fail), score below 60 of 100"
# H1 lost cost_index's and time_index's 5 of W = 20 each (100 x 5 / 20 = 25 points), both high outliers
has "不达标: the indicators that cost the points, English and Chinese" "$log" \
    "    H1 (50.0): -25.0 cost_index cost-consumption index 费用消耗指数 (high), -25.0 time_index time-consumption index 时间消耗指数 (high)"
has "summary counts the ratings" "$log" "1 优秀 excellent, 0 良好 good, 1 合格 pass, 1 不达标 fail"
eq "institutions: rating, rating_score" \
    "$(h5cols "$OUT" /institutions institution_id rating rating_score | tr '\n' ' ')" \
    "H1|fail|50 H2|excellent|100 H3|pass|75 "
ind() { h5cols "$OUT" /indicators institution_id indicator "$@" ; }
eq "consumption indices, percentiles, outliers, points" \
    "$(ind value peer_percentile outlier points | grep -E '\|(cost|time)_index\|' | tr '\n' ' ')" \
    "H1|cost_index|1.19607843137|83.3333333333|high|0 H1|time_index|1.17543859649|83.3333333333|high|0 H2|cost_index|0.980392156863|50|none|25 H2|time_index|0.947368421053|50|none|25 H3|cost_index|0.470588235294|16.6666666667|low|25 H3|time_index|0.631578947368|16.6666666667|low|25 "
eq "cost-outlier rate: ties share a percentile" \
    "$(ind value peer_percentile outlier points | grep '|cost_outlier_rate|' | tr '\n' ' ')" \
    "H1|cost_outlier_rate|0|33.3333333333|none|25 H2|cost_outlier_rate|0|33.3333333333|none|25 H3|cost_outlier_rate|1|83.3333333333|high|0 "
eq "CMI before coefficients, region value" \
    "$(ind value region_value | grep '|cmi|' | tr '\n' ' ')" \
    "H1|cmi|1000|1142.85714286 H2|cmi|1500|1142.85714286 H3|cmi|500|1142.85714286 "
eq "rule rates without the rules: not evaluated, not zero" \
    "$(ind evaluated value outlier | grep -E '^H1\|r0[1-8]_rate' | tr '\n' ' ')" \
    "H1|r01_rate|0|nan|not_ranked H1|r02_rate|0|nan|not_ranked H1|r04_rate|0|nan|not_ranked H1|r05_rate|0|nan|not_ranked H1|r06_rate|0|nan|not_ranked H1|r07_rate|0|nan|not_ranked H1|r08_rate|0|nan|not_ranked "
eq "budget progress against the targets, gap to the half year" \
    "$(ind evaluated value region_value | grep -E '\|budget_' | tr '\n' ' ')" \
    "H1|budget_progress|1|0.0974025|0.00936563461538 H1|budget_gap|1|-0.4025975|-0.490634365385 H2|budget_progress|1|0.00584416|0.00936563461538 H2|budget_gap|1|-0.49415584|-0.490634365385 H3|budget_progress|0|nan|0.00936563461538 H3|budget_gap|0|nan|-0.490634365385 "
eq "/indicator_names in UTF-8" \
    "$(h5dump -d /indicator_names -y "$OUT" | perl -pe 's/\\(37777777[0-7]{3})/chr(oct($1) & 255)/ge' | grep -c 'cost_index | cost-consumption index | 费用消耗指数')" "1"
# 2 threads: the same tables
"$BIN" settle --config "$D/region.cfg" --out "$TMP/indicators2.h5" --threads 2 --quiet
if h5diff "$OUT" "$TMP/indicators2.h5" /indicators >/dev/null && h5diff "$OUT" "$TMP/indicators2.h5" /institutions >/dev/null; then
    ok "1 and 2 threads: /indicators and /institutions identical"
else bad "1 and 2 threads differ"; fi
# growth against a previous settlement file (supervision.previous)
"$BIN" settle --config "$D/region.cfg" --input "$D/previous.csv" --out "$TMP/indicators_prev.h5" --quiet
mkcfg "$TMP/indicators_prev.cfg" targets.csv "previous = \"$TMP/indicators_prev.h5\";"
"$BIN" settle --config "$TMP/indicators_prev.cfg" --out "$OUT" --quiet
eq "growth against the previous period" \
    "$(ind previous_value growth | grep -E '^H1\|(cost_per_case|cmi|fund_ratio)\|' | tr '\n' ' ')" \
    "H1|cost_per_case|12500|-0.173333333333 H1|fund_ratio|0.7|0 H1|cmi|1250|-0.2 "
# the same previous values from the newest history year (no supervision.previous)
mkcfg "$TMP/indicators_hist.cfg" targets.csv
printf 'history = ( { year = 2024; file = "%s/previous.csv"; } );\noutliers = { standard_cost = "level_mean"; };\n' "$D" \
    >> "$TMP/indicators_hist.cfg"
"$BIN" settle --config "$TMP/indicators_hist.cfg" --out "$OUT" --quiet
eq "growth against the newest history year" \
    "$(ind previous_value growth | grep -E '^H1\|(cost_per_case|cmi|fund_ratio)\|' | tr '\n' ' ')" \
    "H1|cost_per_case|12500|-0.173333333333 H1|fund_ratio|0.7|0 H1|cmi|1250|-0.2 "
eq "newest history year: cost-outlier rate not evaluated" \
    "$(ind previous_value | grep -E '^H1\|cost_outlier_rate\|')" "H1|cost_outlier_rate|nan"
# a bad targets file stops the run before any work, with file:line
mkcfg "$TMP/indicators_bad.cfg" bad_targets.csv
rm -f "$TMP/indicators_bad.h5"
set +e
msg=$("$BIN" settle --config "$TMP/indicators_bad.cfg" --out "$TMP/indicators_bad.h5" 2>&1); rc=$?
set -e
eq "bad targets: exit 3" "$rc" "3"
has "bad targets: file:line" "$msg" "bad_targets.csv:3: annual_target 'abc'"
[ ! -e "$TMP/indicators_bad.h5" ] && ok "bad targets: no output" || bad "bad targets: an output was written"
# settings: a weight of an unknown indicator, an unknown key of a nested group, cut-offs out of order
for case in 'weights = "r99_rate = 5";|supervision.rating.weights|r99_rate' \
            'excellent = 70.0;|supervision.rating|pass <= good <= excellent' \
            'heigh_cut = 70.0;|supervision.rating.heigh_cut|unknown key'; do
    kv=${case%%|*}; rest=${case#*|}; key=${rest%%|*}; want=${rest#*|}
    mkcfg "$TMP/indicators_key.cfg" targets.csv "rating = { $kv };"
    set +e
    msg=$("$BIN" settle --config "$TMP/indicators_key.cfg" --out "$TMP/indicators_key.h5" 2>&1); rc=$?
    set -e
    eq "setting $kv: exit 3" "$rc" "3"
    has "setting $kv: names the key" "$msg" "$key"
    has "setting $kv: says what" "$msg" "$want"
    has "setting $kv: file:line" "$msg" "indicators_key.cfg:"
done
[ "$fails" -eq 0 ] || { echo "$fails check(s) failed:$failed"; exit 1; }
