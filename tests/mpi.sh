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
# case id: a row of the largest region (410101) repeated as the export's last row, so its first
# row is in an early part and the repeat in the last (the check runs over the joined slots).
# split_bytes = 1 splits every region; partial slices of 64 slots cross the parts.
# Rows of every part get the single-case supervision rules' conflicts (read-stage flags): a
# man with an obstetric principal diagnosis (R09), a newborn code at 30 years (R10).
# (an id a region has more than once is not lengthened: the duplicate-id rejects stay as they are)
awk -F, -v OFS=, -v rc="$RC" 'NR == FNR { if (FNR > 1) seen[$rc, $1]++; next }
    FNR == 1 { for (k = 1; k <= NF; k++) col[$k] = k }
    FNR > 1 && FNR % 37 == 0 && $1 != "" && seen[$rc, $1] == 1 { $1 = $1 "-a-long-case-id-of-the-split" }
    FNR > 1 && FNR % 41 == 0 { $col["sex"] = 1; $col["principal_dx"] = "O80.000" }
    FNR > 1 && FNR % 43 == 0 { $col["age_years"] = 30; $col["principal_dx"] = "P07.100" }
    { print }' "$D/export.csv" "$D/export.csv" > "$D/export-split.csv"
awk -F, -v rc="$RC" 'NR > 1 && $rc == "410101" && $1 != "" { print; exit }' "$D/export.csv" >> "$D/export-split.csv"
sed "s|$D/export.csv|$D/export-split.csv|" "$D/province.cfg" > "$D/split.cfg"
echo 'mpi = { split_bytes = 1; };' >> "$D/split.cfg"
export CASEMIX_TEST_SLICE_SHIFT=6
"$BIN" settle --config "$D/split.cfg" --out "$D/split1.h5" --threads 1 --quiet
eq "split: the repeated case id is one more reject" "$(grep -c 'duplicate case id' "$D/split1.rejects.csv")" \
    $(($(grep -c 'duplicate case id' "$D/serial.rejects.csv") + 1))
eq "split: the long case ids are in /cases" "$(h5dump -d /regions/410101/cases "$D/split1.h5" | grep -c 'a-long-case-id-of-the-split' | sed 's/^0$/none/; s/^[1-9][0-9]*$/some/')" some
r0910() { h5dump -d /regions/410101/rules "$1" | awk '/"R09"|"R10"/ { r = 1; n = 0 } r && ++n == 6 { printf "%s", $1; r = 0 }'; }
eq "split: R09 and R10 flag cases (read-stage flags in every part)" "$(r0910 "$D/split1.h5" | sed 's/[1-9][0-9]*,/some,/g')" "some,some,"
for np in 2 4; do
    mpirun $ROOT --oversubscribe -np $np "$MBIN" settle --config "$D/split.cfg" --out "$D/split$np.h5" --threads 1 --quiet \
        --timings "$D/split$np.json"
    eq "split np $np: every region was read by $np ranks" "$(grep -o '"split_regions":[0-9]*' "$D/split$np.json")" '"split_regions":10'
    eq "split np $np: every region's tables equal the unsplit run" "$(differ "$D/split1.h5" "$D/split$np.h5")" none
    eq "split np $np: the rejects CSV is the same" "$(md5sum < "$D/split$np.rejects.csv")" "$(md5sum < "$D/split1.rejects.csv")"
    eq "split np $np: no rank or part file left" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0
done
# the same without supervision (above, supervision is on: its /flags, /indicators, /review_sample compared)
sed 's/^mpi = .*/mpi = { split_bytes = 1; }; supervision = { enabled = false; };/' "$D/split.cfg" > "$D/splitnosup.cfg"
"$BIN" settle --config "$D/splitnosup.cfg" --out "$D/splitnosup1.h5" --threads 1 --quiet
mpirun $ROOT --oversubscribe -np 2 "$MBIN" settle --config "$D/splitnosup.cfg" --out "$D/splitnosup2.h5" --threads 1 --quiet \
    --timings "$D/splitnosup2.json"
eq "no supervision: every region split" "$(grep -o '"split_regions":[0-9]*' "$D/splitnosup2.json")" '"split_regions":10'
eq "no supervision: the tables equal the one-process run" "$(differ "$D/splitnosup1.h5" "$D/splitnosup2.h5")" none
unset CASEMIX_TEST_SLICE_SHIFT
[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
[ -n "${KEEP:-}" ] || rm -rf "$D"
