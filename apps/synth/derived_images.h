#pragma once
// The images qidcm-synth derives from the phantom's labels besides the label
// image: the CT series they are drawn on, and an ADC-like parametric map with
// its metadata. Internal to the qidcm_synth library.
#include <cstdint>
#include <random>
#include <vector>

#include "synth/synth.h"

namespace qidcm::synth {

// The CT series in <output>/ct, one file per slice: air outside the body,
// soft tissue inside, one HU level per label, noise drawn from `rng`.
void writeCtSeries(const Options& o, const Grid& g, const std::vector<std::uint16_t>& labels, std::mt19937& rng,
                   Outputs& out);

// pmap.nrrd, an ADC-like map (mm2/s) on the series grid, and pm-meta.json.
void writeParametricMap(const Options& o, const Grid& g, const std::vector<std::uint16_t>& labels, Outputs& out);

}  // namespace qidcm::synth
