// Percentiles by nearest rank and the count over the 1 ms bound, on hand-picked samples.
#include "serve/latency_recorder.hpp"

#include <gtest/gtest.h>

namespace spymaster::serve {
namespace {

TEST(LatencyRecorderTest, NearestRankPercentilesAndSamplesOverOneMillisecond) {
  LatencyRecorder r;
  // 1 ms exactly is within the bound; one nanosecond more is over it.
  for (int64_t ns : {3'000'000, 500'000, 1'000'000, 1'000'001}) r.Add(ns);
  const LatencySummary s = r.Summary();
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.p50_ns, 1'000'000);  // rank ceil(0.5 * 4) = 2 of 0.5, 1, 1.000001, 3 ms
  EXPECT_EQ(s.p99_ns, 3'000'000);  // rank ceil(0.99 * 4) = 4
  EXPECT_EQ(s.max_ns, 3'000'000);
  EXPECT_EQ(s.over_1ms, 2);
}

TEST(LatencyRecorderTest, KeepsTheNewestSamplesOnly) {
  LatencyRecorder r;
  r.Add(5'000'000);  // overwritten once kMaxSamples more have come
  for (std::size_t i = 0; i < LatencyRecorder::kMaxSamples; ++i) r.Add(100);
  const LatencySummary s = r.Summary();
  EXPECT_EQ(s.count, static_cast<int64_t>(LatencyRecorder::kMaxSamples) + 1);
  EXPECT_EQ(s.max_ns, 100);
  EXPECT_EQ(s.over_1ms, 0);
}

}  // namespace
}  // namespace spymaster::serve
