#!/bin/sh
# drg_age_days.sh - issue 9.1, "done when": exports fill 年龄(天) (age_days)
# with the age in days for every patient. The 2,000 CHS-DRG golden records
# (golden_2k.csv leaves age_days empty for adults) get age_days = the age in
# days (age_years x 365 + leap days + a day of the year drawn per record) on
# every record that has none; `casemix group --scheme drg` must still give
# the expected status, MDC, ADRG and DRG on all 2,000 (the grouper reads
# age_days only at age 0, RULES.md §0), reject none, and note none (the
# filled ages agree with age_years, so no age_mismatch). Then the same with
# a few ages in days that disagree with age_years: grouped the same, each
# with an age_days note in the quality column.
set -eu
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
need_real chs-drg-1.1
D=$(pwd)/$TMP/drg_age_days
mkdir -p "$D"
cat > "$D/drg.cfg" <<EOF2
region = "T"; period = "T"; scheme = "drg";
drg = { tables = "$DATA/chs-drg-1.1"; };
EOF2
G=$DATA/chs-drg-1.1/golden_2k.csv
python3 - "$G" "$D/filled.csv" "$D/off.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
cols = ["record_id", "sex", "age_years", "age_days", "birth_weight_g", "principal_dx", "other_dx", "procedures"]
filled = off = 0
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f, open(sys.argv[3], "w", encoding="utf-8", newline="") as g:
    w, v = csv.writer(f), csv.writer(g)
    w.writerow(cols); v.writerow(cols)
    for i, r in enumerate(rows):
        y = r["age_years"]
        if r["age_days"] == "" and y != "":
            y = int(y)
            r["age_days"] = str(y * 365 + y // 4 + (i * 53) % 365)
            filled += 1
        w.writerow([r[c] for c in cols])
        if i % 97 == 0 and y != "" and int(y) > 0:   # about 20 adults: 3 years younger in days
            r["age_days"] = str(max(0, (int(y) - 3) * 365)); off += 1
        v.writerow([r[c] for c in cols])
print(f"age_days filled on {filled} of {len(rows)} records; {off} set 3 years off")
open(sys.argv[3] + ".n", "w").write(str(off))
PY
check() { # CSV: status, MDC, ADRG, DRG of all 2,000 as expected; prints the records with a note
python3 - "$G" "$1" <<'PY'
import csv, sys
want = {r["record_id"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
got = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
bad = [g for g in got if (g["status"], g["mdc"], g["adrg"], g["drg"]) !=
       tuple(want[g["case_id"]][k] for k in ("expected_status", "expected_mdc", "expected_adrg", "expected_drg"))]
print(f"{len(got) - len(bad)} of {len(want)} records agree on status, MDC, ADRG and DRG")
for g in bad[:10]: print("  differs:", g)
notes = [g["case_id"] for g in got if g["quality"]]
for g in got:
    if g["quality"] and not g["quality"].startswith("age_days: "): print("  unexpected note:", g); bad.append(g)
print("notes:", len(notes))
sys.exit(0 if len(got) == len(want) == 2000 and not bad else 1)
PY
}
"$BIN" group --scheme drg --config "$D/drg.cfg" --input "$D/filled.csv" --out "$D/filled.out.csv" --quiet
out=$(check "$D/filled.out.csv") || { echo "FAIL: age_days filled"; echo "$out"; exit 1; }
echo "$out"
expect "age_days filled: no quality note (ages agree)" "$(echo "$out" | tail -n 1)" "notes: 0"
"$BIN" group --scheme drg --config "$D/drg.cfg" --input "$D/off.csv" --out "$D/off.out.csv" --quiet
out=$(check "$D/off.out.csv") || { echo "FAIL: age_days off by 3 years"; echo "$out"; exit 1; }
expect "age_days 3 years off: grouped the same, one age_days note each" "$(echo "$out" | tail -n 1)" "notes: $(cat "$D/off.csv.n")"
