#!/bin/sh
# mpi.sh - the MPI province driver (make MPI=1) equals the one-process run.
#
# The generated 10-region province (tests/province_gen.inc) settled by the
# serial ./casemix, then by casemix-mpi at 1 process, mpirun -np 2 and
# -np 4 --oversubscribe: every table of every /regions/<code> group, the
# /province_summary and /rejects tables (h5diff) and OUT.rejects.csv (bytes)
# are the same, and the groups' attributes but start_time, end_time and
# rejects_file (the output's name). Regions go to ranks by size: at 2 ranks the largest
# region is alone-ish on one rank, the output does not depend on it.
# Then simulate on the province at 1, 2 and 4 ranks (regions x scenarios over the ranks) equals
# the one-process simulate (every dataset and attribute).
# Run by tests/run.sh when mpirun exists (otherwise one SKIP line there).
set -eu
cd "$(dirname "$0")/.."
. tests/golden/lib.inc
command -v mpirun >/dev/null 2>&1 && command -v mpicc >/dev/null 2>&1 || {
    echo "SKIP: mpirun/mpicc not found (apt-get install libopenmpi-dev openmpi-bin; make deps)"; exit 77; }
# the MPI driver without sanitizers (under make asan, OpenMPI itself leaks at exit)
MAKEFLAGS= make -s MPI=1 SANITIZE=0 BUILD=build-mpi casemix >/dev/null || { echo "FAIL: make MPI=1 does not build"; exit 1; }
MBIN=$(pwd)/casemix-mpi
D=$(pwd)/$TMP/mpi
. tests/province_gen.inc
ROOT=""; [ "$(id -u)" = 0 ] && ROOT=--allow-run-as-root
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
# a region group's attributes, but those that name the output (rejects_file) or a time
attrs() {
    h5dump -A -g "/regions/$2" "$1" | awk '/^ *ATTRIBUTE "(start_time|end_time|rejects_file)"/ {skip = 1; next}
        /^ *(ATTRIBUTE|GROUP|DATASET)/ {skip = 0} /^HDF5/ {next} !skip'
}
# the tables of every region group, their attributes, /province_summary and /rejects of
# two files that differ ("none" when they are the same)
differ() {
    difs=""
    for code in $CODES; do
        for t in $(h5ls "$1/regions/$code" | awk '{print $1}'); do
            h5diff -q "$1" "$2" "/regions/$code/$t" "/regions/$code/$t" >/dev/null 2>&1 || difs="$difs $code/$t"
        done
        [ "$(attrs "$1" $code)" = "$(attrs "$2" $code)" ] || difs="$difs $code(attributes)"
    done
    for t in province_summary rejects; do
        h5diff -q "$1" "$2" /$t /$t >/dev/null 2>&1 || difs="$difs $t"
    done
    echo "${difs:-none}"
}
"$BIN" settle --config "$D/province.cfg" --out "$D/serial.h5" --threads 1 --quiet
for np in 1 2 4; do
    if [ $np = 1 ]; then "$MBIN" settle --config "$D/province.cfg" --out "$D/np$np.h5" --threads 1 --quiet
    else mpirun $ROOT --oversubscribe -np $np "$MBIN" settle --config "$D/province.cfg" --out "$D/np$np.h5" --threads 1 --quiet
    fi
    difs=$(differ "$D/serial.h5" "$D/np$np.h5"); [ "$difs" = none ] && difs=""
    eq "np $np: every region's tables, /province_summary, /rejects equal the one-process run" "${difs:-none}" none
    eq "np $np: the rejects CSV is the same" "$(md5sum < "$D/np$np.rejects.csv")" "$(md5sum < "$D/serial.rejects.csv")"
    eq "np $np: the file says its ranks" "$(h5dump -a /mpi_ranks "$D/np$np.h5" | grep -A1 'DATA {' | tail -1 | tr -d ' ')" "(0):$np"
    eq "np $np: no rank or split file left" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0
done
# A region split over the ranks (mpi.split_bytes) gives the bytes of the unsplit region. The
# export gets case ids over 23 bytes (the long-id side table crosses the parts) and a duplicate
# case id: a row of the largest region (410100) repeated as the export's last row, so its first
# row is in an early part and the repeat in the last (the check runs over the joined slots).
# split_bytes = 1 splits every region; partial slices of 64 slots cross the parts.
# Every 47th row spans two lines (a quoted newline in its last field, drawn_group, which the run
# does not read), so a part's first line is not its first record's index: the lines after it
# (rejects, notes, /cases) check the reader's line offset.
# Rows of every part get the single-case supervision rules' conflicts (read-stage flags): a
# man with an obstetric principal diagnosis (R09), a newborn code at 30 years (R10).
# (an id a region has more than once is not lengthened: the duplicate-id rejects stay as they are)
awk -F, -v OFS=, -v rc="$RC" 'NR == FNR { if (FNR > 1) seen[$rc, $1]++; next }
    FNR == 1 { for (k = 1; k <= NF; k++) col[$k] = k }
    FNR > 1 && FNR % 37 == 0 && $1 != "" && seen[$rc, $1] == 1 { $1 = $1 "-a-long-case-id-of-the-split" }
    FNR > 1 && FNR % 41 == 0 { $col["sex"] = 1; $col["principal_dx"] = "O80.000" }
    FNR > 1 && FNR % 43 == 0 { $col["age_years"] = 30; $col["principal_dx"] = "P07.100" }
    FNR > 1 && FNR % 47 == 0 { $NF = "\"" $NF "\n(two lines)\"" }
    { print }' "$D/export.csv" "$D/export.csv" > "$D/export-split.csv"
awk -F, -v rc="$RC" 'NR > 1 && $rc == "410100" && $1 != "" { print; exit }' "$D/export.csv" >> "$D/export-split.csv"
sed "s|$D/export.csv|$D/export-split.csv|" "$D/province.cfg" > "$D/split.cfg"
echo 'mpi = { split_bytes = 1; };' >> "$D/split.cfg"
export CASEMIX_TEST_SLICE_SHIFT=6
"$BIN" settle --config "$D/split.cfg" --out "$D/split1.h5" --threads 1 --quiet
eq "split: the repeated case id is one more reject" "$(grep -c 'duplicate case id' "$D/split1.rejects.csv")" \
    $(($(grep -c 'duplicate case id' "$D/serial.rejects.csv") + 1))
eq "split: the long case ids are in /cases" "$(h5dump -d /regions/410100/cases "$D/split1.h5" | grep -c 'a-long-case-id-of-the-split' | sed 's/^0$/none/; s/^[1-9][0-9]*$/some/')" some
r0910() { h5dump -d /regions/410100/rules "$1" | awk '/"R09"|"R10"/ { r = 1; n = 0 } r && ++n == 6 { printf "%s", $1; r = 0 }'; }
eq "split: R09 and R10 flag cases (read-stage flags in every part)" "$(r0910 "$D/split1.h5" | sed 's/[1-9][0-9]*,/some,/g')" "some,some,"
jnum() { grep -o "\"$1\":[0-9]*" "$2" | cut -d: -f2; }          # a number member of a timings file
jarr() { grep -o "\"$1\":\[[0-9,]*\]" "$2" | sed 's/.*\[//; s/\]//'; } # an array member, comma-separated
for np in 2 4; do
    mpirun $ROOT --oversubscribe -np $np "$MBIN" settle --config "$D/split.cfg" --out "$D/split$np.h5" --threads 1 --quiet \
        --timings "$D/split$np.json"
    eq "split np $np: every region was read by $np ranks" "$(grep -o '"split_regions":[0-9]*' "$D/split$np.json")" '"split_regions":10'
    eq "split np $np: every region's tables equal the unsplit run" "$(differ "$D/split1.h5" "$D/split$np.h5")" none
    eq "split np $np: the rejects CSV is the same" "$(md5sum < "$D/split$np.rejects.csv")" "$(md5sum < "$D/split1.rejects.csv")"
    eq "split np $np: no rank or part file left" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0
    # slots: every line of a split region is read by exactly one rank (a part carries no padding
    # slots for the lines before it): Σ over the ranks of the slots their parts produced = Σ of the
    # split regions' slots; the padded parts of before read Σ ≈ (np + 1) / 2 × that.
    eq "split np $np: each region's lines read once over the ranks (no padding slots)" \
        "$(jarr split_slots_read "$D/split$np.json" | awk -F, '{ s = 0; for (k = 1; k <= NF; k++) s += $k; print s }')" \
        "$(jnum split_slots_total "$D/split$np.json")"
    # a region's slots are its rows only (the line map; the padded region files of before gave
    # each region a slot per line of the export): Σ = the export's records to the regions
    # (the rows of export.csv, the repeated row, less the 3 rows of no configured region)
    eq "split np $np: the split regions' slots are their rows (no padding: line map)" \
        "$(jnum split_slots_total "$D/split$np.json")" "$(($(wc -l < "$D/export.csv") - 1 + 1 - 3))"
    # the gather path: the owner holds the whole region (the reductions design, mpisplit.c's
    # plan, brings the owner down to its part; then this check turns into "less than the region")
    eq "split np $np: the owner holds the whole region (gather path)" \
        "$(jarr split_slots_held "$D/split$np.json" | tr , '\n' | sort -n | tail -1)" "$(jnum split_slots_region "$D/split$np.json")"
done
# the same without supervision (above, supervision is on: its /flags, /indicators, /review_sample compared)
sed 's/^mpi = .*/mpi = { split_bytes = 1; }; supervision = { enabled = false; };/' "$D/split.cfg" > "$D/splitnosup.cfg"
"$BIN" settle --config "$D/splitnosup.cfg" --out "$D/splitnosup1.h5" --threads 1 --quiet
mpirun $ROOT --oversubscribe -np 2 "$MBIN" settle --config "$D/splitnosup.cfg" --out "$D/splitnosup2.h5" --threads 1 --quiet \
    --timings "$D/splitnosup2.json"
eq "no supervision: every region split" "$(grep -o '"split_regions":[0-9]*' "$D/splitnosup2.json")" '"split_regions":10'
eq "no supervision: the tables equal the one-process run" "$(differ "$D/splitnosup1.h5" "$D/splitnosup2.h5")" none
unset CASEMIX_TEST_SLICE_SHIFT
# simulate on the province (engine/provsim.c): regions x scenarios over the ranks. Five scenarios
# (identity, two price rounds, a settings change, a solve), so the kept categories differ between
# scenarios; the 10-region province keeps each region on one rank, a 3-region one (the largest
# region, 410100, with two small ones; the export's other rows are /rejects) cuts 410100's
# scenarios over 2 and 3 ranks (each unit repeats its read and baseline). Every dataset (h5diff)
# and every attribute equals the one-process simulate (the whole h5dump but its first line, then h5diff
# of each dataset to name those that differ; h5diff alone passes datasets of different lengths).
{ cat "$D/province.cfg"; cat <<'CFG'
simulate = { scenarios = (
  { name = "identity"; },
  { name = "prices"; policy = "fixed_point_value"; categories = { services = 1.10; lab = 0.8333; }; },
  { name = "drugs"; policy = "fixed_point_value"; categories = { western = 0.9; patent = 0.85; }; },
  { name = "high3"; settings = { outliers = { high = 3.0; }; }; },
  { name = "neutral"; policy = "fixed_point_value"; categories = { services = 1.10; };
    solve = { target = "fund"; categories = ["exam", "lab", "western"]; range = [0.5, 1.0]; }; }
); };
CFG
} > "$D/sim.cfg"
awk '/^regions = \(/ { print; keep = 1; next } keep && /^  (, )?\{ code = / { on = ($0 ~ /"410100"|"410200"|"410500"/) }
     keep && /^\);/ { keep = 0 } !keep || on { print }' "$D/sim.cfg" | sed -z 's/},\n);/}\n);/' > "$D/sim3.cfg"
# every dataset of two simulation files (h5diff) and their attributes: the names of those that differ
simdiffer() {
    difs=""
    [ "$(h5dump "$1" | sed 1d | md5sum)" = "$(h5dump "$2" | sed 1d | md5sum)" ] || difs=" (h5dump)"
    for t in $(h5ls -r "$1" | awk '$2 == "Dataset" {print $1}'); do
        [ -z "$difs" ] && break
        h5diff -q "$1" "$2" "$t" "$t" >/dev/null 2>&1 || difs="$difs $t"
    done
    # the objects and the datasets' lengths (h5diff -q says 0 for datasets of different lengths)
    difs="$difs$(h5ls -r "$1" > "$D/ls1.txt"; h5ls -r "$2" | diff - "$D/ls1.txt" | awk '/^[<>]/ && !seen[$2]++ {printf " %s(length)", $2}')"
    [ "$(h5dump -A "$1" | sed 1d)" = "$(h5dump -A "$2" | sed 1d)" ] || difs="$difs (attributes)"
    echo "${difs:-none}"
}
for cfg in sim sim3; do
    "$BIN" simulate --config "$D/$cfg.cfg" --out "$D/${cfg}serial.h5" --threads 1 --quiet
    for np in 1 2 4; do
        if [ $np = 1 ]; then "$MBIN" simulate --config "$D/$cfg.cfg" --out "$D/${cfg}np$np.h5" --threads 1 > "$D/${cfg}np$np.txt"
        else mpirun $ROOT --oversubscribe -np $np "$MBIN" simulate --config "$D/$cfg.cfg" --out "$D/${cfg}np$np.h5" \
            --threads 1 > "$D/${cfg}np$np.txt"
        fi
        eq "simulate $cfg np $np: every dataset and attribute equals the one-process simulate" \
            "$(simdiffer "$D/${cfg}serial.h5" "$D/${cfg}np$np.h5")" none
        eq "simulate $cfg np $np: no unit or split file left" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0
    done
done
eq "simulate sim3: 3 regions" "$(h5ls "$D/sim3serial.h5/regions" | awk '{printf "%s ", $1}')" "410100 410200 410500 "
eq "simulate sim3: 15 scenario rows" "$(h5dump -d /province_summary "$D/sim3serial.h5" | grep -c '"identity\|"prices\|"drugs\|"high3\|"neutral')" 15
units() { grep -o '[0-9]* units over [0-9]* ranks ([0-9]* region' "$1"; }
eq "simulate: the 10 regions each on one rank at np 4" "$(units "$D/simnp4.txt")" "10 units over 4 ranks (0 region"
eq "simulate sim3 np 2: 410100's scenarios cut over 2 ranks" "$(units "$D/sim3np2.txt")" "4 units over 2 ranks (1 region"
eq "simulate sim3 np 4: 410100's scenarios cut over 3 ranks" "$(units "$D/sim3np4.txt")" "5 units over 4 ranks (1 region"
eq "simulate sim3 np 4: 410100 on ranks 0,1,2" "$(grep -o 'region 410100 .*' "$D/sim3np4.txt" | grep -o '(rank.*)')" "(rank 0,1,2)"
# the rows of the 7 regions left out are /rejects: read = to the regions + rejected, against the export
rows=$(tail -n +2 "$D/export.csv" | grep -c .)
attr() { h5dump -a "/province_summary/$2" "$1" | grep -o '(0): [0-9]*' | sed 's/(0): //'; }
eq "simulate sim3: records_read = the export's rows" "$(attr "$D/sim3np2.h5" records_read)" "$rows"
eq "simulate sim3: read = to regions + rejected" \
    "$(($(attr "$D/sim3np2.h5" records_to_regions) + $(attr "$D/sim3np2.h5" records_rejected)))" "$rows"
eq "simulate sim3: /rejects lists the rows of no configured region" \
    "$(h5dump -d /rejects "$D/sim3np2.h5" | grep -c "not in the regions list\|empty region")" \
    "$(awk -F, -v rc="$RC" 'NR > 1 && /./ && $rc != "410100" && $rc != "410200" && $rc != "410500"' "$D/export.csv" | wc -l)"
# the README walkthrough (README "Province runs"): the generated province's own province.cfg,
# `mpirun -np 2 --oversubscribe ./casemix-mpi settle` as the README shows it (1 thread a rank, the
# threads attribute), equals the one-process run
"$BIN" gen --config config/demo.cfg --regions 3 --out "$D/readme" --quiet
"$BIN" settle --config "$D/readme/province.cfg" --out "$D/readme1.h5" --threads 1 --quiet
mpirun $ROOT -np 2 --oversubscribe "$MBIN" settle --config "$D/readme/province.cfg" --out "$D/readme2.h5" --threads 1 > "$D/readme2.txt" 2>&1
CODES=$(sed -n 's/^  { code = "\([0-9]*\)".*/\1/p' "$D/readme/province.cfg" | tr '\n' ' ')
eq "README province, np 2: every region's tables, /province_summary, /rejects equal the one-process run" \
    "$(differ "$D/readme1.h5" "$D/readme2.h5")" none
has "README province, np 2: the terminal says the ranks" "$(cat "$D/readme2.txt")" "MPI ranks settle their regions"
[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
[ -n "${KEEP:-}" ] || rm -rf "$D"
