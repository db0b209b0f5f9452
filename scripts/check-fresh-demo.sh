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
# under test. Hidden, in a private mount namespace: numpy, pydicom, nibabel,
# Pillow, GDCM, pylibjpeg and snakemake under /usr/lib/python3/dist-packages (each
# replaced by a module whose import fails as a missing one does). Needs root,
# or unprivileged user namespaces.
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

# Replacements: a package directory or a module file that raises ImportError.
hidden="$work/hidden"
mkdir -p "$hidden"
cat > "$hidden/missing.py" <<'EOF'
raise ModuleNotFoundError("hidden by scripts/check-fresh-demo.sh: a test-only package", name=__name__)
EOF
mkdir -p "$hidden/package"
cp "$hidden/missing.py" "$hidden/package/__init__.py"

site=/usr/lib/python3/dist-packages
mounts=""
for name in numpy pydicom nibabel PIL pylibjpeg openjpeg libjpeg rle snakemake; do
  [ -d "$site/$name" ] && mounts+="mount --bind '$hidden/package' '$site/$name'; "
done
for file in gdcm.py gdcmswig.py; do
  [ -f "$site/$file" ] && mounts+="mount --bind '$hidden/missing.py' '$site/$file'; "
done

inner="set -euo pipefail; ${mounts}
if /usr/bin/python3 -c 'import numpy' 2>/dev/null || /usr/bin/python3 -c 'import pydicom' 2>/dev/null; then
  echo 'check-fresh-demo: numpy or pydicom is still importable' >&2; exit 1; fi
echo 'check-fresh-demo: numpy, pydicom and the optional pixel packages are hidden'
cd '$clone' && exec scripts/setup.sh demo"

if [ "$(id -u)" -eq 0 ]; then
  exec unshare --mount --propagation private bash -c "$inner"
else
  exec unshare --map-root-user --mount --propagation private bash -c "$inner"
fi
