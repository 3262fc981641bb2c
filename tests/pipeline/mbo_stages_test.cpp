// The silver and gold MBO stages through the real lake: a bronze partition written from a synthetic
// stream, then silver and gold read back must equal the same engine run in memory (the one-engine
// guarantee through Parquet); bad bronze stops with the row named and leaves nothing complete.
#include "pipeline/mbo_stages.hpp"

#include <arrow/api.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "columns/engine_rows_arrow.hpp"
#include "common/sha256.hpp"
#include "engine/engine.hpp"
#include "lake/partition.hpp"
#include "pipeline/session.hpp"
#include "support/synthetic_mbo_stream.hpp"

namespace spymaster::pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int64_t kSessionStartUtc = 1'767'709'800'000'000'000;  // 2026-01-06 09:30 ET

template <class Builder, class Fn>
std::shared_ptr<arrow::Array> Column(const std::vector<book::MboEvent>& ev, Fn fn) {
  Builder b;
  for (const auto& e : ev) EXPECT_TRUE(b.Append(fn(e)).ok());
  return b.Finish().ValueOrDie();
}

// negative_size_row >= 0 writes size -1 at that row (a bronze file that cannot be trusted).
std::shared_ptr<arrow::Table> BronzeTable(const std::vector<book::MboEvent>& ev, const lake::DatasetRegistry& reg,
                                          int64_t negative_size_row = -1) {
  const auto schema = reg.Get("bronze.future_mbo.mbo").contract.ArrowSchema();
  std::vector<std::shared_ptr<arrow::Array>> cols;
  for (const auto& f : schema->fields()) {
    const std::string& n = f->name();
    if (n == "action" || n == "side" || n == "symbol") {
      cols.push_back(Column<arrow::StringBuilder>(ev, [&](const book::MboEvent& e) {
        return n == "symbol" ? std::string("ESH6") : std::string(1, n == "action" ? e.action : e.side);
      }));
    } else {
      cols.push_back(Column<arrow::Int64Builder>(ev, [&](const book::MboEvent& e) -> int64_t {
        if (n == "ts_event" || n == "ts_recv") return static_cast<int64_t>(e.ts_event);
        if (n == "size") return &e - ev.data() == negative_size_row ? -1 : int64_t{e.size};
        if (n == "order_id") return static_cast<int64_t>(e.order_id);
        if (n == "flags") return e.flags;
        if (n == "instrument_id") return e.instrument_id;
        if (n == "sequence") return e.sequence;
        if (n == "price") return e.price;
        if (n == "rtype") return 160;
        return 0;
      }));
    }
  }
  return arrow::Table::Make(schema, cols, static_cast<int64_t>(ev.size()));
}

class MboStagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("spymaster_mbo_stages_" + std::to_string(getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    support::SyntheticStreamOptions o;
    o.events = 300'000;
    o.start_ns = kSessionStartUtc - 30'000'000'000LL;  // 30 s of book building before the session
    o.duration_ns = 100'000'000'000LL;                 // runs 10 s past the 60 s session
    events_ = support::SyntheticMboStream(o);
  }
  void TearDown() override { fs::remove_all(root_); }

  void WriteBronze(const std::vector<book::MboEvent>& ev, int64_t negative_size_row = -1) {
    lake::WritePartition(registry_, root_, "bronze.future_mbo.mbo", key_,
                         *BronzeTable(ev, registry_, negative_size_row), {"test_bronze", {}, {}});
  }
  StageContext Ctx(bool overwrite = false) {
    StageContext ctx{root_, registry_, overwrite};
    ctx.session_start_minute = 9 * 60 + 30;
    ctx.session_end_minute = 9 * 60 + 31;
    return ctx;
  }
  template <class Row, class Fn>
  std::vector<Row> ReadBack(std::string_view key, Fn append) {
    std::vector<Row> rows;
    const auto table = lake::ReadPartition(registry_, root_, key, key_);
    arrow::TableBatchReader reader(*table);
    std::shared_ptr<arrow::RecordBatch> batch;
    while (reader.ReadNext(&batch).ok() && batch) append(*batch, rows);
    return rows;
  }

  lake::DatasetRegistry registry_ = lake::DatasetRegistry::LoadDefault();
  fs::path root_;
  lake::PartitionKey key_{"ESH6", "2026-01-06"};
  Task task_{lake::ProductType::kFutureMbo, "ESH6", "2026-01-06"};
  std::vector<book::MboEvent> events_;
};

TEST_F(MboStagesTest, SilverAndGoldThroughTheLakeEqualTheEngineInMemory) {
  WriteBronze(events_);
  const StageResult silver = RunSilverFutureMbo(Ctx(), task_);
  const StageResult gold = RunGoldFutureMbo(Ctx(), task_);
  EXPECT_FALSE(silver.skipped);
  EXPECT_EQ(silver.stage, "silver_compute_book_states_1s");
  EXPECT_EQ(gold.stage, "gold_compute_physics_surface_1s");
  EXPECT_EQ(silver.counters.at("windows"), 60);

  engine::EngineOptions o;
  o.session_start_ns = kSessionStartUtc;
  o.session_end_ns = kSessionStartUtc + 60'000'000'000LL;
  std::vector<engine::WindowResult> want;
  engine::Engine eng(engine::FutureMboConfig(), o, [&](const engine::WindowPtr& w_ptr) {
    const engine::WindowResult& w = *w_ptr;
    want.push_back(w);
  });
  for (const auto& e : events_) eng.OnEvent(e);
  eng.Finish();
  ASSERT_EQ(want.size(), 60u);

  const auto snaps = ReadBack<engine::SnapshotRow>("silver.future_mbo.book_snapshot_1s", columns::AppendSnapshotRows);
  const auto flows =
      ReadBack<engine::DepthFlowRow>("silver.future_mbo.depth_and_flow_1s", columns::AppendDepthFlowRows);
  const auto gold_table = lake::ReadPartition(registry_, root_, "gold.future_mbo.physics_surface_1s", key_);
  ASSERT_EQ(snaps.size(), 60u);
  std::size_t f = 0;
  int64_t gold_rows = 0;
  for (std::size_t w = 0; w < want.size(); ++w) {
    const auto& s = want[w].snapshot;
    EXPECT_EQ(snaps[w].window_end_ts_ns, s.window_end_ts_ns);
    EXPECT_EQ(snaps[w].best_bid_price_int, s.best_bid_price_int);
    EXPECT_EQ(snaps[w].best_ask_qty, s.best_ask_qty);
    EXPECT_EQ(snaps[w].spot_ref_price_int, s.spot_ref_price_int);
    EXPECT_EQ(snaps[w].mid_price, s.mid_price);
    EXPECT_EQ(snaps[w].book_valid, s.book_valid);
    for (const auto& r : want[w].depth_flow) {
      ASSERT_LT(f, flows.size());
      const auto& g = flows[f++];
      EXPECT_EQ(g.price_int, r.price_int);
      EXPECT_EQ(g.side, r.side);
      EXPECT_EQ(g.rel_ticks_side, r.rel_ticks_side);
      EXPECT_EQ(g.depth_qty_end, r.depth_qty_end);
      EXPECT_EQ(g.depth_qty_rest, r.depth_qty_rest);
      EXPECT_EQ(g.add_qty, r.add_qty);
      EXPECT_EQ(g.pull_qty_rest, r.pull_qty_rest);
      EXPECT_EQ(g.fill_qty, r.fill_qty);
    }
    gold_rows += static_cast<int64_t>(want[w].gold.size());
  }
  EXPECT_EQ(f, flows.size());
  ASSERT_EQ(gold_table->num_rows(), gold_rows);
  ASSERT_EQ(gold_rows, 60 * 802);
  // Spot-check gold columns against the in-memory engine, bit for bit.
  const auto omega = std::static_pointer_cast<arrow::DoubleArray>(gold_table->GetColumnByName("Omega_far")->chunk(0));
  const auto kappa = gold_table->GetColumnByName("kappa");
  int64_t i = 0;
  for (const auto& w : want) {
    for (std::size_t c = 0; c < w.gold.size(); ++c) {
      if (i < omega->length()) {
        ASSERT_EQ(omega->Value(i), w.gold.Row(c).Omega_far) << "row " << i;
      }
      ++i;
    }
  }
  EXPECT_GT(omega->length(), 1000);

  // The manifest carries the engine's counters.
  std::ifstream manifest(lake::PartitionDir(registry_.Get("silver.future_mbo.depth_and_flow_1s"), root_, key_) /
                         "_MANIFEST.json");
  const auto json = nlohmann::json::parse(manifest);
  EXPECT_EQ(json.dump().find("unknown_order_id") != std::string::npos, true) << json.dump();
}

TEST_F(MboStagesTest, SkipsCompleteOutputsAndOverwriteRecomputes) {
  WriteBronze(events_);
  RunSilverFutureMbo(Ctx(), task_);
  EXPECT_TRUE(RunSilverFutureMbo(Ctx(), task_).skipped);
  EXPECT_FALSE(RunSilverFutureMbo(Ctx(true), task_).skipped);
  RunGoldFutureMbo(Ctx(), task_);
  EXPECT_TRUE(RunGoldFutureMbo(Ctx(), task_).skipped);
}

// `run --layer all` computes silver and gold in one engine pass; the lake must not be able to tell: the same
// tables bit for bit, the same gold lineage (silver manifests) and stage names as silver then gold.
TEST_F(MboStagesTest, SilverAndGoldInOnePassWriteWhatTheTwoStagesWrite) {
  WriteBronze(events_);
  const StageResult fused = RunSilverGoldFutureMbo(Ctx(), task_);
  EXPECT_EQ(fused.stage, "silver_compute_book_states_1s+gold_compute_physics_surface_1s");
  EXPECT_EQ(fused.datasets_written.size(), 3u);
  EXPECT_EQ(fused.counters.at("gold_windows"), 60);
  const std::vector<std::string> keys = {"silver.future_mbo.book_snapshot_1s", "silver.future_mbo.depth_and_flow_1s",
                                         "gold.future_mbo.physics_surface_1s"};
  std::vector<std::shared_ptr<arrow::Table>> one_pass;
  std::vector<nlohmann::json> one_pass_manifests;
  auto manifest = [&](const std::string& key) {
    std::ifstream in(lake::PartitionDir(registry_.Get(key), root_, key_) / "_MANIFEST.json");
    return nlohmann::json::parse(in);
  };
  for (const auto& key : keys) {
    one_pass.push_back(lake::ReadPartition(registry_, root_, key, key_));
    one_pass_manifests.push_back(manifest(key));
  }
  const nlohmann::json& gold_manifest = one_pass_manifests[2];
  EXPECT_EQ(gold_manifest["stage"], "gold_compute_physics_surface_1s");
  ASSERT_EQ(gold_manifest["inputs"].size(), 2u) << gold_manifest.dump();
  EXPECT_EQ(gold_manifest["inputs"][1]["dataset"], keys[1]);

  // Everything complete: skipped. Silver complete, gold missing: the gold stage alone.
  EXPECT_TRUE(RunSilverGoldFutureMbo(Ctx(), task_).skipped);
  fs::remove_all(lake::PartitionDir(registry_.Get(keys[2]), root_, key_));
  const StageResult gold_only = RunSilverGoldFutureMbo(Ctx(), task_);
  EXPECT_EQ(gold_only.stage, "gold_compute_physics_surface_1s");
  EXPECT_EQ(gold_only.datasets_written.size(), 1u);
  // Gold complete, silver missing: silver alone, the gold partition left as it is.
  const fs::path gold_manifest_path = lake::PartitionDir(registry_.Get(keys[2]), root_, key_) / "_MANIFEST.json";
  const std::string gold_sha = common::Sha256File(gold_manifest_path);
  for (std::size_t i = 0; i < 2; ++i) fs::remove_all(lake::PartitionDir(registry_.Get(keys[i]), root_, key_));
  const StageResult silver_only = RunSilverGoldFutureMbo(Ctx(), task_);
  EXPECT_EQ(silver_only.stage, "silver_compute_book_states_1s");
  EXPECT_EQ(silver_only.datasets_written.size(), 2u);
  EXPECT_EQ(common::Sha256File(gold_manifest_path), gold_sha);

  // Two stages from scratch.
  for (const auto& key : keys) fs::remove_all(lake::PartitionDir(registry_.Get(key), root_, key_));
  RunSilverFutureMbo(Ctx(), task_);
  RunGoldFutureMbo(Ctx(), task_);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto two_stages = lake::ReadPartition(registry_, root_, keys[i], key_);
    EXPECT_TRUE(two_stages->Equals(*one_pass[i])) << keys[i];
    EXPECT_EQ(manifest(keys[i])["row_count"], one_pass_manifests[i]["row_count"]) << keys[i];
    EXPECT_EQ(manifest(keys[i])["stage"], one_pass_manifests[i]["stage"]) << keys[i];
  }
}

TEST_F(MboStagesTest, OutOfOrderBronzeIsAClearErrorAndWritesNothing) {
  std::vector<book::MboEvent> ev(events_.begin(), events_.begin() + 1000);
  std::swap(ev[500], ev[700]);
  WriteBronze(ev);
  try {
    RunSilverFutureMbo(Ctx(), task_);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("bronze.future_mbo.mbo symbol=ESH6 dt=2026-01-06: row 501"));
    EXPECT_THAT(e.what(), HasSubstr("out of (ts_event, sequence) order"));
  }
  for (const char* key : {"silver.future_mbo.book_snapshot_1s", "silver.future_mbo.depth_and_flow_1s"}) {
    EXPECT_FALSE(lake::IsComplete(lake::PartitionDir(registry_.Get(key), root_, key_))) << key;
  }
}

TEST_F(MboStagesTest, OutOfRangeBronzeFieldIsAClearError) {
  WriteBronze(std::vector<book::MboEvent>(events_.begin(), events_.begin() + 100), 42);
  try {
    RunSilverFutureMbo(Ctx(), task_);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("row 42 has a field out of range"));
    EXPECT_THAT(e.what(), HasSubstr("size -1"));
  }
}

TEST_F(MboStagesTest, GoldWithoutSilverSaysInputNotReady) {
  EXPECT_THROW(RunGoldFutureMbo(Ctx(), task_), lake::LakeError);
}

engine::GoldSurface Surface(int64_t window_end, std::size_t n, double scale) {
  engine::GoldSurface g;
  g.resize(n);
  g.window_end_ts_ns = window_end;
  g.spot_ref_price_int = 5'000'000'000'000 + window_end;
  for (std::size_t i = 0; i < n; ++i) {
    g.rel_ticks[i] = static_cast<int32_t>(i) - 1;
    g.rel_ticks_side[i] = -static_cast<int32_t>(i);
    g.side[i] = i % 2 == 0 ? 'A' : 'B';
    for (int v = 0; v < engine::kGoldValueCount; ++v) g.values[v][i] = scale * (100.0 * v + static_cast<double>(i));
  }
  return g;
}

// Every contract column of every appended row, across two batches, against GoldSurface::Row.
TEST(GoldColumns, BatchesHoldEveryColumnOfTheAppendedSurfacesAcrossTakes) {
  const auto registry = lake::DatasetRegistry::LoadDefault();
  const auto schema = registry.Get("gold.future_mbo.physics_surface_1s").contract.ArrowSchema();
  const std::vector<engine::GoldSurface> surfaces = {Surface(1000, 3, 0.5), Surface(2000, 2, -1.25),
                                                     Surface(3000, 3, 2.0)};
  columns::GoldColumns gold(schema, 5);
  gold.Append(surfaces[0]);
  gold.Append(surfaces[1]);
  EXPECT_EQ(gold.size(), 5);
  EXPECT_THROW(gold.Append(surfaces[2]), std::length_error);
  const auto first = gold.Take();
  EXPECT_EQ(gold.size(), 0);
  gold.Append(surfaces[2]);
  const auto second = gold.Take();
  ASSERT_EQ(first->num_rows(), 5);
  ASSERT_EQ(second->num_rows(), 3);
  ASSERT_TRUE(first->schema()->Equals(*schema));

  std::vector<engine::GoldRow> want;
  for (const auto& s : surfaces) {
    for (std::size_t i = 0; i < s.size(); ++i) want.push_back(s.Row(i));
  }
  std::vector<engine::GoldRow> got;
  for (const auto& batch : {first, second}) {
    auto i64 = [&](const char* n) { return std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName(n)); };
    auto i32 = [&](const char* n) { return std::static_pointer_cast<arrow::Int32Array>(batch->GetColumnByName(n)); };
    const auto side = std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName("side"));
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      engine::GoldRow g;
      g.window_end_ts_ns = i64("window_end_ts_ns")->Value(r);
      g.event_ts_ns = i64("event_ts_ns")->Value(r);
      g.spot_ref_price_int = i64("spot_ref_price_int")->Value(r);
      g.rel_ticks = i32("rel_ticks")->Value(r);
      g.rel_ticks_side = i32("rel_ticks_side")->Value(r);
      ASSERT_EQ(side->GetView(r).size(), 1u);
      g.side = side->GetView(r)[0];
      auto* bytes = reinterpret_cast<unsigned char*>(&g) + offsetof(engine::GoldRow, add_intensity);
      for (int v = 0; v < engine::kGoldValueCount; ++v) {
        const auto col = std::static_pointer_cast<arrow::DoubleArray>(
            batch->GetColumnByName(std::string(engine::kGoldValueNames[v])));
        const double x = col->Value(r);
        std::memcpy(bytes + v * sizeof(double), &x, sizeof x);
      }
      got.push_back(g);
    }
  }
  ASSERT_EQ(got.size(), want.size());
  constexpr std::size_t kValues = offsetof(engine::GoldRow, add_intensity);
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].window_end_ts_ns, want[i].window_end_ts_ns) << "row " << i;
    EXPECT_EQ(got[i].event_ts_ns, want[i].event_ts_ns) << "row " << i;
    EXPECT_EQ(got[i].spot_ref_price_int, want[i].spot_ref_price_int) << "row " << i;
    EXPECT_EQ(got[i].rel_ticks, want[i].rel_ticks) << "row " << i;
    EXPECT_EQ(got[i].rel_ticks_side, want[i].rel_ticks_side) << "row " << i;
    EXPECT_EQ(got[i].side, want[i].side) << "row " << i;
    EXPECT_EQ(std::memcmp(reinterpret_cast<const char*>(&got[i]) + kValues,
                          reinterpret_cast<const char*>(&want[i]) + kValues, sizeof(engine::GoldRow) - kValues),
              0)
        << "values of row " << i;
  }
  EXPECT_EQ(got[4].u_ema_2, -1.25 * (100.0 * static_cast<int>(engine::kUEma2) + 1));
  EXPECT_EQ(got[4].window_end_ts_ns, 2000);
  EXPECT_EQ(got[4].event_ts_ns, 2000);
}

// A batch's buffers are its own: columns taken while an earlier batch is held go elsewhere and leave it
// as it was; once it is gone, its memory serves the next batch.
TEST(GoldColumns, ATakenBatchKeepsItsRowsAndItsMemoryReturnsOnlyWhenItIsGone) {
  const auto registry = lake::DatasetRegistry::LoadDefault();
  const auto schema = registry.Get("gold.future_mbo.physics_surface_1s").contract.ArrowSchema();
  columns::GoldColumns gold(schema, 3);
  const auto data = [](const std::shared_ptr<arrow::RecordBatch>& b) {
    return b->GetColumnByName("u_ema_8")->data()->buffers[1]->data();
  };
  const auto u_ema_8 = [](const std::shared_ptr<arrow::RecordBatch>& b, int64_t row) {
    return std::static_pointer_cast<arrow::DoubleArray>(b->GetColumnByName("u_ema_8"))->Value(row);
  };
  gold.Append(Surface(1000, 3, 0.5));
  auto first = gold.Take();
  const uint8_t* first_memory = data(first);
  gold.Append(Surface(2000, 3, -1.0));
  const auto second = gold.Take();
  EXPECT_NE(data(second), first_memory);
  EXPECT_EQ(u_ema_8(first, 2), 0.5 * (100.0 * static_cast<int>(engine::kUEma8) + 2));
  EXPECT_EQ(u_ema_8(second, 2), -1.0 * (100.0 * static_cast<int>(engine::kUEma8) + 2));
  first.reset();
  gold.Append(Surface(3000, 3, 2.0));
  const auto third = gold.Take();
  EXPECT_EQ(data(third), first_memory);
  EXPECT_EQ(u_ema_8(third, 1), 2.0 * (100.0 * static_cast<int>(engine::kUEma8) + 1));
  EXPECT_EQ(u_ema_8(second, 2), -1.0 * (100.0 * static_cast<int>(engine::kUEma8) + 2));
}

// What commands::WindowStream does: each window's rows appended into the columns as it closes, gold
// computed straight into them by a GoldState of its own (the engine without gold), batches of 7 windows
// taken and all kept; concatenated, they equal the row batches built from the engine's own WindowResults
// (with its gold) in one go.
TEST_F(MboStagesTest, ColumnsBuiltAsWindowsCloseEqualTheEnginesRowsAndGold) {
  const auto snap_schema = registry_.Get("silver.future_mbo.book_snapshot_1s").contract.ArrowSchema();
  const auto flow_schema = registry_.Get("silver.future_mbo.depth_and_flow_1s").contract.ArrowSchema();
  const auto gold_schema = registry_.Get("gold.future_mbo.physics_surface_1s").contract.ArrowSchema();
  engine::EngineOptions o;
  o.session_start_ns = kSessionStartUtc;
  o.session_end_ns = kSessionStartUtc + 60'000'000'000LL;
  const engine::ProductConfig config = engine::FutureMboConfig();
  const int64_t grid = 2 * (2 * config.half_width + 1);
  constexpr int64_t kBatch = 7;

  std::vector<engine::SnapshotRow> snaps;
  std::vector<engine::DepthFlowRow> flows;
  columns::GoldColumns all_gold(gold_schema, 60 * grid);
  engine::Engine with_gold(config, o, [&](const engine::WindowPtr& w) {
    snaps.push_back(w->snapshot);
    flows.insert(flows.end(), w->depth_flow.begin(), w->depth_flow.end());
    all_gold.Append(w->gold);
  });

  columns::SnapshotColumns snap_columns(snap_schema, kBatch);
  columns::DepthFlowColumns flow_columns(flow_schema, kBatch * grid);
  columns::GoldColumns gold_columns(gold_schema, kBatch * grid);
  engine::GoldState gold_state(config.half_width);
  std::vector<std::shared_ptr<arrow::RecordBatch>> snap_batches, flow_batches, gold_batches;
  int64_t in_batch = 0, gold_rows = 0;
  const auto take = [&] {
    snap_batches.push_back(snap_columns.Take());
    flow_batches.push_back(flow_columns.Take());
    gold_batches.push_back(gold_columns.Take());
    in_batch = 0;
  };
  o.compute_gold = false;
  engine::Engine without_gold(config, o, [&](const engine::WindowPtr& w) {
    EXPECT_TRUE(w->gold.empty());
    snap_columns.Append({&w->snapshot, 1});
    flow_columns.Append(w->depth_flow);
    gold_rows += gold_columns.AppendWindow(gold_state, w->snapshot, w->depth_flow);
    if (++in_batch == kBatch) take();
  });
  for (const auto& e : events_) {
    with_gold.OnEvent(e);
    without_gold.OnEvent(e);
  }
  with_gold.Finish();
  without_gold.Finish();
  take();
  ASSERT_EQ(snaps.size(), 60u);
  EXPECT_EQ(snap_batches.size(), 9u);  // 8 × 7 windows + 4
  EXPECT_GT(gold_rows, 0);
  EXPECT_EQ(gold_rows, all_gold.size());
  EXPECT_EQ(gold_rows, with_gold.counters().gold_rows);

  const auto equal = [](const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
                        const std::shared_ptr<arrow::RecordBatch>& want) {
    const auto got = arrow::Table::FromRecordBatches(want->schema(), batches).ValueOrDie();
    const auto expected = arrow::Table::FromRecordBatches({want}).ValueOrDie();
    EXPECT_EQ(got->num_rows(), want->num_rows());
    EXPECT_TRUE(got->Equals(*expected)) << want->schema()->field(0)->name();
  };
  equal(snap_batches, columns::SnapshotBatch(snaps, snap_schema));
  equal(flow_batches, columns::DepthFlowBatch(flows, flow_schema));
  equal(gold_batches, all_gold.Take());
}

}  // namespace
}  // namespace spymaster::pipeline
