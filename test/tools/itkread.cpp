// Test helper: reads an image with ITK's own ImageIO (NRRD, NIfTI or
// MetaImage reader, nothing of qidcm), and writes its grid as JSON and its
// voxels as raw samples, as qidcm-test-imagedump does. qidcm reads
// single-file NIfTI voxels itself; this is the check that ITK's reader reads
// what qidcm writes.
// Usage: qidcm-test-itkread <image> <out.json> <out.raw>
#include <itkImageIOBase.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: qidcm-test-itkread <image> <out.json> <out.raw>\n");
    return 2;
  }
  try {
    itk::ImageIOBase::Pointer io;
    for (itk::ImageIOBase::Pointer candidate : {itk::ImageIOBase::Pointer(itk::NrrdImageIO::New()),
                                                itk::ImageIOBase::Pointer(itk::NiftiImageIO::New()),
                                                itk::ImageIOBase::Pointer(itk::MetaImageIO::New())})
      if (candidate->CanReadFile(argv[1])) io = candidate;
    if (!io) {
      std::fprintf(stderr, "qidcm-test-itkread: %s: no ITK reader for it\n", argv[1]);
      return 1;
    }
    io->SetFileName(argv[1]);
    io->ReadImageInformation();
    const unsigned dims = io->GetNumberOfDimensions();
    nlohmann::json j;
    j["reader"] = io->GetNameOfClass();
    j["dtype"] = itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType());
    j["components"] = io->GetNumberOfComponents();
    itk::ImageIORegion region(dims);
    for (unsigned d = 0; d < dims; ++d) {
      j["size"].push_back(io->GetDimensions(d));
      j["spacing"].push_back(io->GetSpacing(d));
      j["origin"].push_back(io->GetOrigin(d));
      j["direction"].push_back(io->GetDirection(d));
      region.SetIndex(d, 0);
      region.SetSize(d, io->GetDimensions(d));
    }
    io->SetIORegion(region);
    std::vector<char> buffer(io->GetImageSizeInBytes());
    io->Read(buffer.data());
    std::ofstream(argv[2]) << j.dump(1) << "\n";
    std::ofstream raw(argv[3], std::ios::binary);
    raw.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    return raw ? 0 : 3;
  } catch (const itk::ExceptionObject& e) {
    std::fprintf(stderr, "qidcm-test-itkread: %s: %s\n", argv[1], e.GetDescription());
    return 1;
  }
}
