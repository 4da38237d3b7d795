#!/bin/sh
# deps.sh - make sure the Debian packages casemix needs are installed.
# Installs them when run as root (or with passwordless sudo); otherwise says
# exactly what to run. Called by `make deps` and `make demo`; `make test` and
# `make check` call it with "test", which adds what the tests use besides the
# build: Python with h5py, pandas and openpyxl (the README's reading snippet
# is run by tests/golden/walkthrough.sh). With "browser": headless Chromium
# and the CJK fonts that casemix report's browser test renders with
# (tests/golden/report_browser.sh, which is skipped when they cannot be had).
PKGS="build-essential pkg-config libhdf5-dev hdf5-tools libconfig-dev libcmocka-dev libdeflate-dev zlib1g-dev libxlsxwriter-dev"
[ "${1:-}" = test ] && PKGS="$PKGS python3-h5py python3-pandas python3-openpyxl"
[ "${1:-}" = browser ] && PKGS="chromium fonts-noto-cjk"
missing=""
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in $PKGS; do have "$p" || missing="$missing $p"; done
# optional: OpenMPI for make MPI=1 (the MPI province driver; tests/mpi.sh); make deps installs
# them when it can, and nothing fails without them
OPT="libopenmpi-dev openmpi-bin"
[ "${1:-}" = test ] || for p in $OPT; do have "$p" || missing_opt="${missing_opt:-} $p"; done
if [ -n "${missing_opt:-}" ] && [ -z "$missing" ]; then
    if [ "$(id -u)" = 0 ] && apt-get install -y -qq $missing_opt >/dev/null 2>&1; then echo "installed (optional, MPI):$missing_opt"
    else echo "casemix: optional (make MPI=1): apt-get install -y$missing_opt"; fi
fi
[ -z "$missing" ] && exit 0
echo "casemix: missing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "Install them with:"
    echo "  sudo apt-get update && sudo apt-get install -y$missing"
    exit 1
fi
echo "installing:$missing"
$SUDO apt-get update -qq || { echo "apt-get update failed; run: sudo apt-get update && sudo apt-get install -y$missing"; exit 1; }
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null || {
    echo "apt-get install failed; run: sudo apt-get install -y$missing"; exit 1; }
echo "installed:$missing"
