#!/bin/sh
# Entry point of the qidcm Docker image (installed as /usr/local/bin/qidcm-entrypoint).
#
#   docker run IMAGE                      the tools, one line each (also --help, -h, help)
#   docker run IMAGE --version            qidcm's version and git revision
#   docker run IMAGE TOOL [ARGS...]       runs a tool, e.g. itkimage2segimage --help
#   docker run IMAGE demo [DIR]           synthetic case -> SEG -> label image -> compare
#   docker run -it IMAGE bash             any other command on PATH runs as it is
set -eu

prefix="${QIDCM_PREFIX:-/opt/qidcm}"
bin="$prefix/bin"

# One line per tool. A program in $bin that is not named here is still listed,
# with the first sentence of its --help.
describe() {
  case "$1" in
    itkimage2segimage) echo "label image(s) + JSON metadata -> DICOM Segmentation" ;;
    segimage2itkimage) echo "DICOM Segmentation -> label image(s) + JSON metadata" ;;
    bin2labelsegimage) echo "BINARY DICOM Segmentation -> LABELMAP Segmentation" ;;
    itkimage2paramap)  echo "parametric map image + JSON metadata -> DICOM Parametric Map" ;;
    paramap2itkimage)  echo "DICOM Parametric Map -> image + JSON metadata" ;;
    tid1500writer)     echo "measurement JSON -> DICOM TID 1500 measurement report (SR)" ;;
    tid1500reader)     echo "DICOM TID 1500 measurement report -> measurement JSON" ;;
    qidcm-synth)       echo "synthetic CT series + label image + metadata (demo and test input)" ;;
    qidcm-compare)     echo "compare two images: grid and every voxel (exit 0 equal, 5 differ)" ;;
    qidcm-batch)       echo "every row of a manifest converted, N rows at a time, with a report" ;;
    *)
      line="$("$bin/$1" --help 2>/dev/null | sed -n '/^[Uu]sage:/d; /[^[:space:]]/{p;q;}' || true)"
      echo "${line%%. *}" | cut -c1-70 ;;
  esac
}

version() {
  for t in itkimage2segimage qidcm-synth; do
    if [ -x "$bin/$t" ]; then
      "$bin/$t" --version | sed -n '1s/^[^ ]* (qidcm) /qidcm /p'
      return 0
    fi
  done
  echo "qidcm: no tools in $bin" >&2
  return 1
}

usage() {
  echo "qidcm: DICOM Segmentation, Parametric Map and TID 1500 SR conversion (dcmqi-compatible)"
  version || true
  echo
  echo "usage: docker run [-v \$PWD:/data] IMAGE TOOL [ARGS...]   (TOOL --help for its options)"
  echo
  echo "tools:"
  for path in "$bin"/*; do
    if [ ! -f "$path" ] || [ ! -x "$path" ]; then continue; fi
    t="${path##*/}"
    printf '  %-19s %s\n' "$t" "$(describe "$t")"
  done
  echo
  echo "also:"
  printf '  %-19s %s\n' "demo [DIR]" "synthetic case -> SEG -> label image -> compare (outputs in DIR)"
  printf '  %-19s %s\n' "--version" "the version of qidcm"
  printf '  %-19s %s\n' "--help, -h" "this list"
  echo
  echo "The working directory is /data: mount your files there."
}

if [ $# -eq 0 ]; then
  usage
  exit 0
fi

case "$1" in
  -h|--help|help) usage; exit 0 ;;
  --version|version) version; exit $? ;;
  demo) shift; exec qidcm-demo --installed "$@" ;;
esac

if [ -x "$bin/$1" ]; then
  tool="$1"; shift
  exec "$bin/$tool" "$@"
fi
if command -v "$1" >/dev/null 2>&1; then
  exec "$@"
fi
echo "qidcm: no tool or command '$1'" >&2
echo >&2
usage >&2
exit 2
