#!/bin/sh
# outputs.sh - each command its own output, never a file of another kind
# (README "Commands", issue 9 point 10). On a small generated region whose
# configuration names output.file = settle.h5:
#  - settle without --out writes settle.h5 (casemix_kind "settlement");
#  - calibrate without --out writes settle.calibration.h5 (casemix_kind
#    "calibration") and settle.calibration.catalogue.csv, and does not
#    touch settle.h5;
#  - settle --out onto the calibration, onto a plain text file, onto an HDF5
#    file casemix did not write, onto a directory: exit 5 before any work
#    (even with a missing input), a message naming the file, what it is and
#    what to do; the file unchanged, nothing left beside it;
#  - calibrate --out onto the settlement: exit 5, unchanged;
#  - group --out onto a settlement or onto its own input CSV: exit 5;
#  - re-running settle / calibrate / group replaces their own earlier file.
set -u
cd "$(dirname "$0")/../.."
. tests/golden/lib.inc
case $TMP in /*) D=$TMP/outputs.$$ ;; *) D=$(pwd)/$TMP/outputs.$$ ;; esac
rm -rf "$D"; mkdir -p "$D"
R=$(pwd)
sed -e "s|\.\./build/demo/settlement-410400-2025.h5|$D/settle.h5|" -e "s|\.\./build/demo/|$D/|g" \
    -e "s|\"demo/|\"$R/config/demo/|g" -e 's|scheme = "both"|scheme = "dip"|' config/demo.cfg > "$D/region.cfg"
"$BIN" gen --config "$D/region.cfg" --out "$D" --cases 3000 --history-cases 2000 --bad-rows 0 --quiet \
    || { echo "FAIL: gen"; exit 1; }

kind() { h5dump -a /casemix_kind "$1" 2>/dev/null | grep -o '"[a-z-]*"' | tr -d '"'; }
sum() { sha256sum < "$1"; }
left() { for f in "$1".tmp.*; do [ -e "$f" ] && printf '%s ' "$f"; done; }
# refused NAME FILE WANT_TEXT CMD...: exit 5, message names FILE and says
# WANT_TEXT and what to do; FILE unchanged; no temporary file beside it.
refused() {
    n=$1; f=$2; t=$3; shift 3
    before=$(if [ -d "$f" ]; then ls -A "$f"; else sum "$f"; fi)
    msg=$("$@" 2>&1 >/dev/null); rc=$?
    after=$(if [ -d "$f" ]; then ls -A "$f"; else sum "$f"; fi)
    if [ "$rc" = 5 ] && case "$msg" in *"$f: $t"*"pass --"*"remove"*) true ;; *) false ;; esac; then
        ok "$n: exit 5, '$f: $t'"
    else
        bad "$n" "got: exit $rc, message: $msg" "want: exit 5, '$f: $t', --out ... remove"
    fi
    [ "$before" = "$after" ] && ok "$n: file unchanged" || bad "$n: $f was changed"
    eq "$n: nothing left beside it" "$(left "$f")" ""
}

echo "== each command its own default file"
"$BIN" settle --config "$D/region.cfg" --quiet; eq "settle: exit 0" "$?" 0
eq "settle wrote output.file, kind settlement" "$(kind "$D/settle.h5")" settlement
S1=$(sum "$D/settle.h5")
"$BIN" calibrate --config "$D/region.cfg" --quiet; eq "calibrate: exit 0" "$?" 0
eq "calibrate wrote <stem>.calibration.h5, kind calibration" "$(kind "$D/settle.calibration.h5")" calibration
[ -s "$D/settle.calibration.catalogue.csv" ] && ok "calibrate: side file follows its output's name" \
    || bad "calibrate: no $D/settle.calibration.catalogue.csv"
[ ! -e "$D/settle.catalogue.csv" ] && ok "calibrate: no side file under the settlement's name" \
    || bad "calibrate wrote settle.catalogue.csv"
eq "calibrate did not touch the settlement" "$(sum "$D/settle.h5")" "$S1"
C1=$(sum "$D/settle.calibration.h5")

echo "== never over a file of another kind (exit 5, before any work)"
refused "settle over the calibration" "$D/settle.calibration.h5" "is a casemix calibration file" \
    "$BIN" settle --config "$D/region.cfg" --out "$D/settle.calibration.h5" --quiet
refused "settle over it, input missing: refused first" "$D/settle.calibration.h5" "is a casemix calibration file" \
    "$BIN" settle --config "$D/region.cfg" --input "$D/no-such-input.csv" --out "$D/settle.calibration.h5" --quiet
printf 'my notes\n' > "$D/notes.txt"
refused "settle over a text file" "$D/notes.txt" "is not an HDF5 file" \
    "$BIN" settle --config "$D/region.cfg" --out "$D/notes.txt" --quiet
h5copy -i "$D/settle.h5" -o "$D/other.h5" -s /summary -d /summary
refused "settle over an HDF5 file casemix did not write" "$D/other.h5" "is an HDF5 file that casemix did not write" \
    "$BIN" settle --config "$D/region.cfg" --out "$D/other.h5" --quiet
mkdir -p "$D/adir"
refused "settle over a directory" "$D/adir" "is a directory" \
    "$BIN" settle --config "$D/region.cfg" --out "$D/adir" --quiet
refused "calibrate over the settlement" "$D/settle.h5" "is a casemix settlement file" \
    "$BIN" calibrate --config "$D/region.cfg" --out "$D/settle.h5" --quiet
[ ! -e "$D/settle.catalogue.csv" ] && ok "refused calibrate wrote no side file" || bad "refused calibrate wrote its CSV"
printf 'my catalogue notes\n' > "$D/mine.catalogue.csv"
refused "calibrate over a catalogue CSV casemix did not write" "$D/mine.catalogue.csv" "is another file, not one casemix wrote" \
    "$BIN" calibrate --config "$D/region.cfg" --out "$D/mine.h5" --quiet
[ ! -e "$D/mine.h5" ] && ok "refused calibrate wrote no HDF5 file" || bad "refused calibrate wrote mine.h5"
printf 'my rejects notes\n' > "$D/mine2.rejects.csv"
refused "settle over a rejects CSV casemix did not write" "$D/mine2.rejects.csv" "is another file, not one casemix wrote" \
    "$BIN" settle --config "$D/region.cfg" --out "$D/mine2.h5" --quiet
printf 'my timings\n' > "$D/mine.json"
refused "settle --timings over a file casemix did not write" "$D/mine.json" "is another file, not one casemix wrote" \
    "$BIN" settle --config "$D/region.cfg" --out "$D/mine3.h5" --timings "$D/mine.json" --quiet
[ ! -e "$D/mine3.h5" ] && ok "refused settle wrote no HDF5 file" || bad "refused settle wrote mine3.h5"
mkdir -p "$D/export"
printf '结算ID,定点医药机构编码\nA1,H1\n' > "$D/export/current.csv"
refused "gen over a real export" "$D/export/current.csv" "is another file, not one casemix wrote" \
    "$BIN" gen --config "$D/region.cfg" --out "$D/export" --cases 10 --history-cases -1 --quiet
"$BIN" gen --config "$D/region.cfg" --out "$D/gen2" --cases 10 --history-cases -1 --quiet &&
    "$BIN" gen --config "$D/region.cfg" --out "$D/gen2" --cases 10 --history-cases -1 --quiet
eq "gen replaces its own earlier files" "$?" 0
refused "group over the settlement" "$D/settle.h5" "is another file" \
    "$BIN" group --scheme dip --config "$D/region.cfg" --input "$D/current.csv" --out "$D/settle.h5" --quiet
refused "group over its own input" "$D/current.csv" "is another file" \
    "$BIN" group --scheme dip --config "$D/region.cfg" --input "$D/current.csv" --out "$D/current.csv" --quiet

echo "== a re-run replaces its own output"
i0=$(stat -c %i "$D/settle.h5")
"$BIN" settle --config "$D/region.cfg" --quiet; eq "settle again: exit 0" "$?" 0
[ "$(stat -c %i "$D/settle.h5")" != "$i0" ] && ok "settle replaced its own file" || bad "settle.h5 not replaced"
eq "settle again: still a settlement" "$(kind "$D/settle.h5")" settlement
i0=$(stat -c %i "$D/settle.calibration.h5")
"$BIN" calibrate --config "$D/region.cfg" --quiet; eq "calibrate again: exit 0" "$?" 0
[ "$(stat -c %i "$D/settle.calibration.h5")" != "$i0" ] && ok "calibrate replaced its own file" || bad "calibration not replaced"
"$BIN" group --scheme dip --config "$D/region.cfg" --input "$D/current.csv" --out "$D/g.csv" --quiet
"$BIN" group --scheme drg --config "$D/region.cfg" --input "$D/current.csv" --out "$D/g.csv" --quiet 2>/dev/null
rc=$?
# the demo configuration's DRG tables are set: a DRG grouping CSV replaces a DIP one (both group CSVs)
eq "group replaces its own earlier CSV" "$rc:$(head -n 1 "$D/g.csv")" "0:case_id,line,status,mdc,adrg,drg,cc,reason,quality"
# a group CSV of an earlier version (no quality column, CRLF after Excel) is replaced too
printf 'case_id,line,group,group_type,match_path,status,reason\r\nX,2\r\n' > "$D/old.csv"
"$BIN" group --scheme dip --config "$D/region.cfg" --input "$D/current.csv" --out "$D/old.csv" --quiet
eq "group replaces an earlier version's CSV" "$?:$(head -n 1 "$D/old.csv")" \
    "0:case_id,line,group,group_type,match_path,status,reason,quality"
printf 'case_id,line,group,other\n' > "$D/other.csv"
"$BIN" group --scheme dip --config "$D/region.cfg" --input "$D/current.csv" --out "$D/other.csv" --quiet 2>/dev/null
eq "group refuses a CSV with another header" "$?:$(cat "$D/other.csv")" "5:case_id,line,group,other"

rm -rf "$D"
echo
[ $fails -eq 0 ] && echo "outputs: all checks passed" || { echo "outputs: $fails check(s) failed:$failed"; exit 1; }
