#!/usr/bin/env bash
# The qidcm demo: a synthetic CT series and label image, converted to a DICOM
# SEG and back, with a summary. Usage: scripts/demo.sh [build-dir [work-dir]]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
bin="$build/apps"
if [ -n "${2:-}" ]; then work="$2"; rm -rf "$work"; mkdir -p "$work"; else work="$(mktemp -d /tmp/qidcm-demo.XXXXXX)"; fi

echo "== 1. synthetic case: 64-slice oblique CT series + label image with 6 segments"
"$bin/qidcm-synth" --outputDirectory "$work" --columns 192 --rows 160 --slices 64 \
  --orientation oblique --segments 6 --format nii.gz

echo "== 2. label image -> DICOM SEG (binary)"
"$bin/itkimage2segimage" --inputImageList "$work/label.nii.gz" \
  --inputMetadata "$work/meta.json" --inputDICOMDirectory "$work/ct" --outputDICOM "$work/seg.dcm"

echo "== 3. label image -> DICOM SEG (label map, deflated)"
"$bin/itkimage2segimage" --inputImageList "$work/label.nii.gz" --inputMetadata "$work/meta.json" \
  --inputDICOMDirectory "$work/ct" --outputDICOM "$work/seg-labelmap.dcm" \
  --segmentationType labelmap --compress deflate

echo "== 4. DICOM SEG -> label image (segments merged back into one image)"
"$bin/segimage2itkimage" --inputDICOM "$work/seg.dcm" --outputDirectory "$work/back" --mergeSegments -t nifti \
  --referenceDICOMDirectory "$work/ct"

echo "== 5. round trip: is the label image read back the one we started from?"
"$bin/qidcm-compare" "$work/label.nii.gz" "$work/back/1.nii.gz" | sed 's/^/   /'

echo "== summary"
ls -l "$work/seg.dcm" "$work/seg-labelmap.dcm" | awk '{print "   " $5 " bytes  " $9}'
if command -v dcmdump >/dev/null 2>&1; then
  dcmdump +P SegmentationType +P NumberOfFrames +P SegmentsOverlap "$work/seg.dcm" | sed 's/^/   /'
fi
echo "   outputs in $work"
