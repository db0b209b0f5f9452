#!/usr/bin/env bash
# Copies the ITK shared libraries that the installed qidcm programs load into
# one directory, with ITK's copyright and NOTICE files, for the runtime image.
# Run in the build root (docker/Dockerfile's build stage, docker/verify.sh's
# build chroot) after docker/build.sh:
#
#   docker/stage-itk-libs.sh [prefix [dest]]      defaults: /opt/qidcm /opt/qidcm-itk
#
# Why: qidcm uses five ITK modules (Common, IOImageBase, IONRRD, IONIFTI,
# IOMeta), whose 14 libraries (13 MB) need only libc, libstdc++ and zlib. But
# Debian packs all of ITK into the one package libinsighttoolkit5.2 (29 MB),
# which depends on GDCM, HDF5 (with libcurl, GnuTLS, LDAP...), MINC, NetCDF
# and FFTW: about 60 MB of packages in all that no qidcm program loads.
# The runtime image gets these same files from the same Debian package, with
# the libraries' own file names (their sonames), and registers the directory
# with ldconfig (docker/install-runtime-deps.sh).
set -euo pipefail

prefix="${1:-/opt/qidcm}"
dest="${2:-/opt/qidcm-itk}"
mkdir -p "$dest"

# Every ELF file of the installation; ldd lists each one's libraries transitively.
mapfile -t elves < <(find "$prefix" -type f \( -perm -u+x -o -name '*.so*' \) -exec sh -c \
  'head -c4 "$1" | grep -q "^.ELF" && echo "$1"' sh {} \;)
if [ ${#elves[@]} -eq 0 ]; then
  echo "stage-itk-libs: no programs in $prefix" >&2
  exit 1
fi

declare -A packages=()
count=0
while read -r lib; do
  real="$(readlink -f "$lib")"
  # dpkg knows the path it installed: /usr/lib/... or, through the merged-/usr
  # symlinks, /lib/...
  owner=""
  for p in "$lib" "$real" "/usr${lib#/usr}" "${lib#/usr}"; do
    owner="$(dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1)" && [ -n "$owner" ] && break
  done
  case "$owner" in
    libinsighttoolkit*)
      cp -L "$lib" "$dest/$(basename "$lib")"
      packages["$owner"]=1
      count=$((count + 1)) ;;
  esac
done < <(for e in "${elves[@]}"; do ldd "$e" | awk '$2 == "=>" && $3 ~ /^\// {print $3}'; done | sort -u)

if [ "$count" -eq 0 ]; then
  echo "stage-itk-libs: the programs in $prefix load no ITK library" >&2
  exit 1
fi
for p in "${!packages[@]}"; do
  mkdir -p "$dest/doc/$p"
  for f in copyright NOTICE.gz; do
    if [ -f "/usr/share/doc/$p/$f" ]; then cp "/usr/share/doc/$p/$f" "$dest/doc/$p/"; fi
  done
  dpkg-query -W -f '${Package} ${Version}\n' "$p" >> "$dest/doc/packages.txt"
done
echo "stage-itk-libs: $count ITK libraries ($(du -sh "$dest" | cut -f1)) from ${!packages[*]} in $dest"
