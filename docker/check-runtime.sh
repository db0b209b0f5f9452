#!/usr/bin/env bash
# Fails when an installed qidcm program or library would not load: every ELF
# file under the given directories is run through ldd ("not found" fails),
# and every program in <prefix>/bin must answer --help (a Python script
# needs its interpreter and modules). Run at the end of the Docker image's
# runtime stage and in docker/verify.sh's runtime chroot.
#
#   docker/check-runtime.sh [prefix [more dirs...]]   default: /opt/qidcm /usr/local/lib/qidcm-itk
set -uo pipefail

prefix="${1:-/opt/qidcm}"
dirs=("$prefix")
if [ $# -gt 1 ]; then dirs+=("${@:2}"); else dirs+=(/usr/local/lib/qidcm-itk); fi

status=0
elves=0
while read -r f; do
  if head -c4 "$f" | grep -q '^.ELF'; then
    elves=$((elves + 1))
    missing="$(ldd "$f" 2>&1 | grep 'not found' || true)"
    if [ -n "$missing" ]; then
      echo "check-runtime: $f:" >&2
      echo "$missing" >&2
      status=1
    fi
  fi
done < <(for d in "${dirs[@]}"; do [ -d "$d" ] && find "$d" -type f \( -perm -u+x -o -name '*.so*' \); done)

tools=0
for t in "$prefix"/bin/*; do
  if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
  tools=$((tools + 1))
  if ! out="$("$t" --help 2>&1)"; then
    echo "check-runtime: $t --help failed:" >&2
    echo "$out" | head -5 >&2
    status=1
  fi
done

if [ "$tools" -eq 0 ]; then
  echo "check-runtime: no programs in $prefix/bin" >&2
  status=1
fi
if [ $status -eq 0 ]; then
  echo "check-runtime: $elves ELF files load, $tools programs answer --help"
fi
exit $status
