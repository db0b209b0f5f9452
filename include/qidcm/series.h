#pragma once
// The series and content-identification attributes the IODs qidcm writes
// and reads have in common. Each IOD's Metadata derives from SeriesAttributes
// (seg::Metadata, pm::Metadata, sr::Metadata), sets its own defaults in its
// constructor, and uses the fields its JSON schema knows. The JSON key of
// each field is the DICOM keyword of its attribute:
//
//   field                                DICOM attribute                     SEG PM SR
//   seriesDescription                    Series Description (0008,103E)       x  x  x
//   seriesNumber                         Series Number (0020,0011)            x  x  x
//   instanceNumber                       Instance Number (0020,0013)          x  x  x
//   bodyPartExamined                     Body Part Examined (0018,0015)       x  x
//   contentLabel                         Content Label (0070,0080)            x  x
//   contentDescription                   Content Description (0070,0081)      x  x
//   contentCreatorName                   Content Creator's Name (0070,0084)   x  x
//   clinicalTrialSeriesID                Clinical Trial Series ID (0012,0071) x
//   clinicalTrialTimePointID             Clinical Trial Time Point ID         x
//                                          (0012,0050)
//   clinicalTrialCoordinatingCenterName  Clinical Trial Coordinating Center   x
//                                          Name (0012,0060)
//
// A field an IOD does not use is neither read nor written by it (from JSON
// or DICOM), and stays empty. Values are kept as text, as the JSON or the
// file has them (SeriesNumber "300", not 300).
#include <string>

namespace qidcm {

struct SeriesAttributes {
  // General Series.
  std::string seriesDescription;
  std::string seriesNumber;
  std::string bodyPartExamined;  // writers: empty takes the source's (PM: upper case)
  // General Image.
  std::string instanceNumber;
  // Content Identification.
  std::string contentLabel;
  std::string contentDescription;
  std::string contentCreatorName;
  // Clinical Trial Series.
  std::string clinicalTrialSeriesID;
  std::string clinicalTrialTimePointID;
  std::string clinicalTrialCoordinatingCenterName;
};

}  // namespace qidcm
