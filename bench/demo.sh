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
echo "Open it: h5dump -H build/demo/settlement-410400-2025Q1.h5   (structure)"
echo "         python3 -c \"import h5py; f = h5py.File('build/demo/settlement-410400-2025Q1.h5'); print(f['summary'][:])\""
echo "         (h5py: Debian package python3-h5py; pandas.DataFrame(f['cases'][:]) gives a table)"
"$BIN" export build/demo/settlement-410400-2025Q1.h5 --xlsx build/demo/settlement-410400-2025Q1.xlsx --quiet
echo
echo "Excel / WPS workbook (summary, institutions, groups, DRGs, rejects; money in yuan, codes as text):"
echo "         build/demo/settlement-410400-2025Q1.xlsx   (casemix export; --csv DIR for CSV files)"
"$BIN" report build/demo/settlement-410400-2025Q1.h5 --out build/demo/settlement-410400-2025Q1.html --quiet
echo
echo "Report (one HTML file: charts, no network; open it in a browser, print it on A4):"
echo "         build/demo/settlement-410400-2025Q1.html   (casemix report)"

echo
echo "Policy simulation (政策模拟) of the demo's scenarios identity, reprice, reprice_neutral, reprice_items (config/demo.cfg):"
"$BIN" simulate --config "$CFG"
echo
echo "Simulation file: build/demo/settlement-410400-2025Q1.simulation.h5   (/scenarios/NAME/{summary,groups,institutions,measurement})"
