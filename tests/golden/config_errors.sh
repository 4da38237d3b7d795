#!/bin/sh
# config_errors.sh - a bad configuration stops the run before any work, with
# file:line, the key and what to do, and exit code 3; no output is written.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
D="$(pwd)/$TMP/cfgerr"
mkdir -p "$D"
CAT="$(pwd)/tests/golden/small/catalogue.csv"
IN="$(pwd)/tests/golden/small/input.csv"
# check NAME WANT_EXIT TEXT... ; the config comes on stdin; the bad line is line 5
check() {
    name=$1; want=$2; shift 2
    cat > "$D/$name.cfg"
    rm -f "$D/out.h5"
    set +e
    msg=$("$BIN" settle --config "$D/$name.cfg" --out "$D/out.h5" 2>&1 >/dev/null)
    rc=$?
    set -e
    expect "$name: exit code" "$rc" "$want"
    for text in "$@"; do
        case "$msg" in *"$text"*) echo "ok: $name: message has '$text'" ;;
            *) echo "FAIL: $name: message lacks '$text':"; echo "$msg"; exit 1 ;; esac
    done
    [ ! -f "$D/out.h5" ] || { echo "FAIL: $name: output written"; exit 1; }
}
check unknown_key 3 "unknown_key.cfg:5" "outliers.high" <<EOF2
dip = { catalogue = "$CAT"; };
input = { records = "$IN"; };
budget = { fund_budget = "100.00"; };
# the typo is on the next line
outliers = { hihg = 3.0; };
EOF2
check wrong_type 3 "wrong_type.cfg:5" "outliers.low" <<EOF2
dip = { catalogue = "$CAT"; };
input = { records = "$IN"; };
budget = { fund_budget = "100.00"; };
#
outliers = { low = "half"; };
EOF2
check contradictory 3 "contradictory.cfg:5" "low" <<EOF2
dip = { catalogue = "$CAT"; };
input = { records = "$IN"; };
budget = { fund_budget = "100.00"; };
#
outliers = { low = 3.0; high = 2.0; };
EOF2
check negative_budget 3 "negative_budget.cfg:5" "fund_budget" <<EOF2
dip = { catalogue = "$CAT"; };
input = { records = "$IN"; };
#
#
budget = { fund_budget = "-5.00"; };
EOF2
# above the one thread limit (CM_MAX_THREADS = 256): refused, never a crash
check threads_limit 3 "threads_limit.cfg:5" "threads" "out of range" <<EOF2
dip = { catalogue = "$CAT"; };
input = { records = "$IN"; };
budget = { fund_budget = "100.00"; };
#
threads = 300;
EOF2
check syntax 3 "syntax.cfg:5" <<EOF2
dip = { catalogue = "$CAT"; };
input = { records = "$IN"; };
budget = { fund_budget = "100.00"; };
#
outliers = { low = ; };
EOF2
check missing_table 3 "missing_table.cfg:5" "dip.group_stats" <<EOF2
input = { records = "$IN"; };
budget = { fund_budget = "100.00"; };
#
#
dip = { catalogue = "$CAT"; group_stats = "/nonexistent/group_stats.csv"; };
EOF2
# a missing table elsewhere: no word of ../shared/data
case "$msg" in *"../shared/data"*) echo "FAIL: missing_table: ../shared/data named for a path not through ../shared"; exit 1 ;;
    *) echo "ok: missing_table: ../shared/data not named for /nonexistent" ;; esac
# a fresh clone without ../shared beside it (config/example.cfg's relative paths): the message
# says where the published tables are expected
check missing_shared 3 "missing_shared.cfg:5" "dip.catalogue" "../shared/data/dip/catalogue.csv: No such file" \
    "the published tables are expected in ../shared/data, beside the repository" "README \"Using the real tables\"" <<EOF2
input = { records = "$IN"; };
budget = { fund_budget = "100.00"; };
#
#
dip = { catalogue = "../../shared/data/dip/catalogue.csv"; };
EOF2
head -3 tests/golden/small/catalogue.csv > "$D/dup_catalogue.csv"
sed -n 3p tests/golden/small/catalogue.csv | sed 's/^1,/9,/' >> "$D/dup_catalogue.csv"
check bad_catalogue 3 "dup_catalogue.csv:4" "K35.8" <<EOF2
dip = { catalogue = "$D/dup_catalogue.csv"; };
input = { records = "$IN"; };
budget = { fund_budget = "100.00"; };
EOF2
