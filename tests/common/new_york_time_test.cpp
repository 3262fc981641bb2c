// The America/New_York rule against hand-derived instants, and hour by hour for 2007–2099 against
// Python's zoneinfo (new_york_table.txt, written by python/tools/gen_new_york_table.py;
// python/tests/test_new_york_table.py checks that the committed table is what zoneinfo says).
#include "common/new_york_time.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace spymaster::common {
namespace {

using namespace std::chrono;

UtcTime Utc(int y, unsigned m, unsigned d, int hh, int mm, int ss = 0) {
  return sys_days{year{y} / m / d} + hours{hh} + minutes{mm} + seconds{ss};
}

UtcTime NewYork(int y, unsigned m, unsigned d, int hh, int mm) {
  return NewYorkToUtc(Date{year{y} / m / d}, hours{hh} + minutes{mm});
}

TEST(NewYorkTime, WinterAndSummerOpen) {
  EXPECT_EQ(NewYork(2026, 1, 6, 9, 30), Utc(2026, 1, 6, 14, 30));
  EXPECT_EQ(NewYork(2026, 7, 1, 9, 30), Utc(2026, 7, 1, 13, 30));
}

TEST(NewYorkTime, SpringForwardIsSecondSundayOfMarch) {
  // 2026: Sunday March 8. The Friday before is standard time, the Monday after daylight time.
  EXPECT_EQ(NewYork(2026, 3, 6, 9, 30), Utc(2026, 3, 6, 14, 30));
  EXPECT_EQ(NewYork(2026, 3, 9, 9, 30), Utc(2026, 3, 9, 13, 30));
  EXPECT_FALSE(IsNewYorkDst(Utc(2026, 3, 8, 6, 59, 59)));
  EXPECT_TRUE(IsNewYorkDst(Utc(2026, 3, 8, 7, 0)));
  // On the day itself: 01:30 is standard, 03:30 daylight, the skipped 02:30 maps forward.
  EXPECT_EQ(NewYork(2026, 3, 8, 1, 30), Utc(2026, 3, 8, 6, 30));
  EXPECT_EQ(NewYork(2026, 3, 8, 3, 30), Utc(2026, 3, 8, 7, 30));
  EXPECT_EQ(NewYork(2026, 3, 8, 2, 30), Utc(2026, 3, 8, 7, 30));
  // 2024 (leap year): March 10.
  EXPECT_EQ(NewYork(2024, 3, 8, 9, 30), Utc(2024, 3, 8, 14, 30));
  EXPECT_EQ(NewYork(2024, 3, 11, 9, 30), Utc(2024, 3, 11, 13, 30));
}

TEST(NewYorkTime, FallBackIsFirstSundayOfNovember) {
  // 2026: Sunday November 1. The repeated 01:30 is its first (daylight) pass.
  EXPECT_EQ(NewYork(2026, 10, 30, 9, 30), Utc(2026, 10, 30, 13, 30));
  EXPECT_EQ(NewYork(2026, 11, 2, 9, 30), Utc(2026, 11, 2, 14, 30));
  EXPECT_EQ(NewYork(2026, 11, 1, 1, 30), Utc(2026, 11, 1, 5, 30));
  EXPECT_TRUE(IsNewYorkDst(Utc(2026, 11, 1, 5, 59, 59)));
  EXPECT_FALSE(IsNewYorkDst(Utc(2026, 11, 1, 6, 0)));
  // 2025: November 2.
  EXPECT_EQ(NewYork(2025, 10, 31, 16, 0), Utc(2025, 10, 31, 20, 0));
  EXPECT_EQ(NewYork(2025, 11, 3, 16, 0), Utc(2025, 11, 3, 21, 0));
  EXPECT_EQ(NewYorkUtcOffset(Utc(2025, 11, 3, 12, 0)), hours{-5});
  EXPECT_EQ(NewYorkUtcOffset(Utc(2025, 10, 31, 12, 0)), hours{-4});
}

TEST(NewYorkTime, LocalDateAndClock) {
  EXPECT_EQ(FormatNewYorkClock(Utc(2026, 1, 6, 14, 30) + milliseconds{250}), "09:30:00.250");
  EXPECT_EQ(FormatNewYorkClock(Utc(2026, 7, 1, 13, 30)), "09:30:00.000");
  // 02:30 UTC on the 7th is still the 6th in New York (21:30 EST).
  EXPECT_EQ(NewYorkDate(Utc(2026, 1, 7, 2, 30)), Date{year{2026} / 1 / 6});
  EXPECT_EQ(FormatNewYorkClock(Utc(2026, 1, 7, 2, 30)), "21:30:00.000");
  EXPECT_EQ(NewYorkDate(Utc(2026, 1, 7, 5, 0)), Date{year{2026} / 1 / 7});
}

struct ZoneinfoTable {
  std::vector<std::pair<sys_seconds, seconds>> offsets;  // (from instant, offset), ascending
  struct Wall {
    std::string date;
    std::string clock;
    sys_seconds utc;
  };
  std::vector<Wall> walls;
};

ZoneinfoTable ReadTable() {
  const std::string path = SPYMASTER_SOURCE_DIR "/tests/common/new_york_table.txt";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "missing " << path;
  ZoneinfoTable table;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind;
    fields >> kind;
    if (kind == "O") {
      long long utc = 0, offset = 0;
      fields >> utc >> offset;
      table.offsets.emplace_back(sys_seconds{seconds{utc}}, seconds{offset});
    } else if (kind == "W") {
      ZoneinfoTable::Wall wall;
      long long utc = 0;
      fields >> wall.date >> wall.clock >> utc;
      wall.utc = sys_seconds{seconds{utc}};
      table.walls.push_back(wall);
    }
  }
  return table;
}

TEST(NewYorkTime, EveryHourOf2007To2099MatchesZoneinfo) {
  const ZoneinfoTable table = ReadTable();
  // 93 years have 186 switches; the first line is the offset at the start.
  ASSERT_EQ(table.offsets.size(), 187u);
  const sys_seconds end = sys_days{year{2100} / 1 / 1};
  std::size_t hours_checked = 0, mismatches = 0;
  for (std::size_t i = 0; i < table.offsets.size(); ++i) {
    const auto [from, offset] = table.offsets[i];
    const sys_seconds until = i + 1 < table.offsets.size() ? table.offsets[i + 1].first : end;
    for (sys_seconds t = from; t < until; t += hours{1}) {
      ++hours_checked;
      if (NewYorkUtcOffset(t) != offset && ++mismatches <= 5) {
        ADD_FAILURE() << "offset at " << t.time_since_epoch().count() << " s: ours " << NewYorkUtcOffset(t).count()
                      << ", zoneinfo " << offset.count();
      }
    }
    if (i > 0) {  // the switch itself, to the second
      EXPECT_EQ(NewYorkUtcOffset(from - seconds{1}), table.offsets[i - 1].second) << from.time_since_epoch().count();
      EXPECT_EQ(NewYorkUtcOffset(from), offset) << from.time_since_epoch().count();
    }
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(hours_checked, 93u * 365 * 24);
}

TEST(NewYorkTime, WallClockOnSwitchDaysMatchesZoneinfoFoldZero) {
  const ZoneinfoTable table = ReadTable();
  ASSERT_EQ(table.walls.size(), 186u * 14);
  for (const auto& wall : table.walls) {
    const UtcTime ours = NewYorkToUtc(ParseDate(wall.date), ParseTimeOfDay(wall.clock));
    EXPECT_EQ(ours, wall.utc) << wall.date << " " << wall.clock;
  }
}

}  // namespace
}  // namespace spymaster::common
