#!/usr/bin/env bash
# qidcm set-up: installs the Debian packages that are missing, configures and
# builds, then either runs the demo or the whole test suite.
#
#   scripts/setup.sh demo   set-up, build, convert a synthetic case to SEG and back
#   scripts/setup.sh test   set-up, build, run every test (what CI runs)
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
build_packages=(cmake ninja-build g++ pkg-config zlib1g-dev
  libinsighttoolkit5-dev libfftw3-dev libdcmtk-dev nlohmann-json3-dev libcli11-dev catch2 libvalijson-dev
  libopenjp2-7-dev liblcms2-dev)
test_packages=(dcmtk dicom3tools python3 python3-pydicom python3-numpy pixelmed-apps libopenjp2-tools)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "setup: not root and no sudo; install packages by hand or run as root" >&2; fi
fi

wanted=("${build_packages[@]}")
if [ "$mode" = test ]; then wanted+=("${test_packages[@]}"); fi
if [ "$mode" = bench ]; then wanted+=(python3); fi
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
  test) cd "$build" && exec ctest --output-on-failure -j2 ;;
  bench) shift; exec /usr/bin/python3 "$root/bench/run.py" --build "$build" "$@" ;;
  build) ;;
esac
