// Calendar dates and US Eastern wall-clock time without a tz database. The US rule since 2007: daylight
// time from the second Sunday of March, 02:00 local standard time, to the first Sunday of November,
// 02:00 local daylight time. g++ 12 lacks std::chrono::zoned_time, and the sessions we model never
// straddle the 02:00 switch, so this small rule is exact for every date we accept (years 2007–2099).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace spymaster::sim {

struct Date {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31

  bool operator==(const Date&) const = default;
};

// Days since 1970-01-01 (proleptic Gregorian), and back.
std::int64_t DaysFromCivil(const Date& date);
Date CivilFromDays(std::int64_t days);
// 0 = Sunday … 6 = Saturday.
int Weekday(const Date& date);
// "YYYY-MM-DD" (a real calendar date, 2007–2099); throws std::invalid_argument naming the text.
Date ParseDate(std::string_view text);
std::string FormatDate(const Date& date);  // "YYYY-MM-DD"
std::uint32_t DateAsYyyymmdd(const Date& date);  // 20260106
Date AddDays(const Date& date, int days);

// Nanoseconds since the UTC epoch of 00:00 UTC on `date`.
std::uint64_t UtcMidnightNs(const Date& date);
// Whether US Eastern observes daylight time at the UTC instant `utc_ns`.
bool IsEasternDst(std::uint64_t utc_ns);
// UTC offset of US Eastern at `utc_ns` in seconds (−14400 in summer, −18000 in winter).
int EasternUtcOffsetSeconds(std::uint64_t utc_ns);
// The UTC instant of the wall-clock time `ns_of_day` (ns since local midnight) on `date` in New York.
std::uint64_t EasternToUtcNs(const Date& date, std::int64_t ns_of_day);
// "HH:MM" or "HH:MM:SS" → ns since local midnight; throws std::invalid_argument naming the text.
std::int64_t ParseClock(std::string_view text);
// Eastern wall-clock text "HH:MM:SS.mmm" of a UTC instant.
std::string FormatEasternClock(std::uint64_t utc_ns);

}  // namespace spymaster::sim
