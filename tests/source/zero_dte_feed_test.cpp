// ZeroDteFeed (definitions pushed as they arrive, Live) against LoadZeroDteOptions over a file of the same
// definitions: the same 0DTE selection, the latest definition by ts_event winning in both.
#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "pipeline/raw_lake.hpp"
#include "source/option_definitions.hpp"
#include "source/raw_input.hpp"

namespace spymaster::source {
namespace {

using pipeline::testing::DayMetadata;
using pipeline::testing::kDay;
using pipeline::testing::kDayClose;
using pipeline::testing::kSecond;
using pipeline::testing::OptionDef;

constexpr uint64_t kTomorrow = kDayClose + 86'400 * kSecond;

class ZeroDteFeedTest : public pipeline::testing::RawLake {};

TEST_F(ZeroDteFeedTest, PushedDefinitionsSelectWhatTheFileSelects) {
  const std::vector<dbn::InstrumentDefMsg> defs = {
      OptionDef(1, 'C', "ESH6", 6'000'000'000'000, kDayClose),
      OptionDef(2, 'P', "ESH6", 6'005'000'000'000, kTomorrow),            // not 0DTE
      OptionDef(3, 'C', "ESH6", 6'010'000'000'000, kDayClose, kDay + 5),  // 0DTE, then redefined:
      OptionDef(3, 'C', "ESH6", 6'010'000'000'000, kTomorrow, kDay + 9),  //   the newer one is not
      OptionDef(4, 'P', "ESH6", 5'990'000'000'000, kTomorrow, kDay + 9),  // not 0DTE, then an older
      OptionDef(4, 'P', "ESH6", 5'990'000'000'000, kDayClose, kDay + 5),  //   0DTE one: ignored
      OptionDef(5, 'F', "ESH6", 0, kDayClose),                            // not an option
      OptionDef(6, 'C', "ESH6", 6'020'000'000'000, kDayClose, kDay, /*user_defined=*/'Y'),
      OptionDef(7, 'P', "ESH6", 5'980'000'000'000, kTomorrow, kDay + 5),  // redefined as 0DTE later
      OptionDef(7, 'P', "ESH6", 5'980'000'000'000, kDayClose, kDay + 9),
  };
  WriteRaw(lake::ProductType::kFutureOptionMbo, "ES", "definition", "glbx-mdp3",
           DayMetadata("GLBX.MDP3", dbn::Schema::kDefinition, {}), defs);
  const auto files = FindRawFiles(root_, lake::ProductType::kFutureOptionMbo, "ES", "definition", "2026-01-06");
  const OptionDefinitions want = LoadZeroDteOptions(Paths(files), "2026-01-06", "");

  ZeroDteFeed feed("2026-01-06", "");
  std::vector<bool> kept;
  for (const auto& d : defs) kept.push_back(feed.OnDefinition(d) != nullptr);
  EXPECT_EQ(kept, (std::vector<bool>{true, false, true, false, false, false, false, false, false, true}));
  const OptionDefinitions& got = feed.definitions();
  ASSERT_EQ(got.zero_dte.size(), want.zero_dte.size());
  for (const auto& [id, meta] : want.zero_dte) {
    ASSERT_TRUE(got.zero_dte.contains(id)) << id;
    const OptionMeta& g = got.zero_dte.at(id);
    EXPECT_EQ(std::tie(g.underlying, g.right, g.strike, g.expiration, g.raw_symbol, g.tick),
              std::tie(meta.underlying, meta.right, meta.strike, meta.expiration, meta.raw_symbol, meta.tick));
  }
  EXPECT_EQ(want.zero_dte.size(), 2u);  // 1 and 7, by hand
  EXPECT_TRUE(want.zero_dte.contains(1) && want.zero_dte.contains(7));
  EXPECT_EQ(got.counters.at("definitions_read"), 10);
}

}  // namespace
}  // namespace spymaster::source
