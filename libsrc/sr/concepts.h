#pragma once
// The coded concepts of TID 1500 and the templates it includes, in one place
// for the writer and the reader.
#include "qidcm/codes.h"

namespace qidcm::sr::concepts {

// TID 1500
inline Code measurementReport() { return {"126000", "DCM", "Imaging Measurement Report", ""}; }
inline Code language() { return {"121049", "DCM", "Language of Content Item and Descendants", ""}; }
inline Code countryOfLanguage() { return {"121046", "DCM", "Country of Language", ""}; }
inline Code englishUS() { return {"en-US", "RFC5646", "English (United States)", ""}; }  // CID 5000
inline Code unitedStates() { return {"US", "ISO3166_1", "United States", ""}; }         // CID 5001
inline Code procedureReported() { return {"121058", "DCM", "Procedure reported", ""}; }
inline Code imagingProcedure() { return {"363679005", "SCT", "Imaging procedure", ""}; }  // CID 100
inline Code imagingMeasurements() { return {"126010", "DCM", "Imaging Measurements", ""}; }
// TID 1002-1004
inline Code observerType() { return {"121005", "DCM", "Observer Type", ""}; }
inline Code person() { return {"121006", "DCM", "Person", ""}; }
inline Code device() { return {"121007", "DCM", "Device", ""}; }
inline Code personObserverName() { return {"121008", "DCM", "Person Observer Name", ""}; }
inline Code deviceObserverUID() { return {"121012", "DCM", "Device Observer UID", ""}; }
inline Code deviceObserverName() { return {"121013", "DCM", "Device Observer Name", ""}; }
inline Code deviceObserverManufacturer() { return {"121014", "DCM", "Device Observer Manufacturer", ""}; }
inline Code deviceObserverModelName() { return {"121015", "DCM", "Device Observer Model Name", ""}; }
inline Code deviceObserverSerialNumber() { return {"121016", "DCM", "Device Observer Serial Number", ""}; }
// TID 1600
inline Code imageLibrary() { return {"111028", "DCM", "Image Library", ""}; }
inline Code imageLibraryGroup() { return {"126200", "DCM", "Image Library Group", ""}; }
// TID 1411, 1502, 1419
inline Code measurementGroup() { return {"125007", "DCM", "Measurement Group", ""}; }
inline Code activitySession() { return {"C67447", "NCIt", "Activity Session", ""}; }
inline Code trackingIdentifier() { return {"112039", "DCM", "Tracking Identifier", ""}; }
inline Code trackingUID() { return {"112040", "DCM", "Tracking Unique Identifier", ""}; }
inline Code finding() { return {"121071", "DCM", "Finding", ""}; }
inline Code timePoint() { return {"C2348792", "UMLS", "Time Point", ""}; }
inline Code referencedSegment() { return {"121191", "DCM", "Referenced Segment", ""}; }
inline Code sourceSeriesForSegmentation() { return {"121232", "DCM", "Source series for segmentation", ""}; }
inline Code realWorldValueMap() { return {"126100", "DCM", "Real World Value Map used for measurement", ""}; }
inline Code measurementMethod() { return {"370129005", "SCT", "Measurement Method", ""}; }
inline Code findingSite() { return {"363698007", "SCT", "Finding Site", ""}; }
inline Code laterality() { return {"272741003", "SCT", "Laterality", ""}; }
inline Code derivation() { return {"121401", "DCM", "Derivation", ""}; }
inline Code populationDescription() { return {"121405", "DCM", "Population description", ""}; }
// TID 4019
inline Code algorithmName() { return {"111001", "DCM", "Algorithm Name", ""}; }
inline Code algorithmVersion() { return {"111003", "DCM", "Algorithm Version", ""}; }
inline Code algorithmParameters() { return {"111002", "DCM", "Algorithm Parameters", ""}; }

// Older SRT equivalents that readers meet in documents from other writers.
inline bool isMeasurementMethod(const Code& c) { return c.value == "370129005" || c.value == "G-C306" || c.value == "G-C036"; }
inline bool isFindingSite(const Code& c) { return c.value == "363698007" || c.value == "G-C0E3"; }
inline bool isLaterality(const Code& c) { return c.value == "272741003" || c.value == "G-C171"; }

}  // namespace qidcm::sr::concepts
