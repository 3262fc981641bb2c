// The simulator's day (src/sim) through bronze → silver → gold for future_mbo and equity_mbo: the engine
// must see a clean feed (no anomalies), emit every session window, and the lake outputs must satisfy the
// silver identities and the dense gold grid. (Exact values are pinned by tests/engine/golden_test.cpp on
// a fixed stream; the simulator's output is still evolving, so this test pins invariants only.)
#include <arrow/api.h>
#include <gtest/gtest.h>

#include <cmath>

#include "columns/engine_rows_arrow.hpp"
#include "lake/partition.hpp"
#include "pipeline/bronze_stages.hpp"
#include "pipeline/mbo_stages.hpp"
#include "support/simulated_day.hpp"

namespace spymaster::pipeline {
namespace {

class MboSimDayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { day_ = new support::SimulatedDay("mbo_sim"); }
  static void TearDownTestSuite() {
    delete day_;
    day_ = nullptr;
  }
  StageContext Ctx() {
    StageContext ctx{day_->root(), registry_, false};
    ctx.session_start_minute = 9 * 60 + 30;
    ctx.session_end_minute = 9 * 60 + 35;
    return ctx;
  }
  void CheckProduct(lake::ProductType pt, const std::string& root_symbol, const std::string& symbol, StageFn bronze,
                    StageFn silver, StageFn gold, int64_t cells) {
    bronze(Ctx(), {pt, root_symbol, "2026-01-06"});
    const StageResult s = silver(Ctx(), {pt, symbol, "2026-01-06"});
    const StageResult g = gold(Ctx(), {pt, symbol, "2026-01-06"});
    EXPECT_EQ(s.counters.at("windows"), 300);
    for (const char* clean :
         {"unknown_order_id", "bad_side", "bad_action", "bad_price", "off_grid_price", "negative_depth_avoided",
          "crossed_windows", "records_out_of_order", "windows_without_spot"}) {
      EXPECT_EQ(s.counters.at(clean), 0) << symbol << " " << clean;
    }
    EXPECT_GT(s.counters.at("records"), 1000) << symbol;
    EXPECT_EQ(g.rows, 300 * 2 * cells) << symbol;

    const std::string pts(lake::ToString(pt));
    const lake::PartitionKey key{symbol, "2026-01-06"};
    const auto table = lake::ReadPartition(registry_, day_->root(), "silver." + pts + ".depth_and_flow_1s", key);
    arrow::TableBatchReader reader(*table);
    std::shared_ptr<arrow::RecordBatch> batch;
    std::vector<engine::DepthFlowRow> rows;
    while (reader.ReadNext(&batch).ok() && batch) columns::AppendDepthFlowRows(*batch, rows);
    ASSERT_GT(rows.size(), 300u);
    for (const auto& r : rows) {
      ASSERT_EQ(r.depth_qty_start, std::max(0.0, r.depth_qty_end - r.add_qty + r.pull_qty_total + r.fill_qty));
      ASSERT_LE(r.depth_qty_rest, r.depth_qty_end);
      ASSERT_LE(r.pull_qty_rest, r.pull_qty_total);
      ASSERT_LE(std::abs(r.rel_ticks), (cells - 1) / 2);
      ASSERT_TRUE(r.side == 'A' || r.side == 'B');
    }
    const auto gold_table = lake::ReadPartitionColumns(registry_, day_->root(), "gold." + pts + ".physics_surface_1s",
                                                       key, {"nu", "kappa", "u_far"});
    for (const auto& column : gold_table->columns()) {
      for (const auto& chunk : column->chunks()) {
        const auto& a = static_cast<const arrow::DoubleArray&>(*chunk);
        for (int64_t i = 0; i < a.length(); ++i) ASSERT_TRUE(std::isfinite(a.Value(i)));
      }
    }
  }

  static inline support::SimulatedDay* day_ = nullptr;
  lake::DatasetRegistry registry_ = lake::DatasetRegistry::LoadDefault();
};

TEST_F(MboSimDayTest, FutureMboDayIsCleanAndComplete) {
  CheckProduct(lake::ProductType::kFutureMbo, "ES", "ESH6", RunBronzeFutureMbo, RunSilverFutureMbo, RunGoldFutureMbo,
               401);
}

TEST_F(MboSimDayTest, EquityMboDayIsCleanAndComplete) {
  CheckProduct(lake::ProductType::kEquityMbo, "SPY", "SPY", RunBronzeEquityMbo, RunSilverEquityMbo, RunGoldEquityMbo,
               201);
}

}  // namespace
}  // namespace spymaster::pipeline
