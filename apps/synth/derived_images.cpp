// The CT series and the parametric map of the phantom (synth/derived_images.h).
#include "synth/derived_images.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/output_transaction.h"
#include "dicom/dataset_util.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"
#include "qidcm/uid.h"

namespace qidcm::synth {
namespace {

void writeCtSlice(const std::string& path, const Options& o, const Grid& g, std::size_t k,
                  const std::vector<std::int16_t>& hu, const std::string& studyUID, const std::string& seriesUID,
                  const std::string& forUID) {
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  const dicom::ValueWriter w(true);
  const Vec3 position = g.slicePosition(k);
  const double iop[6] = {g.rowCosine()[0], g.rowCosine()[1], g.rowCosine()[2],
                         g.columnCosine()[0], g.columnCosine()[1], g.columnCosine()[2]};
  const double spacing[2] = {g.spacing[1], g.spacing[0]};
  w.put(ds, DCM_SpecificCharacterSet, "ISO_IR 100");
  w.put(ds, DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
  w.put(ds, DCM_SOPClassUID, UID_CTImageStorage);
  w.put(ds, DCM_SOPInstanceUID, newUid());
  w.put(ds, DCM_StudyDate, "20260101");
  w.put(ds, DCM_SeriesDate, "20260101");
  w.put(ds, DCM_AcquisitionDate, "20260101");
  w.put(ds, DCM_ContentDate, "20260101");
  w.put(ds, DCM_StudyTime, "120000");
  w.put(ds, DCM_SeriesTime, "120100");
  w.put(ds, DCM_AcquisitionTime, "120100");
  w.put(ds, DCM_ContentTime, "120100");
  w.put(ds, DCM_AccessionNumber, "SYNTH0001");
  w.put(ds, DCM_Modality, "CT");
  w.put(ds, DCM_Manufacturer, "qidcm synthetic data generator");
  w.put(ds, DCM_ReferringPhysicianName, "");
  w.put(ds, DCM_StudyDescription, "Synthetic CT");
  w.put(ds, DCM_SeriesDescription, "Synthetic CT series");
  w.put(ds, DCM_ManufacturerModelName, "qidcm-synth");
  w.put(ds, DCM_PatientName, o.patientName);
  w.put(ds, DCM_PatientID, o.patientID);
  w.put(ds, DCM_PatientBirthDate, "19700101");
  w.put(ds, DCM_PatientSex, "O");
  w.put(ds, DCM_PatientAge, "056Y");
  w.put(ds, DCM_PatientIdentityRemoved, "YES");
  w.put(ds, DCM_DeidentificationMethod, "synthetic data");
  w.put(ds, DCM_BodyPartExamined, "ABDOMEN");
  w.put(ds, DCM_SliceThickness, formatDS(g.spacing[2]));
  w.put(ds, DCM_KVP, "120");
  w.put(ds, DCM_DeviceSerialNumber, "0");
  w.put(ds, DCM_SoftwareVersions, "qidcm-synth");
  w.put(ds, DCM_PatientPosition, "HFS");
  w.put(ds, DCM_StudyInstanceUID, studyUID);
  w.put(ds, DCM_SeriesInstanceUID, seriesUID);
  w.put(ds, DCM_StudyID, "1");
  w.put(ds, DCM_SeriesNumber, "1");
  w.put(ds, DCM_AcquisitionNumber, "1");
  w.put(ds, DCM_InstanceNumber, std::to_string(k + 1));
  w.put(ds, DCM_ImagePositionPatient, formatDS(position.data(), 3));
  w.put(ds, DCM_ImageOrientationPatient, formatDS(iop, 6));
  w.put(ds, DCM_FrameOfReferenceUID, forUID);
  w.put(ds, DCM_PositionReferenceIndicator, "");
  w.put(ds, DCM_SliceLocation, formatDS(dot(position, g.normal())));
  w.putUint16(ds, DCM_SamplesPerPixel, 1);
  w.put(ds, DCM_PhotometricInterpretation, "MONOCHROME2");
  w.putUint16(ds, DCM_Rows, static_cast<Uint16>(g.rows()));
  w.putUint16(ds, DCM_Columns, static_cast<Uint16>(g.columns()));
  w.put(ds, DCM_PixelSpacing, formatDS(spacing, 2));
  w.putUint16(ds, DCM_BitsAllocated, 16);
  w.putUint16(ds, DCM_BitsStored, 12);
  w.putUint16(ds, DCM_HighBit, 11);
  w.putUint16(ds, DCM_PixelRepresentation, 0);
  w.put(ds, DCM_WindowCenter, "40");
  w.put(ds, DCM_WindowWidth, "400");
  w.put(ds, DCM_RescaleIntercept, "-1024");
  w.put(ds, DCM_RescaleSlope, "1");
  w.put(ds, DCM_RescaleType, "HU");
  const std::size_t pixels = g.slicePixels();
  std::vector<Uint16> stored(pixels);
  for (std::size_t p = 0; p < pixels; ++p)
    stored[p] = static_cast<Uint16>(std::clamp(hu[k * pixels + p] + 1024, 0, 4095));
  ds.putAndInsertUint16Array(DCM_PixelData, stored.data(), static_cast<unsigned long>(pixels));
  OFCondition status = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) throwOutput(path, std::string("cannot write: ") + status.text());
}

}  // namespace

void writeCtSeries(const Options& o, const Grid& g, const std::vector<std::uint16_t>& labels, std::mt19937& rng,
                   Outputs& out) {
  // Body: an elliptic cylinder filling most of the field of view.
  const double bi = (o.columns - 1) / 2.0, bj = (o.rows - 1) / 2.0;
  const double bri = 0.45 * o.columns, brj = 0.36 * o.rows;
  const std::size_t plane = g.slicePixels();
  std::vector<std::int16_t> hu(g.voxels());
  std::normal_distribution<double> noise(0.0, 8.0);
  for (std::size_t k = 0; k < o.slices; ++k)
    for (std::size_t j = 0; j < o.rows; ++j)
      for (std::size_t i = 0; i < o.columns; ++i) {
        const std::size_t n = k * plane + j * o.columns + i;
        const double di = (i - bi) / bri, dj = (j - bj) / brj;
        double value = di * di + dj * dj <= 1.0 ? 40.0 : -1000.0;
        if (labels[n]) value = 20.0 + 15.0 * (labels[n] % 8);
        hu[n] = static_cast<std::int16_t>(std::lround(value + noise(rng)));
      }
  out.seriesDirectory = o.outputDirectory + "/ct";
  createDirectories(out.seriesDirectory);
  const std::string studyUID = newUid(), seriesUID = newUid(), forUID = newUid();
  for (std::size_t k = 0; k < o.slices; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "/CT%06zu.dcm", k + 1);
    writeCtSlice(out.seriesDirectory + name, o, g, k, hu, studyUID, seriesUID, forUID);
  }
}

// An ADC-like map (mm2/s): a smooth gradient across the body, a distinct
// level per segment, a little noise; zero outside the body.
void writeParametricMap(const Options& o, const Grid& g, const std::vector<std::uint16_t>& labels, Outputs& out) {
  Volume map;
  map.type = PixelType::Float32;
  map.grid = g;
  map.allocate();
  float* v = map.samples<float>();
  std::mt19937 rng(o.seed + 7);
  std::normal_distribution<double> noise(0.0, 2e-5);
  const double bi = (o.columns - 1) / 2.0, bj = (o.rows - 1) / 2.0, bri = 0.45 * o.columns, brj = 0.36 * o.rows;
  const std::size_t plane = g.slicePixels();
  for (std::size_t k = 0; k < o.slices; ++k)
    for (std::size_t j = 0; j < o.rows; ++j)
      for (std::size_t i = 0; i < o.columns; ++i) {
        const std::size_t n = k * plane + j * o.columns + i;
        const double di = (i - bi) / bri, dj = (j - bj) / brj;
        double value = 0;
        if (di * di + dj * dj <= 1.0) value = 1.2e-3 + 4e-4 * di + noise(rng);
        if (labels[n]) value = 6e-4 + 1e-4 * (labels[n] % 10) + noise(rng);
        v[n] = static_cast<float>(value);
      }
  out.parametricMapPath = o.outputDirectory + "/pmap.nrrd";
  writeImage(out.parametricMapPath, map, true);
  const nlohmann::json meta = {
      {"SeriesDescription", "Synthetic ADC"},
      {"SeriesNumber", "701"},
      {"InstanceNumber", "1"},
      {"BodyPartExamined", "ABDOMEN"},
      {"QuantityValueCode", {{"CodeValue", "113041"}, {"CodingSchemeDesignator", "DCM"},
                             {"CodeMeaning", "Apparent Diffusion Coefficient"}}},
      {"MeasurementUnitsCode", {{"CodeValue", "mm2/s"}, {"CodingSchemeDesignator", "UCUM"},
                                {"CodeMeaning", "mm2/s"}}},
      {"MeasurementMethodCode", {{"CodeValue", "113250"}, {"CodingSchemeDesignator", "DCM"},
                                 {"CodeMeaning", "Mono-exponential ADC model"}}},
      {"SourceImageDiffusionBValues", {"0", "800"}},
      {"RealWorldValueSlope", 1},
      {"AnatomicRegionSequence", {{"CodeValue", "818981001"}, {"CodingSchemeDesignator", "SCT"},
                                  {"CodeMeaning", "Abdomen"}}},
      {"FrameLaterality", "U"}};
  out.parametricMapMetadataPath = o.outputDirectory + "/pm-meta.json";
  std::ofstream json(out.parametricMapMetadataPath);
  json << meta.dump(2) << "\n";
  if (!json) throwOutput(out.parametricMapMetadataPath, "cannot write");
}

}  // namespace qidcm::synth
