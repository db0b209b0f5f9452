#include "core/parallel.h"

#include <atomic>
#include <exception>
#include <thread>

namespace qidcm {

void parallelFor(std::size_t count, const std::function<void(int, std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failures[2];
  auto worker = [&](int id) {
    try {
      for (std::size_t i = next++; i < count; i = next++) work(id, i);
    } catch (...) {
      failures[id] = std::current_exception();
      next = count;
    }
  };
  if (count > 1 && std::thread::hardware_concurrency() > 1) {
    std::thread helper(worker, 1);
    worker(0);
    helper.join();
  } else {
    worker(0);
  }
  for (auto& e : failures)
    if (e) std::rethrow_exception(e);
}

}  // namespace qidcm
