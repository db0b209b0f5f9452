// label_to_seg: builds a label volume in memory -- two spheres on the grid of
// a CT series -- and writes it as a DICOM Segmentation with the qidcm library,
// with no research-format file in between. Then reads the SEG back and checks
// that every voxel survived.
//
// Usage: label_to_seg <CT series directory> <output SEG> [binary|labelmap]
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <qidcm/qidcm.h>

namespace {

qidcm::seg::SegmentDescription segment(std::uint64_t label, const char* name, const qidcm::Code& type,
                                       qidcm::RGB colour) {
  qidcm::seg::SegmentDescription s;
  s.labelID = label;  // the voxel value in the label volume
  s.label = name;
  s.category = {"123037004", "SCT", "Anatomical Structure"};
  s.type = type;
  s.algorithmType = qidcm::seg::SegmentAlgorithmType::Automatic;
  s.algorithmName = "label_to_seg example";
  s.rgb = colour;
  return s;
}

// Paints a ball of `radius` mm around voxel centre (ci, cj, ck) with `label`.
void paintBall(qidcm::Volume& v, double ci, double cj, double ck, double radius, std::uint8_t label) {
  using qidcm::operator-;  // Vec3 is a std::array: its operators live in qidcm
  const qidcm::Grid& g = v.grid;
  std::uint8_t* voxels = v.samples<std::uint8_t>();
  const qidcm::Vec3 centre = g.point(ci, cj, ck);
  for (std::size_t k = 0; k < g.slices(); ++k)
    for (std::size_t j = 0; j < g.rows(); ++j)
      for (std::size_t i = 0; i < g.columns(); ++i)
        if (qidcm::norm(g.point(double(i), double(j), double(k)) - centre) <= radius)
          voxels[(k * g.rows() + j) * g.columns() + i] = label;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <CT series directory> <output SEG> [binary|labelmap]\n", argv[0]);
    return 2;
  }
  try {
    // 1. The source series: headers only, no pixel data.
    const qidcm::SourceIndex ct = qidcm::SourceIndex::scan({}, {argv[1]});

    // 2. A label volume on the CT's grid, in memory.
    std::vector<qidcm::seg::LabelImage> labels(1);
    labels[0].path = "(in memory)";  // named in messages
    qidcm::Volume& volume = labels[0].volume;
    volume.grid = qidcm::seriesGrid(ct);
    volume.type = qidcm::PixelType::UInt8;
    volume.allocate();  // zero-filled
    const qidcm::Grid& g = volume.grid;
    const double radius = 0.2 * g.columns() * g.spacing[0];
    paintBall(volume, 0.35 * g.columns(), 0.5 * g.rows(), 0.5 * g.slices(), radius, 1);
    paintBall(volume, 0.70 * g.columns(), 0.5 * g.rows(), 0.5 * g.slices(), 0.6 * radius, 2);

    // 3. What the segments are: the typed form of dcmqi's metadata JSON.
    qidcm::seg::Metadata metadata;
    metadata.seriesDescription = "label_to_seg example";
    metadata.segmentAttributes = {{segment(1, "Liver", {"10200004", "SCT", "Liver"}, {221, 130, 101}),
                                   segment(2, "Spleen", {"78961009", "SCT", "Spleen"}, {157, 108, 162})}};

    // 4. The SEG.
    qidcm::seg::WriterOptions options;
    if (argc > 3 && std::string(argv[3]) == "labelmap") {
      options.type = qidcm::seg::SegmentationType::Labelmap;
      options.compression = qidcm::Compression::Rle;
    }
    const qidcm::seg::WriteSummary written = qidcm::seg::writeSegmentation(labels, metadata, ct, argv[2], options);
    std::printf("wrote %s: %s, %zu segments, %zu frames, %zu source images referenced, %llu bytes\n", argv[2],
                qidcm::seg::toString(options.type).c_str(), written.segments, written.frames,
                written.referencedInstances, static_cast<unsigned long long>(written.bytes));

    // 5. Read it back (segments merged into one image) and compare voxels.
    qidcm::seg::ReaderOptions readOptions;
    readOptions.mergeSegments = true;
    readOptions.referenceDirectory = argv[1];  // the full extent of the CT grid
    std::size_t differences = 0, images = 0;
    qidcm::seg::readSegmentation(argv[2], readOptions, [&](const qidcm::seg::ReaderImage& image) {
      ++images;
      if (!qidcm::sameGrid(image.volume.grid, g)) {
        std::printf("grid differs: %s\n", qidcm::describeGridDifference(image.volume.grid, g).c_str());
        differences = g.voxels();
        return;
      }
      for (std::size_t n = 0; n < g.voxels(); ++n)
        if (image.volume.sampleAsDouble(n) != volume.sampleAsDouble(n)) ++differences;
    });
    std::printf("read back: %zu image(s), %zu of %zu voxels differ\n", images, differences, g.voxels());
    return differences == 0 && images == 1 ? 0 : 1;
  } catch (const qidcm::Error& e) {
    // e.what() is the one-line message: file, key or attribute, and what is wrong.
    std::fprintf(stderr, "label_to_seg: %s\n", e.what());
    return qidcm::exitCode(e.kind());
  }
}
