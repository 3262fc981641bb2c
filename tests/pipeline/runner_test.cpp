// The runner: task expansion, parallel workers, failures collected per task, usage errors.
#include "pipeline/runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "lake/partition.hpp"
#include "raw_lake.hpp"

namespace spymaster::pipeline {
namespace {

using testing::DayMetadata;
using ::testing::HasSubstr;
using testing::kDay;
using testing::kPx;
using testing::kSecond;
using testing::Mbo;

class Runner : public testing::RawLake {
 protected:
  void EquityDay(const std::string& yyyymmdd, uint64_t day_ns) {
    WriteRaw(
        lake::ProductType::kEquityMbo, "SPY", "mbo", "xnas-itch",
        DayMetadata("XNAS.ITCH", dbn::Schema::kMbo, {{"SPY", 15144}}, std::stoul(yyyymmdd)),
        std::vector<dbn::MboMsg>{Mbo(15144, day_ns + 3600 * kSecond, day_ns + 3600 * kSecond, 'A', 'B', kPx, 1, 1, 1)},
        yyyymmdd);
  }
  RunOptions Options(std::vector<std::string> dates, int workers) const {
    RunOptions o;
    o.product_type = lake::ProductType::kEquityMbo;
    o.layers = {lake::Layer::kBronze};
    o.symbol = "SPY";
    o.dates = std::move(dates);
    o.workers = workers;
    o.lake_root = root_;
    return o;
  }
};

TEST_F(Runner, ParallelWorkersRunEveryDateAndCollectFailures) {
  EquityDay("20260105", kDay - 86'400 * kSecond);
  EquityDay("20260106", kDay);
  std::ostringstream out;
  const auto summary = pipeline::Run(Options({"2026-01-05", "2026-01-06", "2026-01-07"}, 3), registry_, out);
  EXPECT_EQ(summary.outcomes.size(), 3u);
  EXPECT_EQ(summary.failed, 1);
  for (const auto& o : summary.outcomes) {
    if (o.task.dt == "2026-01-07") {
      EXPECT_THAT(o.error, HasSubstr("missing raw input"));
    } else {
      EXPECT_EQ(o.error, "") << o.task.dt;
      EXPECT_EQ(o.result.rows, 1);
      EXPECT_TRUE(lake::IsComplete(
          lake::PartitionDir(registry_.Get("bronze.equity_mbo.mbo"), root_, lake::PartitionKey{"SPY", o.task.dt})));
    }
  }
  EXPECT_THAT(out.str(), HasSubstr("Workers:      3"));
  EXPECT_THAT(out.str(), HasSubstr("FAILED  bronze_ingest_equity_mbo SPY 2026-01-07"));
}

TEST_F(Runner, SequentialRunStopsAtTheFirstFailure) {
  EquityDay("20260106", kDay);
  std::ostringstream out;
  const auto summary = pipeline::Run(Options({"2026-01-05", "2026-01-06"}, 1), registry_, out);
  ASSERT_EQ(summary.outcomes.size(), 1u);
  EXPECT_EQ(summary.outcomes[0].task.dt, "2026-01-05");
  EXPECT_EQ(summary.failed, 1);
  EXPECT_FALSE(
      lake::IsComplete(lake::PartitionDir(registry_.Get("bronze.equity_mbo.mbo"), root_, {"SPY", "2026-01-06"})));
}

TEST_F(Runner, RerunReportsSkipped) {
  EquityDay("20260106", kDay);
  std::ostringstream first, second;
  pipeline::Run(Options({"2026-01-06"}, 1), registry_, first);
  const auto summary = pipeline::Run(Options({"2026-01-06"}, 1), registry_, second);
  EXPECT_TRUE(summary.outcomes.at(0).result.skipped);
  EXPECT_THAT(second.str(), HasSubstr("skipped bronze_ingest_equity_mbo SPY 2026-01-06  (complete"));
  // Bronze refuses --overwrite, so the hint says what does rebuild it.
  EXPECT_THAT(second.str(), HasSubstr("bronze is never overwritten"));
  EXPECT_THAT(second.str(), HasSubstr("product_type=equity_mbo/symbol=*/table=*/dt=2026-01-06 by hand"));
  EXPECT_THAT(second.str(), ::testing::Not(HasSubstr("--overwrite")));
}

TEST_F(Runner, UsageErrors) {
  std::ostringstream out;
  auto o = Options({"2026-01-06"}, 1);
  o.overwrite = true;
  EXPECT_THAT([&] { pipeline::Run(o, registry_, out); },
              ::testing::ThrowsMessage<std::invalid_argument>(HasSubstr("--overwrite is only allowed")));
  o = Options({}, 1);
  EXPECT_THROW(pipeline::Run(o, registry_, out), std::invalid_argument);
  o = Options({"2026-01-06"}, 0);
  EXPECT_THROW(pipeline::Run(o, registry_, out), std::invalid_argument);
  o = Options({"2026-01-06"}, 1);
  o.symbol = "../SPY";
  EXPECT_THROW(pipeline::Run(o, registry_, out), std::invalid_argument);
  EquityDay("20260106", kDay);
  o = Options({"2026-01-06"}, 1);
  o.raw_jobs = {"NO-SUCH-JOB"};
  EXPECT_THAT([&] { pipeline::Run(o, registry_, out); },
              ::testing::ThrowsMessage<std::invalid_argument>(HasSubstr("--raw-job NO-SUCH-JOB")));
  o.raw_jobs = {"TEST-mbo"};
  o.layers = {lake::Layer::kSilver};
  EXPECT_THAT([&] { pipeline::Run(o, registry_, out); },
              ::testing::ThrowsMessage<std::invalid_argument>(HasSubstr("no bronze layer")));
  o.origin = RecordOrigin::kRaw;  // silver straight from raw reads the job folder
  EXPECT_NO_THROW(pipeline::Run(o, registry_, out));
}

TEST_F(Runner, EsSilverResolvesThroughTheSelectionMap) {
  RunOptions o = Options({"2026-01-06"}, 1);
  o.product_type = lake::ProductType::kFutureMbo;
  o.layers = {lake::Layer::kSilver};
  o.symbol = "ES";
  std::ostringstream out;
  if (FindStage(lake::ProductType::kFutureMbo, lake::Layer::kSilver) == nullptr) {
    EXPECT_THAT([&] { pipeline::Run(o, registry_, out); },
                ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("no silver stage is registered")));
  } else {
    // The exact command that makes the map.
    EXPECT_THAT([&] { pipeline::Run(o, registry_, out); },
                ::testing::ThrowsMessage<std::runtime_error>(::testing::AllOf(
                    HasSubstr("selection map"),
                    HasSubstr("`spymaster select-contract --dates 2026-01-06 --lake " + root_.string() + "`"))));
    o.dates = {"2026-01-06", "2026-01-07", "2026-01-08"};
    EXPECT_THAT([&] { pipeline::Run(o, registry_, out); },
                ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("--dates 2026-01-06:2026-01-08 ")));
    o.dates = {"2026-01-06", "2026-01-08"};
    EXPECT_THAT([&] { pipeline::Run(o, registry_, out); },
                ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("--dates 2026-01-06,2026-01-08 ")));
  }
}

TEST(StageRegistry, EveryProductHasABronzeStage) {
  for (auto pt : lake::kAllProductTypes) {
    const StageDef* stage = FindStage(pt, lake::Layer::kBronze);
    ASSERT_NE(stage, nullptr) << lake::ToString(pt);
    EXPECT_THAT(std::string(stage->name), ::testing::StartsWith("bronze_ingest_"));
  }
}

}  // namespace
}  // namespace spymaster::pipeline
