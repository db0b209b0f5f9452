// The Parametric Map document (pm::Document) and writer: the attributes of a
// written map read with DCMTK, and the map read back through pm reader.
#include <catch2/catch.hpp>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "pm/document.h"
#include "qidcm/error.h"
#include "qidcm/pm/reader.h"
#include "qidcm/pm/writer.h"
#include "synth/synth.h"

using namespace qidcm;
using qidcm::operator-;
namespace fs = std::filesystem;

namespace {

const std::string kWork = std::string(QIDCM_TEST_WORK) + "/pm-document";

struct Series {
  synth::Outputs out;
  SourceIndex index;
};

Series makeSeries(const std::string& name, synth::Orientation orientation) {
  synth::Options o;
  o.outputDirectory = kWork + "/" + name;
  fs::remove_all(o.outputDirectory);
  o.columns = 12;
  o.rows = 10;
  o.slices = 4;
  o.segments = 1;
  o.orientation = orientation;
  Series s{synth::generate(o), {}};
  s.index = SourceIndex::scan({}, {s.out.seriesDirectory});
  return s;
}

pm::Metadata adcMetadata() {
  pm::Metadata m;
  m.sourceFile = "pm-meta.json";
  m.seriesDescription = "ADC map";
  m.seriesNumber = "701";
  m.quantity = {"113041", "DCM", "Apparent Diffusion Coefficient", ""};
  m.units = {"um2/s", "UCUM", "um2/s", ""};
  m.measurementMethod = Code{"113250", "DCM", "Mono-exponential ADC model", ""};
  m.derivation = Code{"113062", "DCM", "Pixel by pixel fit", ""};  // any code: written as given
  m.derivationDescription = "fit of two b-values";
  m.diffusionBValues = {"0", "800"};
  m.slope = 1.5;
  m.intercept = -0.25;
  m.anatomicRegion = {"41216001", "SCT", "Prostate", ""};
  m.frameLaterality = "U";
  m.derivedPixelContrast = "ADC";
  return m;
}

std::string text(DcmItem& item, const DcmTagKey& key, unsigned long pos = 0) {
  OFString v;
  item.findAndGetOFString(key, v, pos);
  return v.c_str();
}

DcmItem& item(DcmItem& parent, const DcmTagKey& sequence, unsigned long n = 0) {
  DcmItem* found = nullptr;
  INFO(DcmTag(sequence).getTagName() << " item " << n);
  REQUIRE(parent.findAndGetSequenceItem(sequence, found, static_cast<signed long>(n)).good());
  REQUIRE(found);
  return *found;
}

unsigned long items(DcmItem& parent, const DcmTagKey& sequence) {
  DcmSequenceOfItems* s = nullptr;
  return parent.findAndGetSequence(sequence, s).good() && s ? s->card() : 0;
}

Code code(DcmItem& parent, const DcmTagKey& sequence) {
  DcmItem& c = item(parent, sequence);
  return {text(c, DCM_CodeValue), text(c, DCM_CodingSchemeDesignator), text(c, DCM_CodeMeaning), ""};
}

double fd(DcmItem& parent, const DcmTagKey& key) {
  Float64 v = NAN;
  REQUIRE(parent.findAndGetFloat64(key, v).good());
  return v;
}

Vec3 position(DcmItem& frame) {
  DcmItem& plane = item(frame, DCM_PlanePositionSequence);
  Vec3 p{};
  for (unsigned long c = 0; c < 3; ++c) REQUIRE(plane.findAndGetFloat64(DCM_ImagePositionPatient, p[c], c).good());
  return p;
}

// The CT instance lying on slice k of the series grid.
std::string sourceAt(const Series& s, std::size_t k) {
  for (const auto& inst : s.index.instances())
    if (norm(inst.frames[0].position - s.out.seriesGrid.slicePosition(k)) < 1e-3) return inst.sopInstanceUID;
  FAIL("no source on slice " << k);
  return {};
}

void checkQuantityDefinitions(DcmItem& rwvm, const pm::Metadata& m) {
  REQUIRE(items(rwvm, DCM_QuantityDefinitionSequence) == 4);
  DcmItem& quantity = item(rwvm, DCM_QuantityDefinitionSequence, 0);
  CHECK(text(quantity, DCM_ValueType) == "CODE");
  CHECK(code(quantity, DCM_ConceptNameCodeSequence) == Code{"246205007", "SCT", "Quantity", ""});
  CHECK(code(quantity, DCM_ConceptCodeSequence) == m.quantity);
  DcmItem& method = item(rwvm, DCM_QuantityDefinitionSequence, 1);
  CHECK(code(method, DCM_ConceptNameCodeSequence) == Code{"370129005", "SCT", "Measurement Method", ""});
  CHECK(code(method, DCM_ConceptCodeSequence) == *m.measurementMethod);
  for (unsigned long n = 0; n < 2; ++n) {
    DcmItem& b = item(rwvm, DCM_QuantityDefinitionSequence, 2 + n);
    CHECK(text(b, DCM_ValueType) == "NUMERIC");
    CHECK(code(b, DCM_ConceptNameCodeSequence).value == "113240");
    CHECK(text(b, DCM_NumericValue) == m.diffusionBValues[n]);
    CHECK(code(b, DCM_MeasurementUnitsCodeSequence) == Code{"s/mm2", "UCUM", "s/mm2", ""});
  }
}

}  // namespace

TEST_CASE("a float32 map: Float Pixel Data, real world value mapping, quantities and frame positions") {
  const Series s = makeSeries("float-axial", synth::Orientation::Axial);
  Volume map;
  map.grid = s.out.seriesGrid;
  map.type = PixelType::Float32;
  map.allocate();
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t j = 0; j < 10; ++j)
      for (std::size_t i = 0; i < 12; ++i)
        map.samples<float>()[map.grid.index(i, j, k)] = 1e-4f * static_cast<float>(i + 16 * j) + 0.01f * k - 0.005f;
  const float* v = map.samples<float>();
  const float lo = *std::min_element(v, v + map.sampleCount()), hi = *std::max_element(v, v + map.sampleCount());
  const pm::Metadata m = adcMetadata();
  fs::create_directories(kWork);
  const std::string path = kWork + "/float.dcm";
  const pm::WriteSummary summary = pm::writeParametricMap(map, "adc.nrrd", m, s.index, path, {});
  CHECK(summary.frames == 4);
  CHECK(summary.pixelType == pm::PixelType::Float32);
  CHECK(summary.matchedSlices == 4);

  DcmFileFormat file;
  REQUIRE(file.loadFile(path.c_str()).good());
  DcmDataset& ds = *file.getDataset();
  CHECK(text(ds, DCM_SOPClassUID) == "1.2.840.10008.5.1.4.1.1.30");
  CHECK(text(ds, DCM_SOPInstanceUID) == summary.sopInstanceUID);
  CHECK(text(ds, DCM_Modality) == "CT");  // from the source series
  CHECK(text(ds, DCM_SeriesDescription) == "ADC map");
  CHECK(text(ds, DCM_SeriesNumber) == "701");
  CHECK(text(ds, DCM_ImageType, 3) == "ADC");
  CHECK(text(ds, DCM_NumberOfFrames) == "4");
  CHECK(text(ds, DCM_Rows) == "10");
  CHECK(text(ds, DCM_Columns) == "12");
  CHECK(text(ds, DCM_BitsAllocated) == "32");
  CHECK_FALSE(ds.tagExists(DCM_PixelData));
  CHECK_FALSE(ds.tagExists(DCM_BitsStored));
  REQUIRE(ds.tagExists(DCM_FloatPixelData));

  DcmItem& shared = item(ds, DCM_SharedFunctionalGroupsSequence);
  DcmItem& rwvm = item(shared, DCM_RealWorldValueMappingSequence);
  CHECK(fd(rwvm, DCM_RealWorldValueSlope) == 1.5);
  CHECK(fd(rwvm, DCM_RealWorldValueIntercept) == -0.25);
  CHECK(fd(rwvm, DCM_DoubleFloatRealWorldValueFirstValueMapped) == static_cast<double>(lo));
  CHECK(fd(rwvm, DCM_DoubleFloatRealWorldValueLastValueMapped) == static_cast<double>(hi));
  CHECK_FALSE(rwvm.tagExists(DCM_RealWorldValueFirstValueMapped));
  CHECK(text(rwvm, DCM_LUTLabel) == "um2/s");
  CHECK(text(rwvm, DCM_LUTExplanation) == "um2/s");
  CHECK(code(rwvm, DCM_MeasurementUnitsCodeSequence) == m.units);
  checkQuantityDefinitions(rwvm, m);
  DcmItem& anatomy = item(shared, DCM_FrameAnatomySequence);
  CHECK(text(anatomy, DCM_FrameLaterality) == "U");
  CHECK(code(anatomy, DCM_AnatomicRegionSequence) == m.anatomicRegion);
  CHECK(text(item(shared, DCM_PlaneOrientationSequence), DCM_ImageOrientationPatient, 0) == "1");

  // Per frame: position, dimension index, derivation with its source image.
  REQUIRE(items(ds, DCM_PerFrameFunctionalGroupsSequence) == 4);
  const Float32* floats = nullptr;
  REQUIRE(ds.findAndGetFloat32Array(DCM_FloatPixelData, floats).good());
  for (std::size_t f = 0; f < 4; ++f) {
    INFO("frame " << f + 1);
    DcmItem& frame = item(ds, DCM_PerFrameFunctionalGroupsSequence, f);
    CHECK(norm(position(frame) - map.grid.slicePosition(f)) < 1e-4);
    Uint32 index = 0;
    item(frame, DCM_FrameContentSequence).findAndGetUint32(DCM_DimensionIndexValues, index);
    CHECK(index == f + 1);
    DcmItem& derivation = item(frame, DCM_DerivationImageSequence);
    CHECK(code(derivation, DCM_DerivationCodeSequence) == *m.derivation);
    CHECK(text(derivation, DCM_DerivationDescription) == m.derivationDescription);
    REQUIRE(items(derivation, DCM_SourceImageSequence) == 1);
    CHECK(text(item(derivation, DCM_SourceImageSequence), DCM_ReferencedSOPInstanceUID) == sourceAt(s, f));
    CHECK(std::equal(floats + f * 120, floats + (f + 1) * 120, v + f * 120));
  }

  // The reader gives back the grid, the voxels and the metadata.
  const pm::ReadResult back = pm::readParametricMap(path, {});
  CHECK(back.frames == 4);
  CHECK(back.image.type == PixelType::Float32);
  CHECK(sameGrid(back.image.grid, map.grid));
  CHECK(std::equal(v, v + map.sampleCount(), back.image.samples<float>()));
  const pm::Metadata& r = back.metadata;
  CHECK(r.quantity == m.quantity);
  CHECK(r.units == m.units);
  CHECK(r.measurementMethod == m.measurementMethod);
  CHECK(r.derivation == m.derivation);
  CHECK(r.derivationDescription == m.derivationDescription);
  CHECK(r.diffusionBValues == m.diffusionBValues);
  CHECK(r.slope == 1.5);
  CHECK(r.intercept == -0.25);
  CHECK(r.anatomicRegion == m.anatomicRegion);
  CHECK(r.frameLaterality == "U");
  CHECK(r.derivedPixelContrast == "ADC");
  CHECK(r.seriesDescription == "ADC map");
  CHECK(r.seriesNumber == "701");
}

TEST_CASE("an int16 map on a negated grid: signed Pixel Data in ascending frame order, mapped to real values") {
  const Series s = makeSeries("int16-negated", synth::Orientation::Negated);
  Volume map;
  map.grid = s.out.seriesGrid;
  map.type = PixelType::Int16;
  map.allocate();
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t j = 0; j < 10; ++j)
      for (std::size_t i = 0; i < 12; ++i)
        map.samples<std::int16_t>()[map.grid.index(i, j, k)] = static_cast<std::int16_t>(
            (static_cast<int>(i) - 5) * 100 + static_cast<int>(j) * 3 - static_cast<int>(k) * 1000);
  pm::Metadata m = adcMetadata();
  m.units = {"mm2/s", "UCUM", "mm2/s", ""};
  m.slope = 0.001;
  m.intercept = 2.5;
  const std::string path = kWork + "/int16.dcm";
  const pm::WriteSummary summary = pm::writeParametricMap(map, "adc.nrrd", m, s.index, path, {});
  CHECK(summary.pixelType == pm::PixelType::Int16);

  DcmFileFormat file;
  REQUIRE(file.loadFile(path.c_str()).good());
  DcmDataset& ds = *file.getDataset();
  CHECK(text(ds, DCM_SOPClassUID) == "1.2.840.10008.5.1.4.1.1.30");
  CHECK_FALSE(ds.tagExists(DCM_FloatPixelData));
  REQUIRE(ds.tagExists(DCM_PixelData));
  CHECK(text(ds, DCM_BitsAllocated) == "16");
  CHECK(text(ds, DCM_BitsStored) == "16");
  CHECK(text(ds, DCM_HighBit) == "15");
  CHECK(text(ds, DCM_PixelRepresentation) == "1");
  DcmItem& rwvm = item(item(ds, DCM_SharedFunctionalGroupsSequence), DCM_RealWorldValueMappingSequence);
  DcmElement* first = nullptr;
  DcmElement* last = nullptr;
  REQUIRE(rwvm.findAndGetElement(DCM_RealWorldValueFirstValueMapped, first).good());
  REQUIRE(rwvm.findAndGetElement(DCM_RealWorldValueLastValueMapped, last).good());
  CHECK(first->ident() == EVR_SS);  // signed pixels: the mapped range is SS
  Sint16 lo = 0, hi = 0;
  first->getSint16(lo);
  last->getSint16(hi);
  CHECK(lo == -5 * 100 - 3000);
  CHECK(hi == 6 * 100 + 27);
  CHECK_FALSE(rwvm.tagExists(DCM_DoubleFloatRealWorldValueFirstValueMapped));
  CHECK(fd(rwvm, DCM_RealWorldValueSlope) == 0.001);
  CHECK(fd(rwvm, DCM_RealWorldValueIntercept) == 2.5);
  CHECK(text(rwvm, DCM_LUTLabel) == "mm2/s");
  CHECK(code(rwvm, DCM_MeasurementUnitsCodeSequence) == m.units);
  checkQuantityDefinitions(rwvm, m);

  // The grid runs against the normal: frames go from slice 3 down to slice 0.
  const Uint16* words = nullptr;
  REQUIRE(ds.findAndGetUint16Array(DCM_PixelData, words).good());
  for (std::size_t f = 0; f < 4; ++f) {
    const std::size_t k = 3 - f;
    INFO("frame " << f + 1 << " holds slice " << k);
    DcmItem& frame = item(ds, DCM_PerFrameFunctionalGroupsSequence, f);
    CHECK(norm(position(frame) - map.grid.slicePosition(k)) < 1e-4);
    CHECK(text(item(item(frame, DCM_DerivationImageSequence), DCM_SourceImageSequence), DCM_ReferencedSOPInstanceUID) ==
          sourceAt(s, k));
    const auto* slice = reinterpret_cast<const Uint16*>(map.samples<std::int16_t>() + k * 120);
    CHECK(std::equal(words + f * 120, words + (f + 1) * 120, slice));
  }

  // Read back: the grid along the normal (the negated one flipped), stored or real-world values.
  Grid flipped = map.grid;
  flipped.origin = map.grid.slicePosition(3);
  flipped.direction[2] = map.grid.normal();
  for (bool realWorld : {false, true}) {
    pm::ReaderOptions ro;
    ro.realWorldValues = realWorld;
    const pm::ReadResult back = pm::readParametricMap(path, ro);
    CHECK(sameGrid(back.image.grid, flipped));
    CHECK(back.image.type == (realWorld ? PixelType::Float32 : PixelType::Int16));
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < 4; ++k)
      for (std::size_t p = 0; p < 120; ++p) {
        const double stored = map.samples<std::int16_t>()[(3 - k) * 120 + p];
        const double got = back.image.sampleAsDouble(k * 120 + p);
        wrong += realWorld ? std::fabs(got - static_cast<float>(stored * 0.001 + 2.5)) > 1e-6 : got != stored;
      }
    CHECK(wrong == 0);
    CHECK(back.metadata.slope == 0.001);
    CHECK(back.metadata.intercept == 2.5);
    CHECK(back.metadata.units == m.units);
  }
}

TEST_CASE("the document head: unsigned range as US, nothing at or after the per-frame groups, one frame per slice") {
  const Series s = makeSeries("document-axial", synth::Orientation::Axial);
  const Grid& grid = s.out.seriesGrid;
  const std::vector<std::size_t> slices{0, 1, 2, 3};
  const std::vector<SliceMatch> matches{matchSlices(grid, s.index)};
  std::vector<std::pair<std::size_t, std::size_t>> frames;
  for (std::size_t k : slices) frames.emplace_back(0, k);
  const pm::Metadata m = adcMetadata();
  const source::SourceReferences references(s.index, matches, frames, true,
                                            {*m.derivation, m.derivationDescription, codes::sourceImagePurpose()});
  pm::PixelDescription pixels;
  pixels.type = pm::PixelType::UInt16;
  pixels.minimum = 7;
  pixels.maximum = 4000;
  const pm::Document document(grid, slices, m, pixels, references, "CT", {});
  CHECK(pm::bitsAllocated(pm::PixelType::UInt16) == 16);
  CHECK(pm::bitsAllocated(pm::PixelType::Float64) == 64);
  CHECK(pm::isFloating(pm::PixelType::Float32));
  CHECK_FALSE(pm::isFloating(pm::PixelType::Int16));
  const std::unique_ptr<DcmDataset> head = document.head();
  CHECK(text(*head, DCM_SOPInstanceUID) == document.sopInstanceUID());
  CHECK(text(*head, DCM_PixelRepresentation) == "0");
  for (unsigned long n = 0; n < head->card(); ++n)
    CHECK(head->getElement(n)->getTag() < DCM_PerFrameFunctionalGroupsSequence);
  DcmItem& rwvm = item(item(*head, DCM_SharedFunctionalGroupsSequence), DCM_RealWorldValueMappingSequence);
  DcmElement* first = nullptr;
  REQUIRE(rwvm.findAndGetElement(DCM_RealWorldValueFirstValueMapped, first).good());
  CHECK(first->ident() == EVR_US);
  Uint16 lo = 0, hi = 0;
  rwvm.findAndGetUint16(DCM_RealWorldValueFirstValueMapped, lo);
  rwvm.findAndGetUint16(DCM_RealWorldValueLastValueMapped, hi);
  CHECK(lo == 7);
  CHECK(hi == 4000);
  DcmItem& voi = item(item(*head, DCM_SharedFunctionalGroupsSequence), DCM_FrameVOILUTSequence);
  CHECK(text(voi, DCM_WindowCenter) == "2003.5");
  CHECK(text(voi, DCM_WindowWidth) == "3993");
  // The per-frame item of frame 3: its slice's position and source.
  DcmItem perFrame;
  document.fillPerFrame(2, perFrame);
  CHECK(norm(position(perFrame) - grid.slicePosition(2)) < 1e-4);
  CHECK(text(item(item(perFrame, DCM_DerivationImageSequence), DCM_SourceImageSequence),
             DCM_ReferencedSOPInstanceUID) == sourceAt(s, 2));
  // Float maps cannot be encapsulated: the writer refuses JPEG 2000 for them.
  Volume map;
  map.grid = grid;
  map.type = PixelType::Float32;
  map.allocate();
  pm::WriterOptions o;
  o.compression = Compression::Jpeg2000;
  CHECK_THROWS_AS(pm::writeParametricMap(map, "adc.nrrd", m, s.index, kWork + "/refused.dcm", o), Error);
  CHECK_FALSE(fs::exists(kWork + "/refused.dcm"));
}
