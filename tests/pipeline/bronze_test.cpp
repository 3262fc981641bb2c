// Bronze stages on raw files written with our DBN encoder: fan-out, filters, null prices, sorting
// (streaming and the buffered fallback), 0DTE selection by New York expiration date, joins, errors.
#include <arrow/api.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/sha256.hpp"
#include "lake/partition.hpp"
#include "pipeline/bronze_stages.hpp"
#include "raw_lake.hpp"

namespace spymaster::pipeline {
namespace {

using testing::DayMetadata;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kDay;
using testing::kDayClose;
using testing::kPx;
using testing::kSecond;
using testing::Mbo;
using testing::OptionDef;

constexpr int64_t kTick = 250'000'000;
const std::string kDt = "2026-01-06";

template <class T>
std::vector<T> Column(const arrow::Table& table, const std::string& name) {
  std::vector<T> out;
  for (const auto& chunk : table.GetColumnByName(name)->chunks()) {
    if constexpr (std::is_same_v<T, std::string>) {
      const auto& a = static_cast<const arrow::StringArray&>(*chunk);
      for (int64_t i = 0; i < a.length(); ++i) out.emplace_back(a.GetView(i));
    } else {
      const auto& a = static_cast<const arrow::Int64Array&>(*chunk);
      for (int64_t i = 0; i < a.length(); ++i) out.push_back(a.Value(i));
    }
  }
  return out;
}

class Bronze : public testing::RawLake {
 protected:
  StageContext Ctx() const { return StageContext{root_, registry_, false}; }
  std::shared_ptr<arrow::Table> Read(const std::string& key, const std::string& symbol) {
    return lake::ReadPartition(registry_, root_, key, {symbol, kDt});
  }
  void WriteFutures(const std::vector<dbn::MboMsg>& records) {
    WriteRaw(lake::ProductType::kFutureMbo, "ES", "mbo", "glbx-mdp3",
             DayMetadata("GLBX.MDP3", dbn::Schema::kMbo, {{"ESH6", 1}, {"ESM6", 2}, {"ESH6-ESM6", 3}}), records);
  }
};

TEST_F(Bronze, FutureMboFansOutByContractDropsSpreadsAndZeroesNullPrices) {
  const uint64_t t = kDay + 3600 * kSecond;
  WriteFutures({
      Mbo(1, t, t + 10, 'R', 'N', dbn::kUndefPrice, 0, 0, 1, 0x20),
      Mbo(1, t, t + 11, 'A', 'B', kPx, 5, 100, 2, 0xA0),
      Mbo(3, t + 1, t + 12, 'A', 'A', kTick, 1, 300, 3),  // spread
      Mbo(2, t + 2, t + 13, 'A', 'A', kPx + 4 * kTick, 7, 200, 4),
      Mbo(1, t + 3, t + 14, 'T', 'A', kPx, 2, 0, 5),
      Mbo(1, t + 4, t + 15, 'C', 'B', kPx, 5, 100, 6),
  });
  const auto result = RunBronzeFutureMbo(Ctx(), {lake::ProductType::kFutureMbo, "ES", kDt});
  EXPECT_EQ(result.rows, 5);
  EXPECT_FALSE(result.skipped);
  EXPECT_EQ(result.counters.at("spreads_dropped"), 1);
  EXPECT_EQ(result.counters.at("null_price_zeroed"), 1);
  EXPECT_EQ(result.counters.at("streamed"), 1);
  EXPECT_EQ(lake::ListSymbols(registry_, root_, "bronze.future_mbo.mbo"), (std::vector<std::string>{"ESH6", "ESM6"}));

  const auto esh6 = Read("bronze.future_mbo.mbo", "ESH6");
  EXPECT_THAT(Column<std::string>(*esh6, "action"), ElementsAre("R", "A", "T", "C"));
  EXPECT_THAT(Column<int64_t>(*esh6, "price"), ElementsAre(0, kPx, kPx, kPx));
  EXPECT_THAT(Column<int64_t>(*esh6, "flags"), ElementsAre(0x20, 0xA0, 0, 0));
  EXPECT_THAT(Column<std::string>(*esh6, "symbol"), ElementsAre("ESH6", "ESH6", "ESH6", "ESH6"));
  EXPECT_THAT(Column<int64_t>(*esh6, "ts_recv"), ElementsAre(t + 10, t + 11, t + 14, t + 15));
  EXPECT_THAT(Column<int64_t>(*esh6, "rtype"), ElementsAre(0xA0, 0xA0, 0xA0, 0xA0));
  EXPECT_THAT(Column<int64_t>(*esh6, "channel_id"), ElementsAre(7, 7, 7, 7));
  EXPECT_THAT(Column<int64_t>(*esh6, "ts_in_delta"), ElementsAre(1234, 1234, 1234, 1234));
  const auto esm6 = Read("bronze.future_mbo.mbo", "ESM6");
  EXPECT_THAT(Column<int64_t>(*esm6, "order_id"), ElementsAre(200));
  EXPECT_THAT(Column<int64_t>(*esm6, "size"), ElementsAre(7));

  std::ifstream manifest(lake::PartitionDir(registry_.Get("bronze.future_mbo.mbo"), root_, {"ESH6", kDt}) /
                         "_MANIFEST.json");
  const auto m = nlohmann::json::parse(manifest);
  EXPECT_EQ(m["stage"], "bronze_ingest_future_mbo");
  EXPECT_EQ(m["inputs"].size(), 1u);
  EXPECT_EQ(m["inputs"][0]["manifest_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(m["counters"]["spreads_dropped"], 1);

  // Every partition the metadata maps to is complete: skipped from the metadata alone, no record read.
  const auto again = RunBronzeFutureMbo(Ctx(), {lake::ProductType::kFutureMbo, "ES", kDt});
  EXPECT_TRUE(again.skipped);
  EXPECT_EQ(again.rows, 0);
  EXPECT_EQ(again.counters.at("partitions_skipped"), 2);
  EXPECT_EQ(again.counters.count("records_read"), 0u);

  // One missing: the day is read again, only that partition is written, the other is left alone.
  const auto esh6_manifest = common::Sha256File(
      lake::PartitionDir(registry_.Get("bronze.future_mbo.mbo"), root_, {"ESH6", kDt}) / "_MANIFEST.json");
  std::filesystem::remove_all(lake::PartitionDir(registry_.Get("bronze.future_mbo.mbo"), root_, {"ESM6", kDt}));
  const auto partial = RunBronzeFutureMbo(Ctx(), {lake::ProductType::kFutureMbo, "ES", kDt});
  EXPECT_FALSE(partial.skipped);
  EXPECT_EQ(partial.counters.at("partitions_written"), 1);
  EXPECT_EQ(partial.counters.at("partitions_skipped"), 1);
  EXPECT_THAT(Column<int64_t>(*Read("bronze.future_mbo.mbo", "ESM6"), "order_id"), ElementsAre(200));
  EXPECT_EQ(common::Sha256File(lake::PartitionDir(registry_.Get("bronze.future_mbo.mbo"), root_, {"ESH6", kDt}) /
                               "_MANIFEST.json"),
            esh6_manifest);
}

// Codes go to Parquet as indices into a fixed dictionary of the MBO action/side codes; any other code byte
// (no Databento feed sends one) still arrives byte for byte, its batch written as plain strings.
TEST_F(Bronze, ActionAndSideCodesAreKeptByteForByteKnownOrNot) {
  const uint64_t t = kDay + 3600 * kSecond;
  WriteFutures({
      Mbo(1, t, t + 10, 'A', 'B', kPx, 5, 100, 1),
      Mbo(1, t + 1, t + 11, 'N', 'N', dbn::kUndefPrice, 0, 0, 2),
      Mbo(2, t + 2, t + 12, 'A', 'A', kPx, 7, 200, 3),
      Mbo(2, t + 3, t + 13, '\x90', 'A', kPx, 7, 200, 4),
      Mbo(2, t + 4, t + 14, '\0', '\x7f', kPx, 7, 200, 5),
  });
  RunBronzeFutureMbo(Ctx(), {lake::ProductType::kFutureMbo, "ES", kDt});
  const auto esh6 = Read("bronze.future_mbo.mbo", "ESH6");
  EXPECT_THAT(Column<std::string>(*esh6, "action"), ElementsAre("A", "N"));
  EXPECT_THAT(Column<std::string>(*esh6, "side"), ElementsAre("B", "N"));
  EXPECT_THAT(Column<std::string>(*esh6, "symbol"), ElementsAre("ESH6", "ESH6"));
  const auto esm6 = Read("bronze.future_mbo.mbo", "ESM6");
  EXPECT_THAT(Column<std::string>(*esm6, "action"), ElementsAre("A", "\x90", std::string(1, '\0')));
  EXPECT_THAT(Column<std::string>(*esm6, "side"), ElementsAre("A", "A", "\x7f"));
  EXPECT_THAT(Column<std::string>(*esm6, "symbol"), ElementsAre("ESM6", "ESM6", "ESM6"));
}

TEST_F(Bronze, RecordsOutOfEventOrderAreStableSortedThroughTheBufferedPath) {
  const uint64_t t = kDay + 3600 * kSecond;
  // ts_recv ascending (file order) but ts_event steps back; equal (ts_event, sequence) keep file order.
  WriteFutures({
      Mbo(1, t + 5, t + 10, 'A', 'B', kPx, 1, 1, 10),
      Mbo(1, t + 2, t + 11, 'A', 'B', kPx, 2, 2, 9),
      Mbo(1, t + 2, t + 12, 'A', 'B', kPx, 3, 3, 9),
      Mbo(1, t + 2, t + 13, 'A', 'B', kPx, 4, 4, 8),
      Mbo(2, t + 1, t + 14, 'A', 'A', kPx, 5, 5, 1),
  });
  const auto result = RunBronzeFutureMbo(Ctx(), {lake::ProductType::kFutureMbo, "ES", kDt});
  EXPECT_EQ(result.counters.at("streamed"), 0);
  EXPECT_EQ(result.counters.at("partitions_resorted"), 1);
  const auto esh6 = Read("bronze.future_mbo.mbo", "ESH6");
  EXPECT_THAT(Column<int64_t>(*esh6, "order_id"), ElementsAre(4, 2, 3, 1));
  EXPECT_EQ(Read("bronze.future_mbo.mbo", "ESM6")->num_rows(), 1);
  // The abandoned streaming attempt left nothing behind.
  const auto parent = lake::PartitionDir(registry_.Get("bronze.future_mbo.mbo"), root_, {"ESH6", kDt}).parent_path();
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(parent), std::filesystem::directory_iterator()), 1);
}

TEST_F(Bronze, RawRecordsOutOfReceiveOrderAreAnErrorNamingFileRecordAndOffset) {
  const uint64_t t = kDay + 3600 * kSecond;
  WriteFutures({Mbo(1, t, t + 10, 'A', 'B', kPx, 1, 1, 1), Mbo(1, t, t + 20, 'A', 'B', kPx, 1, 2, 2),
                Mbo(1, t, t + 15, 'A', 'B', kPx, 1, 3, 3)});
  EXPECT_THAT(
      [&] {
        RunBronzeFutureMbo(Ctx(), {lake::ProductType::kFutureMbo, "ES", kDt});
      },
      ::testing::ThrowsMessage<std::runtime_error>(AllOf(HasSubstr("glbx-mdp3-20260106.mbo.dbn.zst"),
                                                         HasSubstr("record 2 at byte offset"),
                                                         HasSubstr("out of order"))));
  EXPECT_TRUE(lake::ListSymbols(registry_, root_, "bronze.future_mbo.mbo").empty());
}

TEST_F(Bronze, AddWithoutPriceIsAnError) {
  const uint64_t t = kDay + 3600 * kSecond;
  WriteFutures({Mbo(1, t, t + 10, 'A', 'B', kPx, 1, 1, 1), Mbo(1, t, t + 11, 'M', 'B', dbn::kUndefPrice, 1, 1, 2)});
  EXPECT_THAT(
      [&] {
        RunBronzeFutureMbo(Ctx(), {lake::ProductType::kFutureMbo, "ES", kDt});
      },
      ::testing::ThrowsMessage<std::runtime_error>(AllOf(HasSubstr("record 1"), HasSubstr("'M' without a price"))));
}

TEST_F(Bronze, MissingRawFileNamesTheDirectory) {
  EXPECT_THAT(
      [&] {
        RunBronzeEquityMbo(Ctx(), {lake::ProductType::kEquityMbo, "SPY", kDt});
      },
      ::testing::ThrowsMessage<std::runtime_error>(
          HasSubstr("raw/source=databento/product_type=equity_mbo/symbol=SPY/table=mbo")));
}

TEST_F(Bronze, EquityMboKeepsEveryRecordOfTheDayFile) {
  // No session filter: a pre-dawn record and an after-close record both stay.
  WriteRaw(
      lake::ProductType::kEquityMbo, "SPY", "mbo", "xnas-itch",
      DayMetadata("XNAS.ITCH", dbn::Schema::kMbo, {{"SPY", 15144}}),
      std::vector<dbn::MboMsg>{
          Mbo(15144, kDay + kSecond, kDay + kSecond, 'A', 'B', 600 * 1'000'000'000LL, 100, 1, 1),
          Mbo(15144, kDay + 80'000 * kSecond, kDay + 80'000 * kSecond, 'C', 'B', 600 * 1'000'000'000LL, 100, 1, 2)});
  const auto result = RunBronzeEquityMbo(Ctx(), {lake::ProductType::kEquityMbo, "SPY", kDt});
  EXPECT_EQ(result.rows, 2);
  EXPECT_THAT(Column<std::string>(*Read("bronze.equity_mbo.mbo", "SPY"), "symbol"), ElementsAre("SPY", "SPY"));
}

TEST_F(Bronze, FutureOptionsKeep0dteByNewYorkDateAndJoinTheLatestDefinition) {
  const uint64_t close = kDay + 21 * 3600 * kSecond;     // 2026-01-06 16:00 ET
  const uint64_t late = kDay + 27 * 3600 * kSecond;      // 2026-01-07 03:00Z = 2026-01-06 22:00 ET
  const uint64_t tomorrow = kDay + 45 * 3600 * kSecond;  // 2026-01-07 16:00 ET
  WriteRaw(lake::ProductType::kFutureOptionMbo, "ES", "definition", "glbx-mdp3",
           DayMetadata("GLBX.MDP3", dbn::Schema::kDefinition, {}),
           std::vector<dbn::InstrumentDefMsg>{
               OptionDef(10, 'C', "ESH6", kPx, close), OptionDef(11, 'P', "ESH6", kPx - 5'000'000'000'000, close),
               OptionDef(12, 'C', "ESH6", kPx, tomorrow), OptionDef(13, 'C', "ESH6", kPx, close, kDay, 'Y'),
               OptionDef(14, 'P', "ESM6", kPx, late), OptionDef(15, 'F', "", 0, close),
               OptionDef(11, 'P', "ESH6", kPx - 10'000'000'000'000, close, kDay + kSecond)});  // redefinition
  const uint64_t t = kDay + 3600 * kSecond;
  WriteRaw(
      lake::ProductType::kFutureOptionMbo, "ES", "mbo", "glbx-mdp3",
      DayMetadata("GLBX.MDP3", dbn::Schema::kMbo,
                  {{"E1AF6 C6900", 10},
                   {"E1AF6 P6890", 11},
                   {"E2AF6 C6900", 12},
                   {"UD:1V: VT 0106", 13},
                   {"E1AF6 P6900", 14},
                   {"E1AF6 C6900-E1AF6 P6900", 16}}),
      std::vector<dbn::MboMsg>{Mbo(10, t, t, 'A', 'A', 5'000'000'000, 3, 1, 1), Mbo(12, t, t, 'A', 'A', 1, 3, 2, 2),
                               Mbo(13, t, t, 'A', 'A', 1, 3, 3, 3), Mbo(11, t + 1, t + 1, 'A', 'B', 2, 4, 4, 4),
                               Mbo(14, t + 2, t + 2, 'A', 'B', 3, 5, 5, 5), Mbo(16, t + 3, t + 3, 'A', 'B', 3, 5, 6, 6),
                               Mbo(99, t + 4, t + 4, 'A', 'B', 3, 5, 7, 7)});
  const auto result = RunBronzeFutureOptionMbo(Ctx(), {lake::ProductType::kFutureOptionMbo, "ES", kDt});
  EXPECT_EQ(result.counters.at("not_0dte_dropped"), 1);
  EXPECT_EQ(result.counters.at("user_defined_dropped"), 1);
  EXPECT_EQ(result.counters.at("spreads_dropped"), 1);
  EXPECT_EQ(result.counters.at("unmapped_dropped"), 1);
  EXPECT_EQ(result.counters.at("definition_zero_dte_instruments"), 3);
  const auto esh6 = Read("bronze.future_option_mbo.mbo", "ESH6");
  EXPECT_THAT(Column<int64_t>(*esh6, "instrument_id"), ElementsAre(10, 11));
  EXPECT_THAT(Column<std::string>(*esh6, "symbol"), ElementsAre("E1AF6 C6900", "E1AF6 P6890"));
  EXPECT_THAT(Column<std::string>(*esh6, "right"), ElementsAre("C", "P"));
  EXPECT_THAT(Column<int64_t>(*esh6, "strike"), ElementsAre(kPx, kPx - 10'000'000'000'000));
  EXPECT_THAT(Column<int64_t>(*esh6, "expiration"), ElementsAre(close, close));
  EXPECT_THAT(Column<std::string>(*esh6, "underlying"), ElementsAre("ESH6", "ESH6"));
  // Expiring 22:00 New York time on the 6th (already the 7th in UTC) is still 0DTE.
  const auto esm6 = Read("bronze.future_option_mbo.mbo", "ESM6");
  EXPECT_THAT(Column<int64_t>(*esm6, "instrument_id"), ElementsAre(14));
}

TEST_F(Bronze, EquityOptionsCmbp1FiltersByUnderlyingAndZeroesNullQuotes) {
  WriteRaw(lake::ProductType::kEquityOptionMbo, "SPY", "definition", "opra-pillar",
           DayMetadata("OPRA.PILLAR", dbn::Schema::kDefinition, {}),
           std::vector<dbn::InstrumentDefMsg>{OptionDef(1, 'C', "SPY", 600'000'000'000, kDayClose),
                                              OptionDef(2, 'P', "QQQ", 500'000'000'000, kDayClose),
                                              OptionDef(3, 'C', "SPY", 601'000'000'000, kDayClose + 86'400 * kSecond)});
  auto quote = [](uint32_t id, uint64_t ts_event, uint64_t ts_recv, int64_t bid, int64_t ask) {
    dbn::Cmbp1Msg q;
    q.hd.instrument_id = id;
    q.hd.publisher_id = 30;
    q.hd.ts_event = ts_event;
    q.ts_recv = ts_recv;
    q.levels[0].bid_px = bid;
    q.levels[0].ask_px = ask;
    q.levels[0].bid_sz = bid == dbn::kUndefPrice ? 0 : 10;
    q.levels[0].ask_sz = ask == dbn::kUndefPrice ? 0 : 20;
    return q;
  };
  const uint64_t t = kDay + 3600 * kSecond;
  auto tcbbo = quote(1, t, t + 1, 1, 2);
  tcbbo.hd.rtype = dbn::RType::kTcbbo;
  WriteRaw(lake::ProductType::kEquityOptionMbo, "SPY", "cmbp-1", "opra-pillar",
           DayMetadata("OPRA.PILLAR", dbn::Schema::kCmbp1, {}),
           std::vector<dbn::Cmbp1Msg>{quote(1, t + 5, t + 5, 1'000'000'000, dbn::kUndefPrice), tcbbo,
                                      quote(2, t + 6, t + 6, 1, 2), quote(3, t + 7, t + 7, 1, 2),
                                      quote(1, t + 3, t + 8, 1'000'000'000, 1'100'000'000)});
  const auto result = RunBronzeEquityOptionCmbp1(Ctx(), {lake::ProductType::kEquityOptionMbo, "SPY", kDt});
  EXPECT_EQ(result.rows, 2);
  EXPECT_EQ(result.counters.at("other_records_skipped"), 1);
  EXPECT_EQ(result.counters.at("definition_other_underlying_dropped"), 1);
  const auto spy = Read("bronze.equity_option_mbo.cmbp_1", "SPY");
  EXPECT_THAT(Column<int64_t>(*spy, "ts_event"), ElementsAre(t + 3, t + 5));  // sorted by (ts_event, ts_recv)
  EXPECT_THAT(Column<int64_t>(*spy, "ask_px_00"), ElementsAre(1'100'000'000, 0));
  EXPECT_THAT(Column<int64_t>(*spy, "ask_sz_00"), ElementsAre(20, 0));
  EXPECT_THAT(Column<int64_t>(*spy, "strike"), ElementsAre(600'000'000'000, 600'000'000'000));
  EXPECT_THAT(Column<std::string>(*spy, "right"), ElementsAre("C", "C"));
  EXPECT_THAT(Column<int64_t>(*spy, "publisher_id"), ElementsAre(30, 30));
}

TEST_F(Bronze, OverwriteIsRefused) {
  StageContext ctx{root_, registry_, true};
  EXPECT_THAT(
      [&] {
        RunBronzeFutureMbo(ctx, {lake::ProductType::kFutureMbo, "ES", kDt});
      },
      ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("never deleted")));
}

}  // namespace
}  // namespace spymaster::pipeline
