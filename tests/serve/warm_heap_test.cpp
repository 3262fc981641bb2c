// WarmHeap leaves a thread's arena with resident pages: allocations after it take no first-touch faults,
// where the same allocations on a fresh thread without it take one per page.
#include "serve/warm_heap.hpp"

#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <latch>
#include <thread>
#include <vector>

namespace spymaster::serve {
namespace {

// The test is about glibc's arenas (what the server runs on); AddressSanitizer replaces malloc with its own
// allocator, which keeps freed blocks in quarantine and maps fresh pages, so the sanitizer build leaves it out
// (the Release ctest run checks it).
#if !defined(__SANITIZE_ADDRESS__)

constexpr std::size_t kFrameBytes = 86'000;  // about a window's velocity frame
constexpr int kFrames = 100;

// Minor faults the calling thread takes while it allocates and fills kFrames frames (kept until the end).
long FaultsOfFrames() {
  rusage before{};
  getrusage(RUSAGE_THREAD, &before);
  std::vector<char*> frames;
  for (int i = 0; i < kFrames; ++i) {
    frames.push_back(static_cast<char*>(std::malloc(kFrameBytes)));
    std::memset(frames.back(), 1, kFrameBytes);
  }
  rusage after{};
  getrusage(RUSAGE_THREAD, &after);
  for (char* f : frames) std::free(f);
  return after.ru_minflt - before.ru_minflt;
}

TEST(WarmHeapTest, FramesAfterItTakeNoFirstTouchFaults) {
  // What main() sets for every command (cli/main.cpp KeepFreedMemory).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // Two new threads, each with its own new arena: the first stays alive until the second is done, so the
  // second cannot take over the first's arena (and the pages its frames left there).
  long cold = -1;
  long warm = -1;
  std::latch cold_measured(1);
  std::latch warm_measured(1);
  std::thread cold_thread([&] {
    cold = FaultsOfFrames();
    cold_measured.count_down();
    warm_measured.wait();
  });
  cold_measured.wait();
  std::thread warm_thread([&] {
    WarmHeap(16 << 20);
    warm = FaultsOfFrames();
    warm_measured.count_down();
  });
  warm_thread.join();
  cold_thread.join();
  EXPECT_GT(cold, kFrames * static_cast<long>(kFrameBytes / 4096) / 2);  // ~21 pages per frame
  EXPECT_EQ(warm, 0);
}
#endif  // !defined(__SANITIZE_ADDRESS__)

}  // namespace
}  // namespace spymaster::serve
