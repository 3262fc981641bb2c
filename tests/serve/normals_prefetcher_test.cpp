// Normals generated ahead: what Take hands over is exactly the window's sequence, each window's at most
// once; unknown or evicted windows give null (the caller computes them itself).
#include "serve/normals_prefetcher.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <vector>

#include "engine/forecast.hpp"

namespace spymaster::serve {
namespace {

std::vector<double> Expected(int64_t ts) {
  std::vector<double> v(engine::kForecastNormals);
  engine::GenerateForecastNormals(ts, v);
  return v;
}

TEST(NormalsPrefetcherTest, TakeHandsOverTheWindowsNormalsOnce) {
  NormalsPrefetcher prefetcher;
  const int64_t a = 1'767'709'801'000'000'000;
  const int64_t b = a + 1'000'000'000;
  prefetcher.Want(a);
  prefetcher.Want(b);
  prefetcher.Want(a);  // already queued: not twice
  prefetcher.WaitIdle();
  const auto got = prefetcher.Take(a);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(*got, Expected(a));
  EXPECT_EQ(prefetcher.Take(a), nullptr);  // taken
  ASSERT_NE(prefetcher.Take(b), nullptr);
  EXPECT_EQ(prefetcher.Take(b + 7), nullptr);  // never asked for
}

TEST(NormalsPrefetcherTest, CountsHitsAndMissesAndEvictsTheOldest) {
  NormalsPrefetcher prefetcher(2);
  prefetcher.Want(1);
  prefetcher.Want(2);
  prefetcher.WaitIdle();
  prefetcher.Want(3);  // full: window 1's go
  prefetcher.WaitIdle();
  EXPECT_EQ(prefetcher.Take(1), nullptr);
  ASSERT_NE(prefetcher.Take(2), nullptr);
  const auto three = prefetcher.Take(3);
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(*three, Expected(3));
  EXPECT_EQ(prefetcher.hits(), 2);
  EXPECT_EQ(prefetcher.misses(), 1);
}

// Pending tells whether a wait makes sense and ends it exactly once, when the window's normals are ready
// or have left the queue (evicted by a full queue, or taken by a client computing them itself).
TEST(NormalsPrefetcherTest, PendingCallsBackOnceTheWindowIsNoLongerPending) {
  NormalsPrefetcher prefetcher(2);
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<int64_t> done;
  auto on_done = [&](int64_t ts) {
    return [&, ts] {
      std::lock_guard lock(mutex);
      done.push_back(ts);
      cv.notify_all();
    };
  };
  EXPECT_FALSE(prefetcher.Pending(1, on_done(1)));  // never asked for: nothing to wait for
  prefetcher.Want(1);
  const bool waits = prefetcher.Pending(1, on_done(1));  // queued or running, unless already generated
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return !waits || !done.empty(); });
  }
  prefetcher.WaitIdle();
  EXPECT_FALSE(prefetcher.Pending(1, on_done(1)));  // generated: ready to take
  ASSERT_NE(prefetcher.Take(1), nullptr);
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(done, waits ? std::vector<int64_t>{1} : std::vector<int64_t>{});
  }
}

TEST(NormalsPrefetcherTest, EveryPendingWaitEndsOnceWhetherGeneratedOrDroppedFromTheQueue) {
  NormalsPrefetcher prefetcher(1);
  std::mutex mutex;
  std::map<int64_t, int> calls;
  int waits = 0;
  for (int64_t base = 1000; base < 1000 + 20 * 10; base += 10) {
    prefetcher.Want(base);
    prefetcher.Want(base + 1);  // usually queued while base runs (capacity 1: base's normals go once ready)
    if (prefetcher.Pending(base + 1, [&, base] {
          std::lock_guard lock(mutex);
          ++calls[base + 1];
        })) {
      ++waits;
    }
    prefetcher.Take(base + 1);  // the generated normals, or, still queued, dropped from the queue
    prefetcher.WaitIdle();
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(static_cast<int>(calls.size()), waits);
  for (const auto& [ts, n] : calls) EXPECT_EQ(n, 1) << ts;
}

}  // namespace
}  // namespace spymaster::serve
