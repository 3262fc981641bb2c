// Normals generated ahead: what Take hands over is exactly the window's sequence, each window's at most
// once; unknown or evicted windows give null (the caller computes them itself).
#include "serve/normals_prefetcher.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace spymaster::serve
