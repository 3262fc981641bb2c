// One engine, three ways in: a raw DBN day file pulled by RawMboSource, the same bytes pushed in random
// pieces (a socket), and bronze written from that file. Windows must be equal wherever the spec says
// so (architecture.md § "Window clock and late records"): raw == push always, raw == bronze whenever no
// record is late.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "engine/engine.hpp"
#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "pipeline/bronze_stages.hpp"
#include "pipeline/raw_lake.hpp"
#include "source/bronze_mbo_source.hpp"
#include "source/prefetch_source.hpp"
#include "source/raw_input.hpp"
#include "source/raw_mbo_source.hpp"
#include "support/synthetic_mbo_stream.hpp"

namespace spymaster::source {
namespace {

using pipeline::testing::DayMetadata;
using pipeline::testing::Mbo;

constexpr uint32_t kFront = 42140878;                         // ESH6
constexpr uint32_t kBack = 42140879;                          // ESM6
constexpr uint32_t kSpread = 42140880;                        // ESH6-ESM6
constexpr int64_t kSessionStart = 1'767'709'800'000'000'000;  // 2026-01-06 09:30 ET
constexpr int64_t kSecond = 1'000'000'000;

// A 40 s day of ES-like events for ESH6 with ESM6 and spread records interleaved. With `late_every` > 0,
// every late_every-th add after the first 5 s of the session is stamped 1.5 s before its arrival, so that
// in arrival order it is late by the window clock's rule.
std::vector<dbn::MboMsg> Day(int late_every) {
  support::SyntheticStreamOptions o;
  o.seed = 11;
  o.events = 120'000;
  o.start_ns = kSessionStart - 10 * kSecond;
  o.duration_ns = 40 * kSecond;
  const auto events = support::SyntheticMboStream(o);
  std::vector<dbn::MboMsg> out;
  int adds = 0;
  uint32_t other_seq = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    uint64_t ts_event = e.ts_event;
    if (late_every > 0 && e.action == 'A' && e.ts_event > static_cast<uint64_t>(kSessionStart + 5 * kSecond) &&
        ++adds % late_every == 0) {
      ts_event -= 3 * kSecond / 2;
    }
    out.push_back(
        Mbo(kFront, ts_event, e.ts_event, e.action, e.side, e.price, e.size, e.order_id, e.sequence, e.flags));
    if (i % 50 == 0) {  // other instruments the routing must drop or leave to their own partition
      out.push_back(Mbo(kBack, e.ts_event, e.ts_event, 'A', 'B', e.price + 50 * o.tick, 1, 9'000'000 + i, ++other_seq));
      out.push_back(Mbo(kSpread, e.ts_event, e.ts_event, 'A', 'A', 20 * o.tick, 1, 8'000'000 + i, ++other_seq));
    }
  }
  return out;
}

class RawSourceTest : public pipeline::testing::RawLake {
 protected:
  std::filesystem::path WriteDay(int late_every) {
    return WriteRaw(
        lake::ProductType::kFutureMbo, "ES", "mbo", "glbx-mdp3",
        DayMetadata("GLBX.MDP3", dbn::Schema::kMbo, {{"ESH6", kFront}, {"ESM6", kBack}, {"ESH6-ESM6", kSpread}}),
        Day(late_every));
  }
  static RawMboOptions Options(std::vector<std::filesystem::path> files) {
    RawMboOptions o;
    o.files = std::move(files);
    o.yyyymmdd = 20260106;
    o.rules.drop_spreads = true;
    o.partition = "ESH6";
    return o;
  }
  static engine::EngineOptions Session() {
    engine::EngineOptions o;
    o.session_start_ns = kSessionStart;
    o.session_end_ns = kSessionStart + 25 * kSecond;
    return o;
  }
  struct Run {
    std::vector<engine::WindowPtr> windows;
    engine::EngineCounters counters;
  };
  static Run Drive(engine::RecordSource& src) {
    Run run;
    engine::Engine e(engine::FutureMboConfig(), Session(),
                     [&](const engine::WindowPtr& w) { run.windows.push_back(w); });
    engine::Drive(src, e);
    run.counters = e.counters();
    return run;
  }
  static void ExpectSameWindows(const Run& a, const Run& b) {
    ASSERT_EQ(a.windows.size(), b.windows.size());
    for (std::size_t i = 0; i < a.windows.size(); ++i) {
      ASSERT_EQ(a.windows[i]->snapshot, b.windows[i]->snapshot) << "window " << i;
      ASSERT_EQ(a.windows[i]->depth_flow, b.windows[i]->depth_flow) << "window " << i;
      ASSERT_EQ(a.windows[i]->gold, b.windows[i]->gold) << "window " << i;
      ASSERT_EQ(a.windows[i]->late_records, b.windows[i]->late_records) << "window " << i;
    }
  }
};

TEST_F(RawSourceTest, PushedInRandomPiecesEqualsPulledFromTheFileWithLateRecords) {
  const auto file = WriteDay(/*late_every=*/400);
  RawMboSource pulled(Options({file}));
  const Run want = Drive(pulled);
  ASSERT_EQ(want.windows.size(), 25u);
  EXPECT_GT(want.counters.late, 10);  // the late adds really are late
  int64_t late_in_windows = 0;
  for (const auto& w : want.windows) late_in_windows += w->late_records;
  EXPECT_EQ(late_in_windows, want.counters.late);

  const auto bytes = [&] {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> b(chars.size());
    std::memcpy(b.data(), chars.data(), chars.size());
    return b;
  }();
  std::mt19937_64 rng(7);
  for (std::size_t max_piece : {3u, 1000u, 65536u}) {
    PushMboFeed feed("<socket>", Options({}));
    Run got;
    engine::Engine e(engine::FutureMboConfig(), Session(),
                     [&](const engine::WindowPtr& w) { got.windows.push_back(w); });
    std::size_t pos = 0;
    while (pos < bytes.size() && !e.finished()) {
      const std::size_t n = std::min(bytes.size() - pos, 1 + rng() % max_piece);
      for (const auto& ev : feed.Feed({bytes.data() + pos, n})) {
        if (e.finished()) break;
        e.OnEvent(ev);
      }
      pos += n;
    }
    e.Finish();
    got.counters = e.counters();
    ExpectSameWindows(want, got);
    EXPECT_EQ(got.counters.late, want.counters.late);
  }
}

TEST_F(RawSourceTest, RawEqualsBronzeWhenNoRecordIsLate) {
  const auto file = WriteDay(/*late_every=*/0);
  const pipeline::StageContext ctx{root_, registry_, false};
  pipeline::RunBronzeFutureMbo(ctx, {lake::ProductType::kFutureMbo, "ES", "2026-01-06"});

  RawMboSource raw(Options({file}));
  const Run from_raw = Drive(raw);
  BronzeMboSource bronze(registry_, root_, "bronze.future_mbo.mbo", {"ESH6", "2026-01-06"});
  const Run from_bronze = Drive(bronze);
  EXPECT_EQ(from_raw.counters.late, 0);
  ExpectSameWindows(from_raw, from_bronze);
  EXPECT_EQ(from_raw.counters.records, from_bronze.counters.records);

  // The routing dropped the spread and left ESM6 to its own partition, as bronze did.
  const auto c = raw.Counters();
  EXPECT_EQ(c.at("spreads_dropped"), 2400);
  EXPECT_EQ(c.at("other_partition_records"), 2400);
  EXPECT_EQ(c.at("raw_records_read"), 124'800);
}

TEST_F(RawSourceTest, AFuturesSymbolWithoutContractSuffixIsRefused) {
  EXPECT_EQ(RawRootOf(lake::ProductType::kFutureMbo, "ESH6"), "ES");
  EXPECT_EQ(RawRootOf(lake::ProductType::kFutureMbo, "ESZ25"), "ES");
  EXPECT_EQ(RawRootOf(lake::ProductType::kEquityMbo, "SPY"), "SPY");
  EXPECT_THROW(RawRootOf(lake::ProductType::kFutureMbo, "ES"), std::invalid_argument);
  EXPECT_THROW(RawRootOf(lake::ProductType::kFutureMbo, "ESA6"), std::invalid_argument);
}

}  // namespace
}  // namespace spymaster::source

namespace spymaster::source {
namespace {

class PrefetchTest : public RawSourceTest {};

TEST_F(PrefetchTest, PrefetchedWindowsEqualTheDirectOnesWithLateRecords) {
  const auto file = WriteDay(/*late_every=*/300);
  RawMboSource direct(Options({file}));
  const Run want = Drive(direct);
  PrefetchSource prefetched(std::make_unique<RawMboSource>(Options({file})), 2);
  const Run got = Drive(prefetched);
  ExpectSameWindows(want, got);
  EXPECT_EQ(got.counters.late, want.counters.late);
  EXPECT_EQ(prefetched.Counters(), direct.Counters());
}

TEST_F(PrefetchTest, AnErrorInTheDecodingThreadReachesTheConsumer) {
  const auto file = WriteDay(0);
  // A copy whose zstd frame is damaged past its first megabyte: the error comes mid-stream.
  const auto bad = root_ / "bad.mbo.dbn.zst";
  std::filesystem::copy_file(file, bad);
  {
    std::fstream f(bad, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(bad) / 2));
    const char junk[64] = {1, 2, 3, 4, 5, 6, 7, 8};
    f.write(junk, sizeof junk);
  }
  PrefetchSource prefetched(std::make_unique<RawMboSource>(Options({bad})), 3);
  engine::Engine e(engine::FutureMboConfig(), Session(), nullptr);
  try {
    engine::Drive(prefetched, e);
    FAIL() << "a corrupt file must fail";
  } catch (const std::exception& ex) {
    EXPECT_NE(std::string(ex.what()).find("bad.mbo.dbn.zst"), std::string::npos) << ex.what();
  }
}

TEST_F(PrefetchTest, DestroyedBeforeTheEndStopsTheWorker) {
  const auto file = WriteDay(0);
  PrefetchSource prefetched(std::make_unique<RawMboSource>(Options({file})), 2);
  EXPECT_FALSE(prefetched.NextBatch().empty());
  EXPECT_TRUE(prefetched.Counters().empty());  // the input has not ended
}  // the destructor joins a worker that is waiting for a free slot

}  // namespace
}  // namespace spymaster::source
