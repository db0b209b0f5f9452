#include "seg/segmentation_file.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <atomic>
#include <cmath>
#include <set>
#include <sys/stat.h>
#include <thread>

#include "dicom/dataset_util.h"
#include "dcmtk/setup.h"
#include "dicom/functional_group_reader.h"
#include "iod/series.h"
#include "source/source_references.h"
#include "qidcm/error.h"
#include "qidcm/log.h"
#include "qidcm/source.h"
#include "qidcm/stack.h"
#include "seg/segment.h"

namespace qidcm::seg {
namespace {

using dicom::attributeName;
using dicom::getString;

}  // namespace

SegmentationFile::~SegmentationFile() = default;

SegmentationFile::SegmentationFile(const std::string& path, const std::string& referenceDirectory) : path_(path) {
  dcmtk::configure();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throwInput(path, "", "file not found");
  if (S_ISDIR(st.st_mode)) throwInput(path, "", "is a directory, not a DICOM file");
  file_ = std::make_unique<DcmFileFormat>();
  // Pixel data stays on disk and is read frame by frame (see FrameSource).
  OFCondition status =
      file_->loadFile(path.c_str(), EXS_Unknown, EGL_noChange, pixel::kDeferredValueLength, ERM_autoDetect);
  if (status.bad()) throwInput(path, "", std::string("not a readable DICOM file (") + status.text() + ")");
  dicom::warnNonconformingValues(dataset(), path);
  readHeader();
  readSegments();
  readFrames(referenceDirectory);
}

void SegmentationFile::readHeader() {
  DcmDataset& ds = dataset();
  const std::string sopClass = getString(ds, DCM_SOPClassUID);
  if (sopClass.empty()) {
    const std::string meta = getString(*file_->getMetaInfo(), DCM_MediaStorageSOPClassUID);
    throwInput(path_, attributeName(DCM_SOPClassUID),
               "missing" + (meta.empty() ? std::string() : " (the file meta says " + meta + ")") + "; not a SEG");
  }
  if (sopClass != kSegmentationStorage && sopClass != kLabelMapSegmentationStorage) {
    const char* name = dcmFindNameOfUID(sopClass.c_str(), nullptr);
    throwInput(path_, attributeName(DCM_SOPClassUID),
               "is " + sopClass + (name ? std::string(" (") + name + ")" : std::string()) +
                   ", not a Segmentation; nothing to convert");
  }
  declaredOverlap_ = parseSegmentsOverlap(getString(ds, DCM_SegmentsOverlap));
  const std::string typeText = getString(ds, DCM_SegmentationType);
  auto type = parseSegmentationType(typeText);
  if (!type)
    throwInput(path_, attributeName(DCM_SegmentationType),
               typeText.empty() ? "missing" : "'" + typeText + "' is not BINARY, FRACTIONAL or LABELMAP");
  type_ = *type;
  if (sopClass == kLabelMapSegmentationStorage && type_ != SegmentationType::Labelmap)
    log::warning(path_ + ": Label Map Segmentation Storage with Segmentation Type " + typeText);
  if (type_ == SegmentationType::Fractional) {
    Uint16 maxValue = 0;
    if (ds.findAndGetUint16(DCM_MaximumFractionalValue, maxValue).good() && maxValue > 0) {
      maxFraction_ = maxValue;
    } else {
      log::warning(path_ + ": FRACTIONAL SEG without Maximum Fractional Value; 255 assumed");
    }
  }
  // Series-level metadata, as dcmqi's reader reports it: as the file has it.
  iod::readDicom(ds, iod::segmentationProfile(), series_);
}

void SegmentationFile::readSegments() {
  DcmDataset& ds = dataset();
  DcmSequenceOfItems* sequence = nullptr;
  if (ds.findAndGetSequence(DCM_SegmentSequence, sequence).bad() || !sequence || sequence->card() == 0)
    throwInput(path_, attributeName(DCM_SegmentSequence), "missing or empty");
  for (unsigned long n = 0; n < sequence->card(); ++n) {
    std::uint16_t number = 0;
    SegmentDescription s = readSegmentItem(*sequence->getItem(n), n, path_, number);
    if (!segments_.emplace(number, std::move(s)).second)
      throwInput(path_, attributeName(DCM_SegmentNumber), "Segment Number " + std::to_string(number) + " is used twice");
  }
  if (type_ == SegmentationType::Labelmap) {
    Uint16 ppv = 0;
    if (ds.findAndGetUint16(DCM_PixelPaddingValue, ppv).good()) padding_ = ppv;
  }
}

void SegmentationFile::readFrames(const std::string& referenceDirectory) {
  DcmDataset& ds = dataset();
  Sint32 declaredFrames = 0;
  if (ds.findAndGetSint32(DCM_NumberOfFrames, declaredFrames).bad()) {
    const std::string raw = getString(ds, DCM_NumberOfFrames);
    throwInput(path_, attributeName(DCM_NumberOfFrames), raw.empty() ? "missing" : "'" + raw + "' is not a number");
  }
  if (declaredFrames <= 0)
    throwInput(path_, attributeName(DCM_NumberOfFrames), "is " + std::to_string(declaredFrames) + "; no frame to read");
  const auto frameCount = static_cast<std::size_t>(declaredFrames);
  const dicom::FunctionalGroups groups(ds, path_, frameCount);
  const std::string transferSyntax = getString(*file_->getMetaInfo(), DCM_TransferSyntaxUID);
  source_ = std::make_unique<pixel::FrameSource>(ds, transferSyntax, path_, frameCount);

  // Which segment each frame holds.
  frames_.resize(frameCount);
  std::set<std::uint16_t> unknown;
  for (std::size_t f = 0; f < frameCount && type_ != SegmentationType::Labelmap; ++f) {
    DcmItem* ident = groups.group(f, DCM_SegmentIdentificationSequence);
    Uint16 number = 0;
    if (!ident || ident->findAndGetUint16(DCM_ReferencedSegmentNumber, number).bad())
      throwInput(path_, attributeName(DCM_ReferencedSegmentNumber), "missing for frame " + std::to_string(f + 1));
    if (!segments_.count(number)) unknown.insert(number);
    frames_[f].segment = number;
  }
  if (!unknown.empty())
    throwInput(path_, attributeName(DCM_ReferencedSegmentNumber),
               "frames refer to segment " + std::to_string(*unknown.begin()) + ", which the Segment Sequence lacks");

  // Slide (microscopy) SEGs place tiles in the total pixel matrix of a slide:
  // they are read as one 2-D plane.
  if (groups.group(0, DCM_PlanePositionSlideSequence) && !groups.group(0, DCM_PlanePositionSequence)) {
    slide_ = true;
    DcmItem* measures = groups.group(0, DCM_PixelMeasuresSequence);
    double spacing[2] = {0, 0};
    if (!measures || !dicom::readDoubles(*measures, DCM_PixelSpacing, spacing, 2))
      throwInput(path_, attributeName(DCM_PixelSpacing), "missing in the Pixel Measures functional group");
    Uint32 totalColumns = 0, totalRows = 0;
    if (ds.findAndGetUint32(DCM_TotalPixelMatrixColumns, totalColumns).bad() || totalColumns == 0)
      throwInput(path_, attributeName(DCM_TotalPixelMatrixColumns), "missing in a slide SEG");
    if (ds.findAndGetUint32(DCM_TotalPixelMatrixRows, totalRows).bad() || totalRows == 0)
      throwInput(path_, attributeName(DCM_TotalPixelMatrixRows), "missing in a slide SEG");
    for (std::size_t f = 0; f < frameCount; ++f) {
      DcmItem* slide = groups.group(f, DCM_PlanePositionSlideSequence);
      Sint32 column = 0, row = 0;
      if (!slide || slide->findAndGetSint32(DCM_ColumnPositionInTotalImagePixelMatrix, column).bad() ||
          slide->findAndGetSint32(DCM_RowPositionInTotalImagePixelMatrix, row).bad() || column < 1 || row < 1)
        throwInput(path_, attributeName(DCM_PlanePositionSlideSequence),
                   "frame " + std::to_string(f + 1) + " has no position in the total pixel matrix");
      frames_[f].column = static_cast<std::size_t>(column - 1);
      frames_[f].row = static_cast<std::size_t>(row - 1);
    }
    grid_.size = {totalColumns, totalRows, 1};
    grid_.spacing = {spacing[1], spacing[0], 1.0};
    return;
  }

  FrameStack stack = dicom::readFrameStack(groups, path_, source_->rows(), source_->columns());
  for (std::size_t f = 0; f < frameCount; ++f) frames_[f].position = stack.positions[f];
  if (!referenceDirectory.empty())
    stack.referencePositions =
        source::referencedSeriesPositions(dicom::referencedInstances(ds, groups), referenceDirectory,
                                         cross(stack.rowCosine, stack.columnCosine), path_);
  const StackPlacement placement = placeFrames(stack, path_);
  grid_ = placement.grid;
  for (std::size_t f = 0; f < frameCount; ++f) frames_[f].slice = placement.slice[f];
}

void SegmentationFile::decodeAll() {
  if (!source_->encapsulated()) return;
  const std::size_t n = source_->frames();
  decoded_.assign(n, {});
  std::vector<std::string> errors(n);
  auto decode = [&](std::size_t f) {
    std::vector<std::uint8_t> scratch;
    const pixel::FrameSource::Frame fr = source_->frame(f, scratch);
    const std::size_t pixels = source_->pixelsPerFrame();
    const std::size_t bytes = source_->bitsAllocated() == 1 ? (pixels + 7) / 8 : pixels * (source_->bitsAllocated() / 8);
    if (fr.data == scratch.data()) {
      scratch.resize(bytes);
      decoded_[f] = std::move(scratch);
    } else {
      decoded_[f].assign(fr.data, fr.data + bytes);
    }
  };
  if (!source_->threadSafe() || n < 4) {
    for (std::size_t f = 0; f < n; ++f) decode(f);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> failure(2);
  auto worker = [&](int id) {
    try {
      for (std::size_t f = next++; f < n; f = next++) decode(f);
    } catch (...) {
      failure[id] = std::current_exception();
      next = n;
    }
  };
  std::thread helper(worker, 1);
  worker(0);
  helper.join();
  for (auto& e : failure)
    if (e) std::rethrow_exception(e);
}

FrameView SegmentationFile::frame(std::size_t index) const {
  if (source_->encapsulated()) {
    if (decoded_.size() != source_->frames()) throwInternal("frames read before decodeAll()");
    return {decoded_[index].data(), 0, {}};
  }
  FrameView view;
  const pixel::FrameSource::Frame f = source_->frame(index, view.storage);
  view.data = f.data;
  view.bitOffset = f.bitOffset;
  return view;
}

}  // namespace qidcm::seg
