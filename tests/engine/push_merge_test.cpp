#include "engine/push_merge.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <tuple>
#include <vector>

#include "engine/merge_source.hpp"
#include "engine/record_source.hpp"

namespace spymaster::engine {
namespace {

book::MboEvent Event(uint64_t ts_event, uint64_t id) {
  book::MboEvent e;
  e.ts_event = ts_event;
  e.order_id = id;
  return e;
}

using Key = std::tuple<uint64_t, uint64_t, uint8_t>;  // ts_event, order_id, origin
Key KeyOf(const book::MboEvent& e) { return {e.ts_event, e.order_id, e.origin}; }

TEST(PushMergeTest, WaitsForTheOtherInputOrTheWatermark) {
  PushMerge merge;
  std::vector<Key> out;
  auto emit = [&](const book::MboEvent& e) { out.push_back(KeyOf(e)); };
  merge.Push(0, Event(10, 1));
  merge.Push(0, Event(30, 2));
  merge.Drain(emit);
  EXPECT_TRUE(out.empty());  // input 1's next record might be older than 10
  merge.Release(9, emit);
  EXPECT_TRUE(out.empty());
  merge.Release(10, emit);
  EXPECT_EQ(out, (std::vector<Key>{{10, 1, 0}}));
  merge.Push(1, Event(20, 3));
  merge.Drain(emit);  // both heads known: 20 before 30
  EXPECT_EQ(out, (std::vector<Key>{{10, 1, 0}, {20, 3, 1}}));
  merge.Push(1, Event(30, 4));
  merge.Drain(emit);  // a tie goes to input 0, as in MergeSource
  merge.Flush(emit);
  EXPECT_EQ(out, (std::vector<Key>{{10, 1, 0}, {20, 3, 1}, {30, 2, 0}, {30, 4, 1}}));
  EXPECT_EQ(merge.waiting(), 0u);
}

// Two inputs stamped like a feed (ts_event = ts_recv − a latency up to kMaxLatency, so ts_event can go backwards
// within an input), arriving interleaved in ts_recv order, pushed one at a time with Drain after each and
// Release at watermarks kMaxLatency + 1 behind the latest ts_recv: the output is MergeSource's over the same
// inputs, record for record.
TEST(PushMergeTest, ArrivalOrderWithWatermarksGivesMergeSourcesOrder) {
  constexpr uint64_t kMaxLatency = 50;
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    std::mt19937_64 rng(seed);
    struct Arrival {
      uint64_t ts_recv;
      uint8_t origin;
      book::MboEvent event;
    };
    std::vector<Arrival> arrivals;
    std::vector<book::MboEvent> inputs[2];
    uint64_t ts_recv = 1000;
    for (uint64_t id = 1; id <= 2000; ++id) {
      ts_recv += rng() % 20;  // ties too
      const auto origin = static_cast<uint8_t>(rng() % 5 == 0 ? 1 : 0);
      const book::MboEvent e = Event(ts_recv - rng() % (kMaxLatency + 1), id);
      inputs[origin].push_back(e);
      arrivals.push_back({ts_recv, origin, e});
    }
    MergeSource pull(std::make_unique<VectorSource>(inputs[0], 7), std::make_unique<VectorSource>(inputs[1], 3), 5);
    std::vector<Key> want;
    for (auto batch = pull.NextBatch(); !batch.empty(); batch = pull.NextBatch()) {
      for (const book::MboEvent& e : batch) want.push_back(KeyOf(e));
    }

    PushMerge push;
    std::vector<Key> got;
    auto emit = [&](const book::MboEvent& e) { got.push_back(KeyOf(e)); };
    for (const Arrival& a : arrivals) {
      push.Push(a.origin, a.event);
      push.Drain(emit);
      if (rng() % 10 == 0) push.Release(static_cast<int64_t>(a.ts_recv - kMaxLatency - 1), emit);
    }
    push.Flush(emit);
    ASSERT_EQ(got, want) << "seed " << seed;
  }
}

}  // namespace
}  // namespace spymaster::engine
