// qidcm-compare: are two images the same voxels on the same grid?
#include <cmath>
#include <cstdio>

#include "common/app.h"
#include "qidcm/error.h"
#include "qidcm/image_io.h"

using namespace qidcm;

int main(int argc, char** argv) {
  std::string a, b;
  double tolerance = 1e-4;
  int status = 0;
  const app::Description description{
      "qidcm-compare",
      "Compare two images (NRRD, NIfTI, MetaImage): grid (size, origin, spacing, direction) within a tolerance, and "
      "every voxel value. Exit 0 when they are equal, 5 when they differ.",
      "  qidcm-compare label.nrrd out/1.nrrd\n"};
  const int code = app::run(
      description, argc, argv,
      [&](CLI::App& app) {
        app.add_option("first", a, "First image")->required();
        app.add_option("second", b, "Second image")->required();
        app.add_option("--tolerance", tolerance, "Geometry tolerance (default 1e-4)");
      },
      [&] {
        const Volume va = readImage(a), vb = readImage(b);
        const std::string difference = describeGridDifference(va.grid, vb.grid, tolerance);
        if (!difference.empty()) {
          std::printf("grids differ: %s\n", difference.c_str());
          status = 5;
          return;
        }
        if (va.components != vb.components) {
          std::printf("components differ: %zu and %zu\n", va.components, vb.components);
          status = 5;
          return;
        }
        std::size_t differ = 0, nonzero = 0, first = 0;
        for (std::size_t n = 0; n < va.sampleCount(); ++n) {
          const double x = va.sampleAsDouble(n / va.components, n % va.components);
          const double y = vb.sampleAsDouble(n / vb.components, n % vb.components);
          if (x != y && !(std::isnan(x) && std::isnan(y))) {
            if (differ++ == 0) first = n;
          }
          nonzero += x != 0;
        }
        if (differ) {
          std::printf("%zu of %zu voxels differ (first at linear index %zu)\n", differ, va.sampleCount(), first);
          status = 5;
          return;
        }
        std::printf("identical: %zux%zux%zu voxels (%zu non-zero), same geometry\n", va.grid.size[0], va.grid.size[1],
                    va.grid.size[2], nonzero);
      });
  return code != 0 ? code : status;
}
