// America/New_York wall-clock time for the session dates common/calendar.hpp accepts (2007–2099).
//
// The US rule since 2007, not a tz database: daylight time from the second Sunday of March, 02:00 local
// standard time, to the first Sunday of November, 02:00 local daylight time. g++ 12's libstdc++ has no
// std::chrono::tzdb/zoned_time, and the alternative (Howard Hinnant's date/tz) would make every run read
// /usr/share/zoneinfo, a runtime dependency for a binary that otherwise runs anywhere. The rule is
// checked hour by hour for 2007–2099 against Python's zoneinfo (tests/common/new_york_table.txt); a
// change in US law shows up there when tzdata is regenerated, and needs a change here.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/calendar.hpp"

namespace spymaster::common {

using UtcTime = std::chrono::sys_time<std::chrono::nanoseconds>;
using NewYorkTime = std::chrono::local_time<std::chrono::nanoseconds>;

// Nanoseconds since the UTC epoch (DBN timestamps) and back.
constexpr std::int64_t EpochNs(UtcTime t) { return t.time_since_epoch().count(); }
constexpr UtcTime FromEpochNs(std::int64_t ns) { return UtcTime{std::chrono::nanoseconds{ns}}; }

// Whether New York observes daylight time at the instant.
bool IsNewYorkDst(UtcTime t);
// −4 h in daylight time, −5 h in standard time.
std::chrono::seconds NewYorkUtcOffset(UtcTime t);

// The instant of a New York wall-clock time. On switch days a skipped time (spring, 02:00–02:59) maps
// forward by an hour and a repeated one (fall, 01:00–01:59) to its first pass, as zoneinfo's fold=0.
UtcTime NewYorkToUtc(NewYorkTime local);
inline UtcTime NewYorkToUtc(Date date, std::chrono::nanoseconds time_of_day) {
  return NewYorkToUtc(std::chrono::local_days{date} + time_of_day);
}

// The New York calendar date of an instant.
Date NewYorkDate(UtcTime t);
// New York wall-clock text "HH:MM:SS.mmm" of an instant.
std::string FormatNewYorkClock(UtcTime t);

}  // namespace spymaster::common
