#!/usr/bin/env bash
# shellcheck disable=SC2317  # the functions are called through step(), traps and chroot
# Reproduces docker/Dockerfile's two stages without a Docker engine, in two
# debootstrap chroots, and checks the result. Needs root, debootstrap and the
# Debian mirror; takes 15 to 30 minutes (docker/README.md).
#
#   sudo docker/verify.sh [options]
#
#   --worktree        build the working tree (tracked and untracked files that
#                     .gitignore keeps, as on disk) instead of `git archive HEAD`
#   --docker-worktree `git archive HEAD`, but docker/ from the working tree: to try
#                     changes to docker/ before they are committed
#   --keep            keep the temporary directory (both roots and the logs)
#   --jobs N          parallel compile jobs (default 2)
#   --mirror URL      Debian mirror (default: the one this machine's apt uses)
#   --security URL    Debian security mirror (default: likewise)
#   --tmp DIR         where the temporary directory goes (default /tmp)
#   --verbose         show every step's output, not only its log's path
#
# The stages: the RUN instructions of docker/Dockerfile themselves, read from
# it and run with /bin/sh -c in a chroot; its FROM, COPY, ENV, WORKDIR and
# ENTRYPOINT done by hand (and checked to be the lines the Dockerfile has):
#   base     debootstrap --variant=minbase bookworm, made like debian:bookworm-slim
#            (its dpkg path excludes, no docs/man/locales, no apt caches) and given
#            the sources bookworm, bookworm-updates and bookworm-security
#   build    a copy of base + source in /src; RUN: install-build-deps.sh, then
#            build.sh and stage-itk-libs.sh (ARG QIDCM_JOBS = --jobs)
#   runtime  a copy of base + /opt/qidcm + /opt/qidcm-itk as /usr/local/lib/qidcm-itk
#            + the scripts in /tmp/qidcm-docker; RUN: install-runtime-deps.sh,
#            check-runtime.sh, the entrypoint and demo installed in /usr/local/bin
# then, in the runtime root: the entrypoint with no arguments, --help, -h,
# --version, every tool's --help through it, an unknown name (exit 2), and the
# demo (qidcm-synth -> itkimage2segimage -> segimage2itkimage -> qidcm-compare),
# and qidcm-batch (when installed) on its example manifest.
# Last, the sizes of the roots. Exit status 0 when every step passed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
worktree=0 docker_worktree=0 keep=0 verbose=0 jobs=2 mirror="" security="" tmpbase=/tmp

while [ $# -gt 0 ]; do
  case "$1" in
    --worktree) worktree=1 ;;
    --docker-worktree) docker_worktree=1 ;;
    --keep) keep=1 ;;
    --verbose) verbose=1 ;;
    --jobs) jobs="$2"; shift ;;
    --mirror) mirror="$2"; shift ;;
    --security) security="$2"; shift ;;
    --tmp) tmpbase="$2"; shift ;;
    -h|--help) sed -n '3,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "verify: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" -ne 0 ]; then echo "verify: run as root (debootstrap, chroot, mount)" >&2; exit 2; fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "verify: installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null || {
    echo "verify: debootstrap is missing (apt-get install debootstrap)" >&2; exit 2; }
fi

# --- the mirrors this machine's apt uses ---------------------------------------
# deb822 .sources (URIs: / Suites:) and one-line sources.list entries.
find_mirror() { # $1: suite
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    case "$f" in
      *.sources)
        awk -v suite="$1" '
          /^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
          /^URIs:/ { uri = $2 }
          /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
          END { if (uri != "" && ok) print uri }' "$f" ;;
      *) awk -v suite="$1" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) == suite) print $i; break } }' "$f" ;;
    esac
  done | head -1
}
[ -n "$mirror" ] || mirror="$(find_mirror bookworm)"
[ -n "$mirror" ] || mirror="http://deb.debian.org/debian"
[ -n "$security" ] || security="$(find_mirror bookworm-security)"
[ -n "$security" ] || security="http://deb.debian.org/debian-security"

avail_kb="$(df -Pk "$tmpbase" | awk 'NR == 2 {print $4}')"
if [ "$avail_kb" -lt $((6 * 1024 * 1024)) ]; then
  echo "verify: less than 6 GB free in $tmpbase" >&2; exit 2
fi

work="$(mktemp -d "$tmpbase/qidcm-verify.XXXXXX")"
logs="$work/logs"
mkdir -p "$logs"
base="$work/base" broot="$work/build-root" rroot="$work/runtime-root"

# --- mounts and clean-up ----------------------------------------------------------
mounts=()
mount_root() { # $1: root
  mount -t proc proc "$1/proc" && mounts+=("$1/proc")
  # debootstrap makes /dev/null and friends itself; bind the host's only if not.
  if [ ! -c "$1/dev/null" ]; then mount --bind /dev "$1/dev" && mounts+=("$1/dev"); fi
  # A private devpts for apt's pseudo-terminal (not the host's ptys).
  if [ -d "$1/dev/pts" ] && mount -t devpts -o newinstance,ptmxmode=0666 devpts "$1/dev/pts" 2>/dev/null; then
    mounts+=("$1/dev/pts")
  fi
}
unmount_all() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" 2>/dev/null || true
  done
  mounts=()
}
still_mounted() { awk -v w="$work/" 'index($2, w) == 1 {print $2}' /proc/mounts; }
cleanup() {
  unmount_all
  if [ -n "$(still_mounted)" ]; then
    echo "verify: still mounted, $work left in place:" >&2; still_mounted >&2; return
  fi
  if [ "$keep" -eq 1 ]; then
    echo "verify: kept $work"
  elif [ "${failed:-0}" -ne 0 ]; then
    local kept; kept="$(mktemp -d "$tmpbase/qidcm-verify-logs.XXXXXX")"
    cp -a "$logs/." "$kept/"
    rm -rf "$work"
    echo "verify: logs kept in $kept"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- steps ----------------------------------------------------------------------
results=() failed=0 started_all=$SECONDS
# step NAME COMMAND...: runs it with its output in $logs/NAME.log, records pass/fail and time.
step() {
  local name="$1"; shift
  local t0=$SECONDS rc
  printf '== %-34s ' "$name"
  if [ "$verbose" -eq 1 ]; then
    echo; "$@" 2>&1 | tee "$logs/$name.log"; rc=${PIPESTATUS[0]}
  else
    "$@" > "$logs/$name.log" 2>&1; rc=$?
  fi
  local dt=$((SECONDS - t0))
  if [ "$rc" -eq 0 ]; then
    results+=("PASS  $(printf '%5ss' $dt)  $name")
    [ "$verbose" -eq 1 ] || printf 'pass  %5ss\n' $dt
  else
    results+=("FAIL  $(printf '%5ss' $dt)  $name (exit $rc, log $name.log)")
    failed=1
    [ "$verbose" -eq 1 ] || { printf 'FAIL  %5ss  (exit %s)\n' "$dt" "$rc"; tail -n 25 "$logs/$name.log" | sed 's/^/   | /'; }
  fi
  return "$rc"
}
skip() { results+=("SKIP          $1"); printf '== %-34s skipped\n' "$1"; }

# in_root ROOT COMMAND...: runs in the chroot with a clean environment, as a
# Dockerfile RUN would (root, /bin/sh-style PATH, no host variables).
in_root() {
  local root="$1"; shift
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    QIDCM_JOBS="$jobs" \
    ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} "$@"
}
# in_image COMMAND...: as `docker run IMAGE ...` would: the image's PATH, /data.
in_image() {
  chroot "$rroot" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
    PATH=/opt/qidcm/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/sh -c 'mkdir -p /data && cd /data && exec "$@"' sh "$@"
}

make_base() {
  debootstrap --variant=minbase bookworm "$base" "$mirror" || return 1
  # What debian:bookworm-slim is: debuerreotype's "slimify" dpkg excludes, and
  # the files they exclude removed from what debootstrap installed.
  mkdir -p "$base/etc/dpkg/dpkg.cfg.d"
  cat > "$base/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
  find "$base/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$base/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$base"/usr/share/{groff,info,linda,lintian,locale,man}/*
  # The image's sources: bookworm, bookworm-updates, bookworm-security.
  rm -f "$base/etc/apt/sources.list"
  cat > "$base/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cp -L /etc/resolv.conf "$base/etc/resolv.conf"
  rm -rf "$base"/var/cache/apt/archives/*.deb "$base"/var/cache/apt/*.bin "$base"/var/lib/apt/lists/*
}

copy_source() {
  mkdir -p "$broot/src"
  if [ "$worktree" -eq 1 ]; then
    # Tracked and untracked files that .gitignore keeps (no build trees, no
    # node_modules), as they are on disk: what the Docker context holds.
    (cd "$repo" && git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' f; do
       [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -x -C "$broot/src"
  else
    git -C "$repo" archive --format=tar HEAD | tar -x -C "$broot/src"
    if [ "$docker_worktree" -eq 1 ]; then
      rm -rf "$broot/src/docker" && cp -a "$repo/docker" "$broot/src/docker"
      echo "source: docker/ from the working tree"
    fi
  fi
  echo "source: $(find "$broot/src" -type f | wc -l) files, $(du -sh "$broot/src" | cut -f1)"
}

build_stage() {
  cp -a "$base" "$broot" && copy_source && mount_root "$broot"
}

runtime_stage_copy() {
  cp -a "$base" "$rroot" || return 1
  mkdir -p "$rroot/opt" "$rroot/usr/local/lib" "$rroot/tmp/qidcm-docker"
  cp -a "$broot/opt/qidcm" "$rroot/opt/qidcm"
  cp -a "$broot/opt/qidcm-itk" "$rroot/usr/local/lib/qidcm-itk"
  # the scripts as the Dockerfile COPYs them: from the context, i.e. the source
  local s
  for s in docker/install-runtime-deps.sh docker/check-runtime.sh docker/entrypoint.sh scripts/demo.sh; do
    cp "$broot/src/$s" "$rroot/tmp/qidcm-docker/"
  done
  mount_root "$rroot"
}

# The Dockerfile's RUN instructions of one stage (FROM ... AS <stage>), each
# with its continuation lines, NUL-terminated: verify.sh runs these very
# commands (with /bin/sh -c, as Docker does) rather than a copy of them.
dockerfile_runs() { # $1: stage
  awk -v stage="$1" '
    function emit() { printf "%s%c", buf, 0 }
    cont { buf = buf "\n" $0; if ($0 !~ /\\$/) { cont = 0; if (cur == stage) emit() } next }
    /^FROM / { cur = $NF; next }
    /^RUN / { buf = substr($0, 5); if ($0 ~ /\\$/) cont = 1; else if (cur == stage) emit() }
  ' "$broot/src/docker/Dockerfile"
}
# The instructions verify.sh carries out by hand (FROM, COPY, ENV, WORKDIR,
# ENTRYPOINT) must be the ones in the Dockerfile: a change there needs one here.
check_dockerfile() {
  local f="$broot/src/docker/Dockerfile" line status=0
  while IFS= read -r line; do
    grep -qxF -- "$line" "$f" || { echo "Dockerfile has no line: $line"; status=1; }
  done <<'LINES'
FROM debian:bookworm-slim AS build
COPY . /src
FROM debian:bookworm-slim AS runtime
COPY --from=build /opt/qidcm /opt/qidcm
COPY --from=build /opt/qidcm-itk /usr/local/lib/qidcm-itk
COPY docker/install-runtime-deps.sh docker/check-runtime.sh docker/entrypoint.sh scripts/demo.sh /tmp/qidcm-docker/
ENV PATH=/opt/qidcm/bin:$PATH
WORKDIR /data
ENTRYPOINT ["/usr/local/bin/qidcm-entrypoint"]
LINES
  if [ "$status" -ne 0 ]; then echo "verify.sh does these by hand: update it to match the Dockerfile"; fi
  return "$status"
}
# run_stage STAGE ROOT: every RUN of the stage in the chroot, one step each,
# named after the first docker/ script it calls.
run_stage() {
  local stage="$1" root="$2" cmd name n=0
  while IFS= read -r -d '' cmd; do
    n=$((n + 1))
    name="$(grep -o 'docker/[a-z0-9-]*\.sh' <<<"$cmd" | head -1 | sed 's|docker/||; s|\.sh$||')"
    step "$stage-RUN$n-${name:-cmd}" in_root "$root" /bin/sh -c "$cmd" || return 1
  done < <(dockerfile_runs "$stage")
  if [ $n -eq 0 ]; then echo "verify: no RUN in the $stage stage of the Dockerfile" >&2; return 1; fi
}

test_listing() { # no arguments, --help, -h: every tool in bin/ listed
  local args out t
  for args in "" --help -h; do
    # shellcheck disable=SC2086
    out="$(in_image /usr/local/bin/qidcm-entrypoint $args)" || { echo "exit $? with '$args'"; return 1; }
    echo "--- qidcm-entrypoint $args"; echo "$out"
    for t in "$rroot"/opt/qidcm/bin/*; do
      grep -q "^  ${t##*/} " <<<"$out" || { echo "'${t##*/}' not listed"; return 1; }
    done
  done
}
test_version() {
  local out; out="$(in_image /usr/local/bin/qidcm-entrypoint --version)" || return 1
  echo "$out"; grep -q '^qidcm [0-9]' <<<"$out"
}
test_tool_help() { # $1: tool
  in_image /usr/local/bin/qidcm-entrypoint "$1" --help
}
test_unknown() {
  in_image /usr/local/bin/qidcm-entrypoint no-such-tool; local rc=$?
  echo "exit $rc"; [ "$rc" -eq 2 ]
}
test_batch() { # the example manifest of share/qidcm/workflow on three synthetic cases
  # shellcheck disable=SC2016  # expanded in the chroot
  in_image /bin/sh -c 'set -e
    d=/tmp/qidcm-batch; rm -rf "$d"; mkdir -p "$d"; cd "$d"
    cp /opt/qidcm/share/qidcm/workflow/manifest.example.tsv .
    for i in 1 2 3; do qidcm-synth --outputDirectory case$i --seed $i --parametricMap > /dev/null; done
    qidcm-entrypoint qidcm-batch manifest.example.tsv --output-root out --jobs 2
    cat out/report.csv'
}
test_demo() {
  in_image /usr/local/bin/qidcm-entrypoint demo /tmp/qidcm-demo
}

root_size() { # $1: root; kB, without the mount points' contents
  du -sk -x --exclude="$1/proc" --exclude="$1/sys" --exclude="$1/dev" "$1" 2>/dev/null | cut -f1
}
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
sizes() {
  unmount_all
  local b r r2 base_kb
  base_kb="$(root_size "$base")"
  b="$(root_size "$broot")"
  r="$(root_size "$rroot")"
  # What the image would not have: apt's caches and lists, logs, the demo's
  # outputs, debconf's backups, the chroot's resolv.conf.
  rm -rf "$rroot"/var/cache/apt/* "$rroot"/var/lib/apt/lists/* "$rroot"/var/log/* "$rroot"/tmp/* \
    "$rroot"/data "$rroot"/var/cache/debconf/*-old "$rroot"/etc/resolv.conf
  r2="$(root_size "$rroot")"
  echo "base (debootstrap minbase, slimmed like debian:bookworm-slim): $(mb "$base_kb")"
  echo "build root (base + build packages + source + build tree):      $(mb "$b")"
  echo "runtime root as tested:                                      $(mb "$r")"
  echo "runtime root without apt caches, logs and demo outputs:      $(mb "$r2")"
  echo "what the runtime stage adds to the base image:               $(mb $((r2 - base_kb)))"
  echo "  /opt/qidcm $(du -sh "$rroot/opt/qidcm" | cut -f1), ITK libraries $(du -sh "$rroot/usr/local/lib/qidcm-itk" | cut -f1)"
  echo "  largest packages in the runtime root (kB installed):"
  # shellcheck disable=SC2016
  chroot "$rroot" dpkg-query -W -f '${Installed-Size}\t${Package}\n' | sort -rn | head -12 | sed 's/^/    /'
  size_summary="runtime root $(mb "$r2") (base $(mb "$base_kb") + $(mb $((r2 - base_kb))) for qidcm); build root $(mb "$b")"
}

if [ "$worktree" -eq 1 ]; then what="the working tree of $repo"; else
  what="$repo at $(git -C "$repo" rev-parse --short HEAD)"
  [ "$docker_worktree" -eq 1 ] && what="$what, docker/ from the working tree"
fi
echo "verify: $what"
echo "verify: logs in $logs"
echo "verify: mirror $mirror, security $security, $jobs jobs, in $work"

if step base-debootstrap make_base \
  && step build-copy-source build_stage \
  && step dockerfile-as-expected check_dockerfile \
  && run_stage build "$broot" \
  && step runtime-copy runtime_stage_copy \
  && run_stage runtime "$rroot"; then
  step run-no-args-help-h test_listing
  step run-version test_version
  for tool in "$rroot"/opt/qidcm/bin/*; do
    step "run-${tool##*/}-help" test_tool_help "${tool##*/}"
  done
  step run-unknown-tool-exit-2 test_unknown
  if [ -x "$rroot/opt/qidcm/bin/qidcm-batch" ]; then step run-qidcm-batch-example test_batch; fi
  step run-demo test_demo
  [ "$verbose" -eq 1 ] || { echo "-- demo output"; sed 's/^/   /' "$logs/run-demo.log"; }
else
  skip "runtime tests"
fi

size_summary=""
if [ -d "$rroot/opt/qidcm" ]; then
  echo "-- sizes"
  sizes
fi

echo "-- results"
printf '   %s\n' "${results[@]}"
total=$((SECONDS - started_all))
echo "verify: $( [ $failed -eq 0 ] && echo PASSED || echo FAILED ) in $((total / 60))m$((total % 60))s${size_summary:+; $size_summary}"
exit $failed
