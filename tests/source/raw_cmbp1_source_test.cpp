// RawCmbp1Source against bronze written from the same raw OPRA CMBP-1 file: both go through
// Cmbp1Normalizer and QuoteEvents, so the events must be identical when ts_event never goes back; and a
// raw file out of ts_recv order is refused naming the file, record and byte offset.
#include "source/raw_cmbp1_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "pipeline/bronze_stages.hpp"
#include "pipeline/raw_lake.hpp"
#include "source/bronze_cmbp1_source.hpp"
#include "source/option_definitions.hpp"
#include "source/raw_input.hpp"

namespace spymaster::source {
namespace {

using pipeline::testing::DayMetadata;
using pipeline::testing::kDay;
using pipeline::testing::kDayClose;
using pipeline::testing::kSecond;
using pipeline::testing::OptionDef;
using ::testing::HasSubstr;

dbn::Cmbp1Msg Quote(uint32_t id, uint64_t ts_event, uint64_t ts_recv, int64_t bid, uint32_t bid_sz, int64_t ask,
                    uint32_t ask_sz) {
  dbn::Cmbp1Msg q;
  q.hd.instrument_id = id;
  q.hd.publisher_id = 30;
  q.hd.ts_event = ts_event;
  q.ts_recv = ts_recv;
  q.levels[0] = {bid, ask, bid_sz, ask_sz};
  return q;
}

auto Key(const book::MboEvent& e) {
  return std::tuple(e.ts_event, e.instrument_id, e.sequence, e.action, e.side, e.price, e.size, e.order_id, e.flags,
                    e.origin);
}

class RawCmbp1SourceTest : public pipeline::testing::RawLake {
 protected:
  // SPY 0DTE calls 1 and 4, a QQQ 0DTE put 2, a SPY call 3 expiring tomorrow.
  void WriteDefinitions() {
    WriteRaw(lake::ProductType::kEquityOptionMbo, "SPY", "definition", "opra-pillar",
             DayMetadata("OPRA.PILLAR", dbn::Schema::kDefinition, {}),
             std::vector<dbn::InstrumentDefMsg>{OptionDef(1, 'C', "SPY", 600'000'000'000, kDayClose),
                                                OptionDef(2, 'P', "QQQ", 500'000'000'000, kDayClose),
                                                OptionDef(3, 'C', "SPY", 601'000'000'000, kDayClose + 86'400 * kSecond),
                                                OptionDef(4, 'C', "SPY", 602'000'000'000, kDayClose)});
  }
  std::filesystem::path WriteQuotes(const std::vector<dbn::Cmbp1Msg>& quotes) {
    return WriteRaw(lake::ProductType::kEquityOptionMbo, "SPY", "cmbp-1", "opra-pillar",
                    DayMetadata("OPRA.PILLAR", dbn::Schema::kCmbp1, {}), quotes);
  }
  OptionDefinitions Definitions() {
    const auto files = FindRawFiles(root_, lake::ProductType::kEquityOptionMbo, "SPY", "definition", "2026-01-06");
    return LoadZeroDteOptions(Paths(files), "2026-01-06", "");
  }
  static std::vector<book::MboEvent> All(engine::RecordSource& source) {
    std::vector<book::MboEvent> out;
    for (auto batch = source.NextBatch(); !batch.empty(); batch = source.NextBatch()) {
      out.insert(out.end(), batch.begin(), batch.end());
    }
    return out;
  }
};

TEST_F(RawCmbp1SourceTest, EventsEqualBronzeDrivenOnesAndDropsAreCounted) {
  WriteDefinitions();
  const uint64_t t = kDay + 14 * 3600 * kSecond;
  auto tcbbo = Quote(1, t, t, 1, 1, 2, 1);
  tcbbo.hd.rtype = dbn::RType::kTcbbo;
  const auto raw = WriteQuotes({
      Quote(1, t + 1, t + 2, 1'000'000'000, 10, dbn::kUndefPrice, 0),  // null ask → 0
      tcbbo,                                                           // another schema's rtype
      Quote(2, t + 3, t + 3, 1, 5, 2, 5),                              // QQQ
      Quote(3, t + 4, t + 4, 1, 5, 2, 5),                              // not 0DTE
      Quote(4, t + 4, t + 5, 2'000'000'000, 7, 2'100'000'000, 9),
      Quote(1, t + 6, t + 6, dbn::kUndefPrice, 0, 1'100'000'000, 20),  // null bid → 0
      Quote(1, t + 6, t + 7, 1'050'000'000, 3, 1'100'000'000, 20),     // same ts_event: ts_recv order
  });
  pipeline::RunBronzeEquityOptionCmbp1({root_, registry_, false},
                                       {lake::ProductType::kEquityOptionMbo, "SPY", "2026-01-06"});
  BronzeCmbp1Source bronze(registry_, root_, "bronze.equity_option_mbo.cmbp_1", {"SPY", "2026-01-06"});
  const OptionDefinitions definitions = Definitions();
  RawCmbp1Source from_raw({{raw}, &definitions, "SPY"});
  const auto want = All(bronze);
  const auto got = All(from_raw);
  ASSERT_EQ(got.size(), 8u);  // four SPY 0DTE tops, bid then ask
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(Key(got[i]), Key(want[i])) << "event " << i;
  EXPECT_EQ(got[0].side, 'B');
  EXPECT_EQ(got[1].side, 'A');
  EXPECT_EQ(got[1].price, 0);  // the null ask
  EXPECT_EQ(got[4].price, 0);  // the null bid
  EXPECT_EQ(got[7].price, 1'100'000'000);
  EXPECT_EQ(got[7].size, 20u);
  const auto counters = from_raw.Counters();
  EXPECT_EQ(counters.at("raw_records_read"), 6);
  EXPECT_EQ(counters.at("other_records_skipped"), 1);
  EXPECT_EQ(counters.at("not_0dte_dropped"), 1);
  EXPECT_EQ(counters.at("other_partition_records"), 1);
  EXPECT_EQ(counters.at("null_price_zeroed"), 2);
}

TEST_F(RawCmbp1SourceTest, PushFeedOfTheFilesBytesInAnySplitGivesTheFilesEvents) {
  WriteDefinitions();
  const uint64_t t = kDay + 14 * 3600 * kSecond;
  std::vector<dbn::Cmbp1Msg> quotes;
  for (uint32_t i = 0; i < 40; ++i) {  // ids 1..4 in turn: SPY 0DTE, QQQ, SPY tomorrow, SPY 0DTE
    quotes.push_back(Quote(1 + i % 4, t + i, t + i + 1, 1'000'000'000 + i, i, 1'100'000'000 + i, 2 * i));
  }
  const auto raw = WriteQuotes(quotes);
  const OptionDefinitions definitions = Definitions();
  RawCmbp1Source from_file({{raw}, &definitions, "SPY"});
  const auto want = All(from_file);
  ASSERT_EQ(want.size(), 40u);  // 20 SPY 0DTE tops, two events each
  std::ifstream in(raw, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto* bytes = reinterpret_cast<const std::byte*>(text.data());
  for (const std::size_t split : {std::size_t{1}, std::size_t{7}, text.size()}) {
    PushCmbp1Feed feed("push", definitions, "SPY");
    std::vector<book::MboEvent> got;
    for (std::size_t at = 0; at < text.size(); at += split) {
      const auto part = feed.Feed({bytes + at, std::min(split, text.size() - at)});
      got.insert(got.end(), part.begin(), part.end());
    }
    const auto last = feed.Finish();
    got.insert(got.end(), last.begin(), last.end());
    ASSERT_EQ(got.size(), want.size()) << "split " << split;
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(Key(got[i]), Key(want[i])) << "event " << i;
  }
  EXPECT_EQ(want[2].sequence, 1u);  // tops numbered among the kept ones (1 and 4), not among all read
  EXPECT_EQ(want[2].instrument_id, 4u);
}

TEST_F(RawCmbp1SourceTest, RecordsOutOfTsRecvOrderNameTheFileRecordAndOffset) {
  WriteDefinitions();
  const uint64_t t = kDay + 14 * 3600 * kSecond;
  const auto raw = WriteQuotes({Quote(1, t, t + 5, 1, 1, 2, 1), Quote(1, t, t + 4, 1, 1, 2, 1)});
  const OptionDefinitions definitions = Definitions();
  RawCmbp1Source from_raw({{raw}, &definitions, "SPY"});
  EXPECT_THAT([&] { All(from_raw); },
              ::testing::ThrowsMessage<std::runtime_error>(AllOf(HasSubstr(raw.string()), HasSubstr("record 1"),
                                                                 HasSubstr("byte offset"), HasSubstr("out of order"))));
}

TEST_F(RawCmbp1SourceTest, MissingFilesOrDefinitionsAreRefused) {
  const OptionDefinitions definitions;
  EXPECT_THROW(RawCmbp1Source({{}, &definitions, "SPY"}), std::invalid_argument);
  EXPECT_THROW(RawCmbp1Source({{"x.dbn"}, nullptr, "SPY"}), std::invalid_argument);
}

}  // namespace
}  // namespace spymaster::source
