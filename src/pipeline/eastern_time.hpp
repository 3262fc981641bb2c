// America/New_York wall clock ↔ UTC nanoseconds, DST-aware, without a tz database (g++ 12's <chrono>
// has none). US rule since 2007: EDT (UTC−4) from the second Sunday of March 02:00 local to the first
// Sunday of November 02:00 local, EST (UTC−5) otherwise. Dates before 2007 are out of scope and
// rejected by ParseDate's callers only through the rule itself (it is applied as is).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace spymaster::pipeline {

// Strict YYYY-MM-DD; throws std::invalid_argument naming the text.
std::chrono::year_month_day ParseDate(std::string_view text);
std::string FormatDate(std::chrono::year_month_day date);

// UTC offset in seconds (−18000 or −14400) in effect at the UTC instant.
int64_t EasternUtcOffsetSeconds(int64_t utc_ns);

// UTC ns of the local wall-clock time `minute_of_day` minutes after midnight on `date` in New York.
// Local times inside the spring-forward gap map forward by an hour; ambiguous fall-back times take
// the first (EDT) occurrence.
int64_t EasternToUtcNs(std::chrono::year_month_day date, int minute_of_day);

// The New York calendar date of a UTC instant.
std::chrono::year_month_day EasternDate(int64_t utc_ns);

struct SessionBounds {
  int64_t start_ns;  // inclusive
  int64_t end_ns;    // exclusive
};
SessionBounds SessionBoundsNs(std::string_view dt, int start_minute, int end_minute);

}  // namespace spymaster::pipeline
