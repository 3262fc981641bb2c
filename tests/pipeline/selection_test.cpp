// Front-month selection (silver.md §7.1) on synthetic bronze partitions, and the selection file.
#include <arrow/api.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "columns/arrow_columns.hpp"
#include "common/calendar.hpp"
#include "lake/partition.hpp"
#include "pipeline/contract_selection.hpp"
#include "pipeline/session.hpp"
#include "raw_lake.hpp"

namespace spymaster::pipeline {
namespace {

using ::testing::HasSubstr;

TEST(EsContractExpiration, ThirdFridayOfTheContractMonth) {
  EXPECT_EQ(EsContractExpiration("ESH6"), "2026-03-20");
  EXPECT_EQ(EsContractExpiration("ESM6"), "2026-06-19");
  EXPECT_EQ(EsContractExpiration("ESZ5"), "2025-12-19");
  EXPECT_EQ(EsContractExpiration("ESU25"), "2025-09-19");
  EXPECT_EQ(EsContractExpiration("ESH0"), "2020-03-20");
  EXPECT_EQ(EsContractExpiration("ESH6-ESM6"), std::nullopt);
  EXPECT_EQ(EsContractExpiration("NQH6"), std::nullopt);
  EXPECT_EQ(EsContractExpiration("ESF6"), std::nullopt);
}

class Selection : public testing::RawLake {
 protected:
  // A bronze partition holding trades of `volume` lots, at 08:00 New York time when `premarket`,
  // else at 10:00.
  void Bronze(const std::string& symbol, const std::string& dt, int64_t volume, bool premarket = true) {
    const auto& spec = registry_.Get("bronze.future_mbo.mbo");
    const int64_t ts = SessionBoundsNs(dt, premarket ? 8 * 60 : 10 * 60, 23 * 60).start_ns;
    const int64_t n = 3;  // volume split over trades, plus one add that must not count
    std::vector<std::shared_ptr<arrow::Array>> columns;
    for (const auto& field : spec.contract.columns) {
      if (field.name == "action") {
        columns.push_back(columns::CharColumn(n + 1, [](int64_t i) { return i < 3 ? 'T' : 'A'; }));
      } else if (field.name == "side") {
        columns.push_back(columns::CharColumn(n + 1, [](int64_t) { return 'A'; }));
      } else if (field.name == "symbol") {
        columns.push_back(columns::StringColumn(n + 1, [&](int64_t) { return std::string_view(symbol); }));
      } else if (field.name == "size") {
        columns.push_back(columns::Int64Column(
            n + 1, [&](int64_t i) { return i < 2 ? volume / 3 : volume - 2 * (volume / 3) + (i == 3) * 1000; }));
      } else if (field.name == "ts_event") {
        columns.push_back(columns::Int64Column(n + 1, [&](int64_t i) { return ts + i; }));
      } else {
        columns.push_back(columns::Int64Column(n + 1, [](int64_t i) { return i; }));
      }
    }
    const auto table = arrow::Table::Make(spec.contract.ArrowSchema(), columns, n + 1);
    lake::WritePartition(registry_, root_, spec.key, {symbol, dt}, *table, lake::StageInfo{"test", {}, {}});
  }
};

TEST_F(Selection, SingleDayWithoutHistoryPicksTheNearestUnexpiredContract) {
  Bronze("ESZ5", "2026-01-06", 10);  // expired 2025-12-19
  Bronze("ESH6", "2026-01-06", 1000);
  Bronze("ESM6", "2026-01-06", 5000);
  const auto rows = BuildSelection(registry_, root_, {"2026-01-06"});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].session_date, "2026-01-06");
  EXPECT_EQ(rows[0].selected_symbol, "ESH6");
  EXPECT_EQ(rows[0].selected_exp_date, "2026-03-20");
  EXPECT_EQ(rows[0].prev_trading_date, "");
  EXPECT_EQ(rows[0].prev_volume_selected, 0);
  EXPECT_EQ(rows[0].roll_flag, 0);
}

TEST_F(Selection, PreviousDayVolumeDecidesAndTheRollIsFlagged) {
  Bronze("ESZ5", "2025-12-15", 100);
  Bronze("ESH6", "2025-12-15", 10);
  Bronze("ESZ5", "2025-12-16", 50);
  Bronze("ESH6", "2025-12-16", 200);
  Bronze("ESZ5", "2025-12-17", 10);
  Bronze("ESH6", "2025-12-17", 300);
  Bronze("ESH6", "2025-12-18", 900, /*premarket=*/false);  // no premarket trade: not a trading date
  Bronze("ESH6", "2025-12-19", 100);
  const auto rows = BuildSelection(registry_, root_, common::ExpandDates("2025-12-16:2025-12-19"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].session_date, "2025-12-16");
  EXPECT_EQ(rows[0].selected_symbol, "ESZ5");  // 12-15: ESZ5 100 > ESH6 10
  EXPECT_EQ(rows[0].prev_volume_selected, 100);
  EXPECT_EQ(rows[0].prev_volume_rank2, 10);
  EXPECT_EQ(rows[0].roll_flag, 0);  // 12-15 (no history) also selected ESZ5
  EXPECT_EQ(rows[1].session_date, "2025-12-17");
  EXPECT_EQ(rows[1].selected_symbol, "ESH6");  // 12-16: ESH6 200 > ESZ5 50
  EXPECT_EQ(rows[1].prev_volume_selected, 200);
  EXPECT_EQ(rows[1].roll_flag, 1);
  EXPECT_EQ(rows[2].session_date, "2025-12-19");  // ESZ5 expires that day: not a candidate
  EXPECT_EQ(rows[2].prev_trading_date, "2025-12-17");
  EXPECT_EQ(rows[2].selected_symbol, "ESH6");
  EXPECT_EQ(rows[2].prev_volume_selected, 300);
  EXPECT_EQ(rows[2].prev_volume_rank2, 0);
  EXPECT_EQ(rows[2].roll_flag, 0);

  WriteSelection(registry_, root_, rows);
  const auto map = LoadSelection(registry_, root_);
  EXPECT_EQ(map, (std::map<std::string, std::string>{
                     {"2025-12-16", "ESZ5"}, {"2025-12-17", "ESH6"}, {"2025-12-19", "ESH6"}}));
}

TEST_F(Selection, SelectMissingDatesAddsOnlyWhatTheMapLacksAndKeepsTheRest) {
  Bronze("ESH6", "2026-01-06", 1000);
  Bronze("ESH6", "2026-01-07", 1000);
  // An explicit map for another date, and one for 2026-01-06 that the data would not pick.
  WriteSelection(
      registry_, root_,
      {{"2025-11-03", "ESZ5", "2025-12-19", "", 7, 0, 0}, {"2026-01-06", "ESM6", "2026-06-19", "", 0, 0, 0}});
  const auto added = SelectMissingDates(registry_, root_, {"2026-01-06", "2026-01-07"});
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].session_date, "2026-01-07");
  EXPECT_EQ(added[0].selected_symbol, "ESH6");
  EXPECT_EQ(added[0].prev_trading_date, "2026-01-06");
  EXPECT_EQ(added[0].prev_volume_selected, 1000);
  EXPECT_EQ(
      LoadSelection(registry_, root_),
      (std::map<std::string, std::string>{{"2025-11-03", "ESZ5"}, {"2026-01-06", "ESM6"}, {"2026-01-07", "ESH6"}}));
  EXPECT_TRUE(SelectMissingDates(registry_, root_, {"2026-01-06", "2026-01-07"}).empty());

  std::filesystem::remove(lake::PartitionDir(registry_.Get(std::string(kSelectionDataset)), root_, {}));
  ASSERT_EQ(SelectMissingDates(registry_, root_, {"2026-01-06"}).size(), 1u);
  EXPECT_EQ(LoadSelection(registry_, root_), (std::map<std::string, std::string>{{"2026-01-06", "ESH6"}}));
}

TEST_F(Selection, ErrorsNameWhatIsMissing) {
  EXPECT_THAT([&] { BuildSelection(registry_, root_, {"2026-01-06"}); },
              ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("no ES outright contracts in bronze")));
  Bronze("ESH6", "2026-01-06", 10);
  EXPECT_THAT([&] { BuildSelection(registry_, root_, {"2026-02-02"}); },
              ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("no trading dates in 2026-02-02..2026-02-02")));
  EXPECT_THAT([&] { LoadSelection(registry_, root_); },
              ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("mbo_contract_day_selection.parquet not found")));
}

TEST_F(Selection, DuplicateSessionDatesAreRejected) {
  WriteSelection(
      registry_, root_,
      {{"2026-01-06", "ESH6", "2026-03-20", "", 0, 0, 0}, {"2026-01-06", "ESM6", "2026-06-19", "", 0, 0, 0}});
  EXPECT_THAT([&] { LoadSelection(registry_, root_); },
              ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("duplicate session_date 2026-01-06")));
}

}  // namespace
}  // namespace spymaster::pipeline
