// Date parsing and spelling, and the runner's date-list expansion.
#include "common/calendar.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace spymaster::common {
namespace {

using namespace std::chrono;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Calendar, ParsesDatesAndClocks) {
  EXPECT_EQ(ParseDate("2026-01-06"), Date{year{2026} / 1 / 6});
  EXPECT_EQ(ParseDate("2024-02-29"), Date{year{2024} / 2 / 29});
  EXPECT_THROW(ParseDate("2026-02-29"), std::invalid_argument);
  EXPECT_THROW(ParseDate("2026-13-01"), std::invalid_argument);
  EXPECT_THROW(ParseDate("2026-1-6"), std::invalid_argument);
  EXPECT_THROW(ParseDate("2026-01-0x"), std::invalid_argument);
  EXPECT_THROW(ParseDate("tomorrow"), std::invalid_argument);
  EXPECT_THAT([] { ParseDate("1999-01-04"); }, ::testing::ThrowsMessage<std::invalid_argument>(
                                                   HasSubstr("'1999-01-04': not a calendar date in 2007–2099")));
  EXPECT_THROW(ParseDate("2100-01-04"), std::invalid_argument);
  EXPECT_EQ(ParseTimeOfDay("09:30"), hours{9} + minutes{30});
  EXPECT_EQ(ParseTimeOfDay("10:30:15"), hours{10} + minutes{30} + seconds{15});
  EXPECT_THROW(ParseTimeOfDay("24:00"), std::invalid_argument);
  EXPECT_THROW(ParseTimeOfDay("9:30"), std::invalid_argument);
  EXPECT_THROW(ParseTimeOfDay("09:61"), std::invalid_argument);
}

TEST(Calendar, SpellingsRoundTrip) {
  EXPECT_EQ(FormatDate(Date{year{2026} / 1 / 6}), "2026-01-06");
  EXPECT_EQ(ToYyyymmdd(Date{year{2026} / 1 / 6}), 20260106u);
  EXPECT_EQ(FromYyyymmdd(20240229), Date{year{2024} / 2 / 29});
  EXPECT_FALSE(FromYyyymmdd(20230229).ok());
  EXPECT_FALSE(FromYyyymmdd(20231301).ok());
  EXPECT_FALSE(FromYyyymmdd(101).ok());          // year 0
  EXPECT_FALSE(FromYyyymmdd(100000101).ok());    // year 10000
  EXPECT_FALSE(FromYyyymmdd(4294961231u).ok());  // year 429496 would wrap in std::chrono::year
  // 2026-01-06 is day 20459 of the Unix epoch (date -d 2026-01-06 +%s / 86400).
  EXPECT_EQ(sys_days{ParseDate("2026-01-06")}.time_since_epoch().count(), 20459);
  EXPECT_EQ(AddDays(ParseDate("2024-02-28"), 1), ParseDate("2024-02-29"));
  EXPECT_EQ(AddDays(ParseDate("2026-01-01"), -1), Date{year{2025} / 12 / 31});
}

TEST(Calendar, Weekends) {
  EXPECT_FALSE(IsWeekend(ParseDate("2026-01-06")));  // Tuesday
  EXPECT_TRUE(IsWeekend(ParseDate("2026-03-08")));   // Sunday
  EXPECT_TRUE(IsWeekend(ParseDate("2026-01-10")));   // Saturday
  EXPECT_FALSE(IsWeekend(ParseDate("2026-01-09")));  // Friday
}

TEST(ExpandDates, ListsAndRanges) {
  EXPECT_THAT(ExpandDates("2026-01-07,2026-01-05, 2026-01-07"), ElementsAre("2026-01-05", "2026-01-07"));
  EXPECT_THAT(ExpandDates("2025-12-30:2026-01-02"),
              ElementsAre("2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02"));
  EXPECT_THAT(ExpandDateRange("2024-02-28", "2024-03-01"), ElementsAre("2024-02-28", "2024-02-29", "2024-03-01"));
  EXPECT_THAT(ExpandDates("2026-01-06"), ElementsAre("2026-01-06"));
}

TEST(ExpandDates, ErrorsNameTheBadPart) {
  EXPECT_THAT([] { ExpandDates("2026-01-06,2026-13-01"); },
              ::testing::ThrowsMessage<std::invalid_argument>(HasSubstr("2026-13-01")));
  EXPECT_THAT([] { ExpandDates("2026-01-07:2026-01-05"); },
              ::testing::ThrowsMessage<std::invalid_argument>(HasSubstr("ends before it starts")));
  EXPECT_THAT([] { ExpandDates("2010-01-01:2026-01-05"); },
              ::testing::ThrowsMessage<std::invalid_argument>(HasSubstr("longer than ten years")));
  EXPECT_THROW(ExpandDates("2026-01-06,,2026-01-07"), std::invalid_argument);
  EXPECT_THROW(ExpandDates(""), std::invalid_argument);
}

}  // namespace
}  // namespace spymaster::common
