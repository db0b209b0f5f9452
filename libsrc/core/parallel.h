#pragma once
// Work spread over the machine's cores, two at most (what qidcm's targets
// have): the encoders of DICOM frames and of gzip blocks use it.
#include <cstddef>
#include <functional>

namespace qidcm {

// Calls work(worker, index) for every index in [0, count), on up to two
// threads; worker is 0 on the calling thread and 1 on the helper, so that
// each can keep state of its own (a compressor). The first exception thrown
// stops the remaining indexes and is rethrown here.
void parallelFor(std::size_t count, const std::function<void(int worker, std::size_t index)>& work);

}  // namespace qidcm
