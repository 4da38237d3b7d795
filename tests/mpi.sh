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
make -s MPI=1 BUILD=build-mpi casemix >/dev/null || { echo "FAIL: make MPI=1 does not build"; exit 1; }
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
"$BIN" settle --config "$D/province.cfg" --out "$D/serial.h5" --threads 1 --quiet
for np in 1 2 4; do
    if [ $np = 1 ]; then "$MBIN" settle --config "$D/province.cfg" --out "$D/np$np.h5" --threads 1 --quiet
    else mpirun $ROOT --oversubscribe -np $np "$MBIN" settle --config "$D/province.cfg" --out "$D/np$np.h5" --threads 1 --quiet
    fi
    difs=""
    for code in $CODES; do
        for t in $(h5ls "$D/serial.h5/regions/$code" | awk '{print $1}'); do
            h5diff -q "$D/serial.h5" "$D/np$np.h5" "/regions/$code/$t" "/regions/$code/$t" >/dev/null 2>&1 || difs="$difs $code/$t"
        done
        [ "$(attrs "$D/serial.h5" $code)" = "$(attrs "$D/np$np.h5" $code)" ] || difs="$difs $code(attributes)"
    done
    for t in province_summary rejects; do
        h5diff -q "$D/serial.h5" "$D/np$np.h5" /$t /$t >/dev/null 2>&1 || difs="$difs $t"
    done
    eq "np $np: every region's tables, /province_summary, /rejects equal the one-process run" "${difs:-none}" none
    eq "np $np: the rejects CSV is the same" "$(md5sum < "$D/np$np.rejects.csv")" "$(md5sum < "$D/serial.rejects.csv")"
    eq "np $np: the file says its ranks" "$(h5dump -a /mpi_ranks "$D/np$np.h5" | grep -A1 'DATA {' | tail -1 | tr -d ' ')" "(0):$np"
    eq "np $np: no rank or split file left" "$(ls "$D" | grep -c '\.tmp\.' || true)" 0
done
[ $fails -eq 0 ] || { echo "$fails failed:$failed"; exit 1; }
[ -n "${KEEP:-}" ] || rm -rf "$D"
