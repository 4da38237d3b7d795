#!/bin/sh
# demo.sh - `make demo`: generate the seeded demo region (once), settle it and
# run its policy simulation scenarios (casemix simulate).
# Prints the settlement summary and the path of the HDF5 file, then writes
# the report (casemix report: one HTML file) and the workbook (casemix export
# --xlsx) and prints their paths.
set -e
cd "$(dirname "$0")/.."
BIN=${CASEMIX_BIN:-./casemix}
CFG=config/demo.cfg
if [ ! -f build/demo/current.csv ] || [ ! -f build/demo/fees.csv ] || [ config/demo.cfg -nt build/demo/current.csv ] || [ "$BIN" -nt build/demo/current.csv ]; then
    echo "generating the demo region (seeded; same seed, same bytes) ..."
    "$BIN" gen --config "$CFG" --out build/demo --fees
    echo
fi
"$BIN" settle --config "$CFG"
echo
echo "Open it: h5dump -H build/demo/settlement-410400-2025.h5   (structure)"
echo "         python3 -c \"import h5py; f = h5py.File('build/demo/settlement-410400-2025.h5'); print(f['summary'][:])\""
echo "         (h5py: Debian package python3-h5py; pandas.DataFrame(f['cases'][:]) gives a table)"
echo
echo "Policy simulation (政策模拟) of the demo's scenarios identity, reprice, reprice_neutral, reprice_items (config/demo.cfg):"
"$BIN" simulate --config "$CFG"
D=build/demo/settlement-410400-2025
"$BIN" export $D.h5 --xlsx $D.xlsx --quiet
"$BIN" report $D.h5 --out $D.html --quiet
"$BIN" report $D.simulation.h5 --out $D.simulation.html --quiet
echo
echo "A province (省级多统筹区) to try next (README \"Province runs\", walkthrough):"
echo "  $BIN gen --config $CFG --regions 3 --out build/province"
echo "  $BIN settle --config config/example-province.cfg"
echo
echo "Files of the demo:"
echo "  settlement (HDF5)        $D.h5"
echo "  simulation (HDF5)        $D.simulation.h5   (/scenarios/NAME/{summary,groups,institutions,measurement})"
echo "  simulation report        $D.simulation.html"
echo "  Excel / WPS workbook     $D.xlsx   (casemix export; money in yuan, codes as text; --csv DIR for CSV)"
echo "  report (HTML, A4)        $D.html   (casemix report: charts, no network; open it in a browser)"
