#!/usr/bin/env bash
# qidcm set-up: installs the Debian packages that are missing, configures and
# builds, then either runs the demo or the whole test suite.
#
#   scripts/setup.sh demo   set-up, build, convert a synthetic case to SEG and back
#   scripts/setup.sh test   set-up, build, run every test, then again in a sanitizer build
#                           (AddressSanitizer + UBSan); this is what CI runs
#   scripts/setup.sh bench  set-up, build, run the benchmark (bench/README.md)
#
# Run as root, or as a user who may use sudo. Set QIDCM_BUILD_DIR to build
# elsewhere than ./build.
set -euo pipefail

mode="${1:-demo}"
case "$mode" in
  demo|test|build|bench) ;;
  *) echo "usage: $0 demo|test|build|bench" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QIDCM_BUILD_DIR:-$root/build}"

# --- packages ---------------------------------------------------------------
build_packages=(cmake ninja-build g++ pkg-config zlib1g-dev libpng-dev
  libinsighttoolkit5-dev libfftw3-dev libdcmtk-dev nlohmann-json3-dev libcli11-dev catch2 libvalijson-dev
  libopenjp2-7-dev liblcms2-dev help2man python3-dev pybind11-dev)
test_packages=(dcmtk dicom3tools python3 python3-pydicom python3-numpy python3-nibabel pixelmed-apps libopenjp2-tools
  snakemake git plastimatch chromium python3-pytest)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "setup: not root and no sudo; install packages by hand or run as root" >&2; fi
fi

wanted=("${build_packages[@]}")
if [ "$mode" = test ]; then wanted+=("${test_packages[@]}"); fi
if [ "$mode" = bench ]; then wanted+=(python3 python3-pydicom python3-numpy plastimatch); fi
if [ "$mode" = test ] && ! command -v npm >/dev/null 2>&1; then wanted+=(nodejs npm); fi

missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# dcmjs, the independent JavaScript reader used by the interoperability tests.
if [ "$mode" = test ]; then
  if [ ! -d "$root/test/interop/node_modules/dcmjs" ]; then
    echo "setup: installing dcmjs (npm)"
    (cd "$root/test/interop" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# --- build ------------------------------------------------------------------
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build"

case "$mode" in
  demo) exec "$root/scripts/demo.sh" "$build" ;;
  test)
    status=0
    (cd "$build" && ctest --output-on-failure -j2) || status=1
    # The same suite under AddressSanitizer and UndefinedBehaviorSanitizer, in
    # a second build tree (the bench harness test is left out: it only times).
    sanitized="${QIDCM_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
    echo "setup: sanitizer build in $sanitized"
    cmake -S "$root" -B "$sanitized" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQIDCM_SANITIZE=ON >/dev/null
    cmake --build "$sanitized"
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
    export LSAN_OPTIONS="suppressions=$root/test/sanitizer/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    (cd "$sanitized" && ctest --output-on-failure -j2 -LE bench) || status=1
    exit $status
    ;;
  bench) shift; exec /usr/bin/python3 "$root/bench/run.py" --build "$build" "$@" ;;
  build) ;;
esac
