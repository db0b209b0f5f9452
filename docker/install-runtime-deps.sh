#!/usr/bin/env bash
# Makes a Debian 12 (bookworm) root able to run an installed qidcm: the
# runtime stage of docker/Dockerfile and the runtime chroot of
# docker/verify.sh both run it, after /opt/qidcm and the staged ITK libraries
# (docker/stage-itk-libs.sh) have been copied in.
#
#   docker/install-runtime-deps.sh [prefix [itk-lib-dir]]   defaults: /opt/qidcm /usr/local/lib/qidcm-itk
#
# The runtime packages are listed here and nowhere else. They are the shared
# libraries the installed programs load (ldd + dpkg -S), less ITK, whose few
# libraries come from docker/stage-itk-libs.sh instead of Debian's whole-ITK
# package; docker/check-runtime.sh then proves nothing is missing.
set -euo pipefail

prefix="${1:-/opt/qidcm}"
itk="${2:-/usr/local/lib/qidcm-itk}"

packages=(
  libdcmtk17      # DCMTK 3.6.7: dcmdata, dcmsr, dcmjpeg, dcmjpls, ... (brings libxml2, libicu72, libssl3, libtiff6)
  libopenjp2-7    # JPEG 2000 frames
  liblcms2-2      # ICC profiles
  zlib1g          # deflate; also needed by ITK's NIfTI/NRRD/MetaImage readers
  libpng16-16     # PNG images of qidcm-qc pages
  libstdc++6
  libgcc-s1
)
# Python only when a program in bin/ is a Python script (qidcm-batch).
# python3 rather than python3-minimal: json, concurrent.futures and shutil
# are in the standard library that python3-minimal leaves out.
for f in "$prefix"/bin/*; do
  if [ -f "$f" ] && head -n1 "$f" | grep -q '^#!.*python'; then
    packages+=(python3)
    break
  fi
done

echo "install-runtime-deps: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log

if [ -d "$itk" ]; then
  echo "$itk" > /etc/ld.so.conf.d/qidcm-itk.conf
fi
ldconfig
