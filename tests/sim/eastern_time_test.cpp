#include "sim/eastern_time.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

namespace spymaster::sim {
namespace {

constexpr std::uint64_t kS = 1'000'000'000;

std::uint64_t Utc(int y, int m, int d, int hh, int mm, int ss = 0) {
  return UtcMidnightNs({y, m, d}) + static_cast<std::uint64_t>(hh * 3600 + mm * 60 + ss) * kS;
}

std::int64_t Clock(int hh, int mm) { return static_cast<std::int64_t>(hh * 3600 + mm * 60) * static_cast<std::int64_t>(kS); }

TEST(EasternTimeTest, CivilDaysRoundTrip) {
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({2026, 1, 6}), 20459);
  for (std::int64_t days = 13000; days < 47000; days += 17) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(days)), days);
  }
  EXPECT_EQ(CivilFromDays(DaysFromCivil({2024, 2, 29})), (Date{2024, 2, 29}));
}

TEST(EasternTimeTest, Weekday) {
  EXPECT_EQ(Weekday({2026, 1, 6}), 2);  // Tuesday
  EXPECT_EQ(Weekday({2026, 3, 8}), 0);  // Sunday
  EXPECT_EQ(Weekday({1970, 1, 1}), 4);  // Thursday
}

TEST(EasternTimeTest, WinterAndSummerOpen) {
  EXPECT_EQ(EasternToUtcNs({2026, 1, 6}, Clock(9, 30)), Utc(2026, 1, 6, 14, 30));
  EXPECT_EQ(EasternToUtcNs({2026, 7, 1}, Clock(9, 30)), Utc(2026, 7, 1, 13, 30));
}

TEST(EasternTimeTest, SpringForwardIsSecondSundayOfMarch) {
  // 2026: Sunday March 8. The Friday before is standard time, the Monday after daylight time.
  EXPECT_EQ(EasternToUtcNs({2026, 3, 6}, Clock(9, 30)), Utc(2026, 3, 6, 14, 30));
  EXPECT_EQ(EasternToUtcNs({2026, 3, 9}, Clock(9, 30)), Utc(2026, 3, 9, 13, 30));
  EXPECT_FALSE(IsEasternDst(Utc(2026, 3, 8, 6, 59, 59)));
  EXPECT_TRUE(IsEasternDst(Utc(2026, 3, 8, 7, 0)));
  // On the day itself: 01:30 is standard, 03:30 daylight.
  EXPECT_EQ(EasternToUtcNs({2026, 3, 8}, Clock(1, 30)), Utc(2026, 3, 8, 6, 30));
  EXPECT_EQ(EasternToUtcNs({2026, 3, 8}, Clock(3, 30)), Utc(2026, 3, 8, 7, 30));
  // 2024 (leap year): March 10.
  EXPECT_EQ(EasternToUtcNs({2024, 3, 8}, Clock(9, 30)), Utc(2024, 3, 8, 14, 30));
  EXPECT_EQ(EasternToUtcNs({2024, 3, 11}, Clock(9, 30)), Utc(2024, 3, 11, 13, 30));
}

TEST(EasternTimeTest, FallBackIsFirstSundayOfNovember) {
  // 2026: Sunday November 1.
  EXPECT_EQ(EasternToUtcNs({2026, 10, 30}, Clock(9, 30)), Utc(2026, 10, 30, 13, 30));
  EXPECT_EQ(EasternToUtcNs({2026, 11, 2}, Clock(9, 30)), Utc(2026, 11, 2, 14, 30));
  EXPECT_TRUE(IsEasternDst(Utc(2026, 11, 1, 5, 59, 59)));
  EXPECT_FALSE(IsEasternDst(Utc(2026, 11, 1, 6, 0)));
  // 2025: November 2.
  EXPECT_EQ(EasternToUtcNs({2025, 10, 31}, Clock(16, 0)), Utc(2025, 10, 31, 20, 0));
  EXPECT_EQ(EasternToUtcNs({2025, 11, 3}, Clock(16, 0)), Utc(2025, 11, 3, 21, 0));
  EXPECT_EQ(EasternUtcOffsetSeconds(Utc(2025, 11, 3, 12, 0)), -5 * 3600);
  EXPECT_EQ(EasternUtcOffsetSeconds(Utc(2025, 10, 31, 12, 0)), -4 * 3600);
}

TEST(EasternTimeTest, FormatsEasternClock) {
  EXPECT_EQ(FormatEasternClock(Utc(2026, 1, 6, 14, 30) + 250'000'000), "09:30:00.250");
  EXPECT_EQ(FormatEasternClock(Utc(2026, 7, 1, 13, 30)), "09:30:00.000");
}

TEST(EasternTimeTest, ParsesDatesAndClocks) {
  EXPECT_EQ(ParseDate("2026-01-06"), (Date{2026, 1, 6}));
  EXPECT_EQ(ParseDate("2024-02-29"), (Date{2024, 2, 29}));
  EXPECT_THROW(ParseDate("2026-02-29"), std::invalid_argument);
  EXPECT_THROW(ParseDate("2026-13-01"), std::invalid_argument);
  EXPECT_THROW(ParseDate("2026-1-6"), std::invalid_argument);
  EXPECT_THROW(ParseDate("tomorrow"), std::invalid_argument);
  EXPECT_THROW(ParseDate("1999-01-04"), std::invalid_argument);
  EXPECT_EQ(ParseClock("09:30"), Clock(9, 30));
  EXPECT_EQ(ParseClock("10:30:15"), Clock(10, 30) + 15 * static_cast<std::int64_t>(kS));
  EXPECT_THROW(ParseClock("24:00"), std::invalid_argument);
  EXPECT_THROW(ParseClock("9:30"), std::invalid_argument);
  EXPECT_THROW(ParseClock("09:61"), std::invalid_argument);
}

}  // namespace
}  // namespace spymaster::sim
