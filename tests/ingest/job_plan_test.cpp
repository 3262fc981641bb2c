#include "ingest/job_plan.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace spymaster::ingest {
namespace {

using common::ParseDate;

TEST(JobPlanTest, EsDefinitionParentsFollowTheWeekday) {
  // 2026-01-16 is the third Friday of January, 2026-01-09 the second, 2026-01-06 a Tuesday.
  EXPECT_EQ(EsDefinitionParents(ParseDate("2026-01-16")), (std::vector<std::string>{"ES.OPT"}));
  EXPECT_EQ(EsDefinitionParents(ParseDate("2026-01-09")),
            (std::vector<std::string>{"EW.OPT", "EW1.OPT", "EW2.OPT", "EW3.OPT", "EW4.OPT"}));
  const auto tuesday = EsDefinitionParents(ParseDate("2026-01-06"));
  ASSERT_EQ(tuesday.size(), 30u);
  EXPECT_EQ(tuesday.front(), "E1.OPT");
  EXPECT_EQ(tuesday[1], "E1A.OPT");
  EXPECT_EQ(tuesday.back(), "E5E.OPT");
}

TEST(JobPlanTest, FuturesFirstStageSkipsWeekendsAndKeysJobs) {
  // Friday 2026-01-09 to Monday 2026-01-12: two trading days.
  const auto r = MakeRequest(Market::kFutures, "2026-01-09", "2026-01-12", "ES", true, "");
  EXPECT_EQ(r.dates, (std::vector<std::string>{"2026-01-09", "2026-01-12"}));
  EXPECT_EQ(r.options_schemas, (std::vector<std::string>{"definition", "mbo", "statistics"}));
  const auto jobs = FirstStageJobs(r);
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs[0].Key(), "GLBX.MDP3|mbo|ES|2026-01-09|future_mbo");
  EXPECT_EQ(jobs[0].symbols, (std::vector<std::string>{"ES.FUT"}));
  EXPECT_EQ(jobs[0].EndDate(), "2026-01-10");
  EXPECT_EQ(jobs[1].Key(), "GLBX.MDP3|definition|ES|2026-01-09|future_option_mbo");
  EXPECT_EQ(jobs[1].symbols.size(), 5u);  // a Friday that is not the third
}

TEST(JobPlanTest, EquitiesUseRawSymbolMboAndOpraDefinitions) {
  const auto jobs = FirstStageJobs(MakeRequest(Market::kEquities, "2026-01-06", "", "SPY,QQQ", false, ""));
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs[0].dataset, "XNAS.ITCH");
  EXPECT_EQ(jobs[0].stype_in, "raw_symbol");
  EXPECT_EQ(jobs[1].dataset, "OPRA.PILLAR");
  EXPECT_EQ(jobs[1].symbols, (std::vector<std::string>{"SPY.OPT"}));
  EXPECT_EQ(jobs[3].symbols, (std::vector<std::string>{"QQQ.OPT"}));
}

TEST(JobPlanTest, OptionJobsUseAssetParentsPerSchema) {
  const auto r = MakeRequest(Market::kEquities, "2026-01-06", "", "SPY", false, "definition,cmbp-1");
  const JobSpec def = FirstStageJobs(r)[1];
  const auto jobs = OptionJobs(r.options_schemas, def, {"SPY", "SPYW"});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].schema, "cmbp-1");
  EXPECT_EQ(jobs[0].symbols, (std::vector<std::string>{"SPY.OPT", "SPYW.OPT"}));
  EXPECT_TRUE(OptionJobs(r.options_schemas, def, {}).empty());
}

TEST(JobPlanTest, BadValuesAreUsageErrors) {
  EXPECT_THROW(MakeRequest(Market::kFutures, "2026-01-06", "", "NQ", false, ""), UsageError);
  EXPECT_THROW(MakeRequest(Market::kEquities, "2026-01-06", "", "spy", false, ""), UsageError);
  EXPECT_THROW(MakeRequest(Market::kEquities, "2026-01-06", "", "SPY", true, ""), UsageError);
  EXPECT_THROW(MakeRequest(Market::kFutures, "2026-01-06", "", "ES", false, "none"), UsageError);
  EXPECT_THROW(MakeRequest(Market::kFutures, "2026-01-10", "2026-01-11", "ES", false, ""), UsageError);
}

}  // namespace
}  // namespace spymaster::ingest
