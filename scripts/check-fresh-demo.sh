#!/usr/bin/env bash
# Runs the README's first command, `scripts/setup.sh demo`, from a fresh clone
# of this repository, with the test-only Python packages hidden: configuring,
# building and the demo must need none of them. A development machine has
# them installed, which would hide a configure step that imports one.
#
#   scripts/check-fresh-demo.sh [work-dir]
#
# The clone is made from the repository's HEAD; uncommitted changes and new
# files of the working tree are carried over, so that the check sees the tree
# under test. Hidden: numpy, pydicom, nibabel, Pillow, GDCM, pylibjpeg and
# snakemake, each shadowed by a module of the same name whose import fails as
# a missing one does, in a directory put first on PYTHONPATH (ahead of
# /usr/lib/python3/dist-packages). That needs no privilege, and works in
# containers and chroots, where a private mount namespace may not.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/qidcm-fresh-demo.XXXXXX)}"
rm -rf "$work"
mkdir -p "$work"
clone="$work/clone"

git clone -q --no-hardlinks "$root" "$clone"
if ! git -C "$root" diff --quiet HEAD; then
  git -C "$root" diff --binary HEAD | git -C "$clone" apply --whitespace=nowarn
fi
(cd "$root" && git ls-files -z --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$clone"
# The fixtures sit beside a clone, as in CI.
if [ -d "$root/../shared" ]; then ln -s "$(cd "$root/../shared" && pwd)" "$work/shared"; fi

hidden="$work/hidden"
mkdir -p "$hidden"
missing='raise ModuleNotFoundError(f"No module named {__name__!r} (hidden by scripts/check-fresh-demo.sh)", name=__name__)'
for name in numpy pydicom nibabel PIL pylibjpeg openjpeg libjpeg rle snakemake; do
  mkdir -p "$hidden/$name"
  echo "$missing" > "$hidden/$name/__init__.py"
done
for name in gdcm gdcmswig; do echo "$missing" > "$hidden/$name.py"; done
export PYTHONPATH="$hidden${PYTHONPATH:+:$PYTHONPATH}"

for module in numpy pydicom nibabel; do
  if /usr/bin/python3 -c "import $module" 2>/dev/null; then
    echo "check-fresh-demo: $module is still importable" >&2
    exit 1
  fi
done
echo "check-fresh-demo: numpy, pydicom, nibabel and the optional pixel packages are hidden"
cd "$clone"
exec scripts/setup.sh demo
