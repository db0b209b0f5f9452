#pragma once
// A PET series' headers as the SUV computation needs them (qidcm/pet/suv.h),
// read with DCMTK, never the pixel data.
#include <optional>
#include <string>
#include <vector>

#include "qidcm/geometry.h"
#include "qidcm/pet/suv.h"

namespace qidcm::pet {

struct PetSlice {
  std::string path;
  std::string sopClassUID, sopInstanceUID;
  Vec3 position{0, 0, 0};
};

// A header value the computation read, and where it came from, for the
// provenance JSON: `source` names the attribute ("PatientWeight (0010,1030)")
// or the private element and its creator.
struct InputValue {
  std::string name;    // "PatientWeight", "GEPostInjectionDateTime", ...
  std::string value;   // as the file has it
  std::string source;
};

struct PetSeries {
  std::string seriesInstanceUID;
  unsigned bitsStored = 16;     // of the first slice
  bool pixelSigned = false;     // Pixel Representation 1
  std::vector<InputValue> read;   // series-level values, as read from the first slice
  std::vector<PetSlice> slices;   // sorted along the slice normal; inputs.slices in the same order
  SuvInputs inputs;
  std::vector<std::string> notes;  // where values came from when not the standard attribute (private tags, ...)
};

// DICOM DA / TM / DT to seconds (since 1970 for DA and DT, since midnight for
// TM); nullopt for an empty or unreadable value. TM accepts HH, HHMM, HHMMSS
// and fractions; DT ignores a UTC offset.
std::optional<double> parseDate(const std::string& da);
std::optional<double> parseTime(const std::string& tm);
std::optional<double> parseDateTime(const std::string& dt);

// The PET (Modality PT) single-frame series among `files` (all of one
// series: the caller picks them, e.g. with SourceIndex). Series-level values
// are the first slice's. Throws Error (Input) for no readable file or for a
// file of another modality.
PetSeries readPetSeries(const std::vector<std::string>& files);

}  // namespace qidcm::pet
