// Test helper: reads an image through qidcm's ITK reader and writes its grid
// as JSON and its voxels as raw little-endian samples, so that the Python
// checks can compare DICOM output with the input voxel by voxel.
// Usage: qidcm-test-imagedump <image> <out.json> <out.raw>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "qidcm/error.h"
#include "qidcm/image_io.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: qidcm-test-imagedump <image> <out.json> <out.raw>\n");
    return 2;
  }
  try {
    const qidcm::Volume v = qidcm::readImage(argv[1]);
    static const char* numpyTypes[] = {"<u1", "<i1", "<u2", "<i2", "<u4", "<i4", "<u8", "<i8", "<f4", "<f8"};
    nlohmann::json j;
    j["size"] = v.grid.size;
    j["origin"] = v.grid.origin;
    j["spacing"] = v.grid.spacing;
    j["direction"] = v.grid.direction;
    j["dtype"] = numpyTypes[static_cast<int>(v.type)];
    j["components"] = v.components;
    j["planar"] = v.planar;
    std::ofstream(argv[2]) << j.dump(1) << "\n";
    std::ofstream raw(argv[3], std::ios::binary);
    raw.write(reinterpret_cast<const char*>(v.buffer.data()), static_cast<std::streamsize>(v.byteCount()));
    return raw ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "imagedump: %s\n", e.what());
    return 1;
  }
}
