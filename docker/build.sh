#!/usr/bin/env bash
# Configures, builds and installs qidcm for the Docker image: the build stage
# of docker/Dockerfile and the build chroot of docker/verify.sh both run it.
#
#   docker/build.sh [source-dir [build-dir [prefix]]]
#
# Defaults: the checkout this script is in, <source>/build, /opt/qidcm.
# Parallel jobs: CMAKE_BUILD_PARALLEL_LEVEL if set, else Ninja's default.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${1:-$here/..}"
build="${2:-$src/build}"
prefix="${3:-/opt/qidcm}"

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQIDCM_BUILD_TESTS=OFF
cmake --build "$build"
cmake --install "$build" --prefix "$prefix" --strip

# Every tool must be there: an install rule that went missing fails the build
# here rather than as a "command not found" in the image.
tools=(itkimage2segimage segimage2itkimage bin2labelsegimage itkimage2paramap paramap2itkimage
       tid1500writer tid1500reader qidcm-synth qidcm-compare qidcm-batch)
missing=()
for t in "${tools[@]}"; do
  [ -x "$prefix/bin/$t" ] || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build: not installed in $prefix/bin: ${missing[*]}" >&2
  exit 1
fi
echo "build: installed in $prefix:"
(cd "$prefix" && find . -type f | sort | sed 's/^\.\//   /')
