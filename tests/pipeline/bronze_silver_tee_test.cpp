// Bronze feeding silver + gold's engine while it writes (pipeline/bronze_silver_tee.hpp), on the simulator's
// day: the lake must be the one bronze then RunSilverGold* write (every partition's data and manifest), a
// bronze failure must leave no silver or gold, and a rerun must skip.
#include "pipeline/bronze_silver_tee.hpp"

#include <arrow/api.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lake/failpoint.hpp"
#include "lake/partition.hpp"
#include "lake/raw_layout.hpp"
#include "pipeline/bronze_stages.hpp"
#include "pipeline/contract_selection.hpp"
#include "pipeline/mbo_stages.hpp"
#include "pipeline/runner.hpp"
#include "sim/simulate.hpp"

namespace spymaster::pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kDt = "2026-01-06";

class BronzeSilverTeeTest : public ::testing::Test {
 protected:
  // One simulated 10-minute day (several 64 Ki-row bronze batches of ESH6), copied into each test's lakes.
  static void SetUpTestSuite() {
    raw_ = new fs::path(fs::temp_directory_path() / ("spymaster_tee_raw_" + std::to_string(getpid())));
    fs::remove_all(*raw_);
    sim::SimOptions o;
    o.lake = *raw_;
    o.start = "09:30";
    o.end = "09:40";
    o.products = {"future_mbo", "equity_mbo"};
    o.threads = 1;
    sim::Simulate(o);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*raw_);
    delete raw_;
  }
  void TearDown() override {
    lake::SetFailpointForTest("");
    for (const auto& lake : lakes_) fs::remove_all(lake);
  }

  fs::path NewLake(const std::string& name) {
    const fs::path lake = fs::temp_directory_path() / ("spymaster_tee_" + std::to_string(getpid()) + "_" + name);
    fs::remove_all(lake);
    fs::create_directories(lake);
    fs::copy(*raw_ / "raw", lake / "raw", fs::copy_options::recursive);
    lakes_.push_back(lake);
    return lake;
  }
  StageContext Ctx(const fs::path& lake) {
    StageContext ctx{lake, registry_, false};
    ctx.session_start_minute = 9 * 60 + 30;
    ctx.session_end_minute = 9 * 60 + 40;
    return ctx;
  }
  static std::vector<fs::path> Manifests(const fs::path& lake) {
    std::vector<fs::path> found;
    for (const auto& layer : {"bronze", "silver", "gold"}) {
      if (!fs::exists(lake / layer)) continue;
      for (const auto& e : fs::recursive_directory_iterator(lake / layer)) {
        if (e.path().filename() == "_MANIFEST.json") found.push_back(fs::relative(e.path(), lake));
      }
    }
    std::sort(found.begin(), found.end());
    return found;
  }
  static nlohmann::json Json(const fs::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
  }
  static std::shared_ptr<arrow::Table> Table(const fs::path& lake, const fs::path& manifest) {
    const auto j = Json(lake / manifest);
    const std::string dataset = j["dataset"];
    return lake::ReadPartition(lake::DatasetRegistry::LoadDefault(), lake, dataset, {j["symbol"], j["dt"]});
  }
  // Every partition of `a` and `b`: same list, same manifests (counters, row counts, lineage, file sizes),
  // same rows and values in every column.
  static void ExpectSameLake(const fs::path& a, const fs::path& b) {
    const auto manifests = Manifests(a);
    ASSERT_EQ(manifests, Manifests(b));
    for (const auto& m : manifests) {
      EXPECT_EQ(Json(a / m), Json(b / m)) << m;
      EXPECT_TRUE(Table(a, m)->Equals(*Table(b, m))) << m;
    }
  }
  void CheckTeedEqualsStages(lake::ProductType pt, const std::string& root, const std::string& contract, StageFn bronze,
                             StageFn silver_gold) {
    const fs::path teed = NewLake("teed"), staged = NewLake("staged");
    const BronzeSilverOutcome outcome = RunBronzeTeeingSilverGold(Ctx(teed), {pt, root, kDt}, contract);
    ASSERT_EQ(outcome.bronze.error, "");
    ASSERT_EQ(outcome.silver_gold.error, "");
    EXPECT_TRUE(outcome.teed);
    EXPECT_EQ(outcome.silver_gold.result.datasets_written.size(), 3u);
    EXPECT_EQ(outcome.silver_gold.result.counters.at("windows"), 600);
    EXPECT_GT(outcome.silver_gold.result.counters.at("bronze_rows_read"), 2 << 16) << "fewer than 3 batches";

    bronze(Ctx(staged), {pt, root, kDt});
    silver_gold(Ctx(staged), {pt, contract, kDt});
    ExpectSameLake(teed, staged);
    EXPECT_EQ(Manifests(teed).size(), pt == lake::ProductType::kFutureMbo ? 5u : 4u);

    // A rerun over the complete partitions skips both.
    const BronzeSilverOutcome again = RunBronzeTeeingSilverGold(Ctx(teed), {pt, root, kDt}, contract);
    EXPECT_TRUE(again.bronze.result.skipped);
    EXPECT_TRUE(again.silver_gold.result.skipped);
    EXPECT_EQ(again.silver_gold.error, "");
  }
  // No silver or gold partition, and no temporary left under _tmp/.
  static void ExpectNoSilverOrGold(const fs::path& lake) {
    for (const auto& m : Manifests(lake)) EXPECT_EQ(m.begin()->string(), "bronze") << m;
    EXPECT_FALSE(fs::exists(lake / "silver"));
    EXPECT_FALSE(fs::exists(lake / "gold"));
    EXPECT_TRUE(!fs::exists(lake / "_tmp") || fs::is_empty(lake / "_tmp"));
  }

  static fs::path* raw_;
  std::vector<fs::path> lakes_;
  lake::DatasetRegistry registry_ = lake::DatasetRegistry::LoadDefault();
};

fs::path* BronzeSilverTeeTest::raw_ = nullptr;

TEST_F(BronzeSilverTeeTest, FutureMboTeedLakeEqualsBronzeThenSilverGold) {
  CheckTeedEqualsStages(lake::ProductType::kFutureMbo, "ES", "ESH6", RunBronzeFutureMbo, RunSilverGoldFutureMbo);
}

TEST_F(BronzeSilverTeeTest, EquityMboTeedLakeEqualsBronzeThenSilverGold) {
  CheckTeedEqualsStages(lake::ProductType::kEquityMbo, "SPY", "SPY", RunBronzeEquityMbo, RunSilverGoldEquityMbo);
}

TEST_F(BronzeSilverTeeTest, RunLayerAllTeesWhenTheSelectionMapNamesTheContract) {
  // `run --layer all`: with the map present the runner tees; without it, bronze, select, silver + gold.
  const fs::path teed = NewLake("run_teed"), staged = NewLake("run_staged");
  WriteSelection(registry_, teed, {{kDt, "ESH6", "2026-03-20", "", 0, 0, 0}});
  auto run = [&](const fs::path& lake) {
    RunOptions o;
    o.product_type = lake::ProductType::kFutureMbo;
    o.layers = {Layer::kBronze, Layer::kSilver, Layer::kGold};
    o.symbol = "ES";
    o.dates = {kDt};
    o.lake_root = lake;
    o.session_end_minute = 9 * 60 + 40;
    std::ostringstream out;
    RunSummary summary = pipeline::Run(o, registry_, out);
    EXPECT_EQ(summary.failed, 0) << out.str();
    return summary;
  };
  const RunSummary with_map = run(teed);
  const RunSummary without_map = run(staged);
  ASSERT_EQ(with_map.outcomes.size(), 2u);
  ASSERT_EQ(without_map.outcomes.size(), 2u);
  EXPECT_EQ(with_map.outcomes[1].result.stage, without_map.outcomes[1].result.stage);
  EXPECT_EQ(with_map.outcomes[1].task.symbol, "ESH6");
  EXPECT_EQ(with_map.outcomes[1].result.counters.count("fed_by_bronze"), 1u);
  EXPECT_EQ(without_map.outcomes[1].result.counters.count("fed_by_bronze"), 0u);
  fs::remove_all(teed / "selection");
  fs::remove_all(staged / "selection");
  ExpectSameLake(teed, staged);
}

TEST_F(BronzeSilverTeeTest, BronzeCommitFailureLeavesNoSilverOrGold) {
  // The engine has every row by then; only the bronze commit decides.
  const fs::path lake = NewLake("commit");
  lake::SetFailpointForTest("commit.rename:1");
  const BronzeSilverOutcome outcome =
      RunBronzeTeeingSilverGold(Ctx(lake), {lake::ProductType::kFutureMbo, "ES", kDt}, "ESH6");
  lake::SetFailpointForTest("");
  EXPECT_THAT(outcome.bronze.error, HasSubstr("failpoint commit.rename"));
  EXPECT_TRUE(outcome.silver_gold.result.stage.empty());
  EXPECT_FALSE(outcome.teed);
  ExpectNoSilverOrGold(lake);
}

TEST_F(BronzeSilverTeeTest, RawFileCutMidwayLeavesNoSilverOrGold) {
  // The day file cut at 60 %: bronze has fed the engine batches of ESH6 when decoding fails.
  const fs::path lake = NewLake("cut");
  fs::path file;
  for (const auto& e : fs::recursive_directory_iterator(lake / "raw")) {
    if (e.path().string().find("product_type=future_mbo") != std::string::npos && e.path().extension() == ".zst") {
      file = e.path();
    }
  }
  ASSERT_FALSE(file.empty());
  fs::resize_file(file, fs::file_size(file) * 6 / 10);
  const BronzeSilverOutcome outcome =
      RunBronzeTeeingSilverGold(Ctx(lake), {lake::ProductType::kFutureMbo, "ES", kDt}, "ESH6");
  EXPECT_THAT(outcome.bronze.error, HasSubstr(file.filename().string()));
  EXPECT_TRUE(outcome.silver_gold.result.stage.empty());
  ExpectNoSilverOrGold(lake);
  EXPECT_FALSE(fs::exists(lake / "bronze"));
}

TEST_F(BronzeSilverTeeTest, CompleteBronzeIsReadBackInstead) {
  // Bronze of the contract exists: nothing to stream, so silver + gold read it back; same lake.
  const fs::path teed = NewLake("readback"), staged = NewLake("staged");
  RunBronzeFutureMbo(Ctx(teed), {lake::ProductType::kFutureMbo, "ES", kDt});
  const BronzeSilverOutcome outcome =
      RunBronzeTeeingSilverGold(Ctx(teed), {lake::ProductType::kFutureMbo, "ES", kDt}, "ESH6");
  EXPECT_EQ(outcome.silver_gold.error, "");
  EXPECT_FALSE(outcome.teed);
  EXPECT_TRUE(outcome.bronze.result.skipped);
  EXPECT_EQ(outcome.silver_gold.result.datasets_written.size(), 3u);
  RunBronzeFutureMbo(Ctx(staged), {lake::ProductType::kFutureMbo, "ES", kDt});
  RunSilverGoldFutureMbo(Ctx(staged), {lake::ProductType::kFutureMbo, "ESH6", kDt});
  ExpectSameLake(teed, staged);
}

}  // namespace
}  // namespace spymaster::pipeline
