#!/usr/bin/env bash
# Installs the Debian packages that build qidcm, in a Debian 12 (bookworm)
# root: the Docker image's build stage (docker/Dockerfile) and the build
# chroot of docker/verify.sh both run this script.
#
# The package list is not repeated here: it is the `build_packages=(...)`
# array of scripts/setup.sh, read from that file, so the developers' set-up,
# CI and the image build always install the same packages.
#
#   docker/install-build-deps.sh [path/to/scripts/setup.sh]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
setup="${1:-$here/../scripts/setup.sh}"
if [ ! -f "$setup" ]; then
  echo "install-build-deps: $setup not found" >&2
  exit 2
fi

# The array may span several lines: take from `build_packages=(` to the first
# `)`, drop comments, the assignment and the parenthesis, keep the words.
# Nothing from the file is executed.
mapfile -t packages < <(sed -n '/^build_packages=(/,/)/p' "$setup" | sed -e 's/#.*//' \
  -e 's/^build_packages=(//' -e 's/).*//' | tr -s ' \t' '\n' | sed '/^$/d')
if [ ${#packages[@]} -eq 0 ]; then
  echo "install-build-deps: no build_packages=(...) in $setup" >&2
  exit 2
fi
for p in "${packages[@]}"; do
  case "$p" in
    *[!a-z0-9.+-]*) echo "install-build-deps: unexpected package name '$p' in $setup" >&2; exit 2 ;;
  esac
done

echo "install-build-deps: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
apt-get clean
rm -rf /var/lib/apt/lists/*
