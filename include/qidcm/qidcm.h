#pragma once
// qidcm: quantitative imaging results <-> DICOM, as a C++ library.
//
// Everything the command-line tools do is a library call; this header pulls
// in the whole public API. The pieces, by header:
//
//   qidcm/volume.h      Volume: a voxel buffer in its stored pixel type on a
//                       Grid (qidcm/geometry.h: LPS origin, spacing,
//                       direction). No ITK type appears in the API.
//   qidcm/image_io.h    readImage / writeImage: NRRD, NIfTI, MetaImage.
//   qidcm/source.h      SourceIndex::scan: the DICOM series a SEG or map is
//                       derived from (headers only); seriesGrid: its grid.
//   qidcm/series.h      SeriesAttributes: the series and content
//                       identification attributes every IOD's Metadata
//                       derives from (SeriesDescription, SeriesNumber, ...).
//   qidcm/seg/...       metadata.h (the dcmqi JSON as structs), writer.h
//                       (volumes -> SEG), reader.h (SEG -> volumes),
//                       convert.h (BINARY SEG -> LABELMAP SEG), enums.h.
//   qidcm/pm/...        parametric maps: metadata.h, writer.h, reader.h.
//   qidcm/sr/...        TID 1500 measurement reports: metadata.h (the JSON),
//                       writer.h, reader.h.
//   qidcm/rwvm/...      Real World Value Mapping objects: writer.h.
//   qidcm/rtstruct/...  RT Structure Sets: structure_set.h (ROIs and
//                       contours), convert.h (-> SEG, rtstruct2segimage).
//   qidcm/radiomics/... convert.h: pyradiomics features -> TID 1500 report
//                       (radiomics2tid1500).
//   qidcm/pet/...       PET SUV: suv.h (the SUV manual's rules as a pure
//                       function), series.h (the headers they need),
//                       convert.h (-> RWVM, PM, image, JSON; pet2suv).
//   qidcm/schema.h      JSON Schema validation of metadata.
//   qidcm/error.h       Error: every failure, with the file, the JSON key or
//                       DICOM attribute at fault, and its kind.
//   qidcm/log.h         where warnings go (stderr unless redirected).
//   qidcm/compression.h transfer syntaxes the writers can produce.
//   qidcm/version.h     QIDCM_VERSION.
//   qidcm/stack.h       placing frames on a regular grid (used by readers).
//   qidcm/cleanup.h     removing staged outputs from a signal handler.
//
// Conventions: functions throw qidcm::Error and nothing else on bad input or
// failed output (std::bad_alloc aside); writers write atomically (a
// temporary file renamed into place, no partial file on failure); all
// coordinates are DICOM patient coordinates (LPS, millimetres).
//
// A minimal program (doc/examples/label-to-seg has it in full):
//
//   qidcm::SourceIndex ct = qidcm::SourceIndex::scan({}, {"ct/"});
//   std::vector<qidcm::seg::LabelImage> labels(1);
//   labels[0].volume.grid = qidcm::seriesGrid(ct);
//   labels[0].volume.allocate();                      // uint8, zero-filled
//   ... set voxels: labels[0].volume.samples<std::uint8_t>()[i] = 1 ...
//   qidcm::seg::Metadata meta;                        // one SegmentDescription per label
//   meta.segmentAttributes = {{liver}};
//   qidcm::seg::writeSegmentation(labels, meta, ct, "seg.dcm", {});

#include "qidcm/codes.h"
#include "qidcm/compression.h"
#include "qidcm/error.h"
#include "qidcm/geometry.h"
#include "qidcm/image_io.h"
#include "qidcm/log.h"
#include "qidcm/pm/metadata.h"
#include "qidcm/pm/reader.h"
#include "qidcm/pm/writer.h"
#include "qidcm/pet/convert.h"
#include "qidcm/pet/series.h"
#include "qidcm/pet/suv.h"
#include "qidcm/radiomics/convert.h"
#include "qidcm/qc/report.h"
#include "qidcm/rtstruct/convert.h"
#include "qidcm/rtstruct/structure_set.h"
#include "qidcm/rwvm/writer.h"
#include "qidcm/rwvm/reader.h"
#include "qidcm/schema.h"
#include "qidcm/seg/convert.h"
#include "qidcm/seg/enums.h"
#include "qidcm/seg/metadata.h"
#include "qidcm/seg/reader.h"
#include "qidcm/seg/writer.h"
#include "qidcm/series.h"
#include "qidcm/source.h"
#include "qidcm/sr/metadata.h"
#include "qidcm/stack.h"
#include "qidcm/sr/reader.h"
#include "qidcm/sr/writer.h"
#include "qidcm/uid.h"
#include "qidcm/version.h"
#include "qidcm/volume.h"
