#!/usr/bin/env bash
# The qidcm demo: a synthetic CT series and label image, converted to a DICOM
# SEG and back, with a summary.
#
#   scripts/demo.sh [build-dir [work-dir]]   the tools of a build tree (default ./build)
#   scripts/demo.sh --installed [work-dir]   the tools on PATH (or in $QIDCM_BIN); the
#                                            Docker image runs it so, as qidcm-demo
#
# The work directory is created when missing (in the build-tree form it is
# emptied first); without one, a temporary directory is used.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--installed" ]; then
  if [ -n "${QIDCM_BIN:-}" ]; then PATH="$QIDCM_BIN:$PATH"; fi
  if [ -n "${2:-}" ]; then work="$2"; mkdir -p "$work"; else work="$(mktemp -d /tmp/qidcm-demo.XXXXXX)"; fi
else
  PATH="${1:-$root/build}/apps:$PATH"
  if [ -n "${2:-}" ]; then work="$2"; rm -rf "$work"; mkdir -p "$work"; else work="$(mktemp -d /tmp/qidcm-demo.XXXXXX)"; fi
fi

echo "== 1. synthetic case: 64-slice oblique CT series + label image with 6 segments"
qidcm-synth --outputDirectory "$work" --columns 192 --rows 160 --slices 64 \
  --orientation oblique --segments 6 --format nii.gz

echo "== 2. label image -> DICOM SEG (binary)"
itkimage2segimage --inputImageList "$work/label.nii.gz" \
  --inputMetadata "$work/meta.json" --inputDICOMDirectory "$work/ct" --outputDICOM "$work/seg.dcm"

echo "== 3. label image -> DICOM SEG (label map, deflated)"
itkimage2segimage --inputImageList "$work/label.nii.gz" --inputMetadata "$work/meta.json" \
  --inputDICOMDirectory "$work/ct" --outputDICOM "$work/seg-labelmap.dcm" \
  --segmentationType labelmap --compress deflate

echo "== 4. DICOM SEG -> label image (segments merged back into one image)"
segimage2itkimage --inputDICOM "$work/seg.dcm" --outputDirectory "$work/back" --mergeSegments -t nifti \
  --referenceDICOMDirectory "$work/ct"

echo "== 5. round trip: is the label image read back the one we started from?"
qidcm-compare "$work/label.nii.gz" "$work/back/1.nii.gz" | sed 's/^/   /'

echo "== summary"
ls -l "$work/seg.dcm" "$work/seg-labelmap.dcm" | awk '{print "   " $5 " bytes  " $9}'
if command -v dcmdump >/dev/null 2>&1; then
  dcmdump +P SegmentationType +P NumberOfFrames +P SegmentsOverlap "$work/seg.dcm" | sed 's/^/   /'
fi
echo "   outputs in $work"
