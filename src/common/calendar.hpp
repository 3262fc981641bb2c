// Calendar dates as std::chrono civil dates, and their spellings: "YYYY-MM-DD" on the command line and in
// the lake's dt= partitions, YYYYMMDD in DBN metadata and file names. The one place that parses a date
// and expands a date list or range.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spymaster::common {

using Date = std::chrono::year_month_day;

// Years ParseDate accepts: those the America/New_York rule in new_york_time.hpp is exact for.
inline constexpr std::chrono::year kFirstYear{2007};
inline constexpr std::chrono::year kLastYear{2099};

// "YYYY-MM-DD", a real calendar date in kFirstYear..kLastYear; throws std::invalid_argument naming the text.
Date ParseDate(std::string_view text);
std::string FormatDate(Date date);  // "YYYY-MM-DD"

std::uint32_t ToYyyymmdd(Date date);  // 2026-01-06 → 20260106
// The date a YYYYMMDD number spells; not ok() when it is not a calendar date or the year is not 1..9999.
Date FromYyyymmdd(std::uint32_t yyyymmdd);

inline Date AddDays(Date date, int days) { return Date{std::chrono::sys_days{date} + std::chrono::days{days}}; }
bool IsWeekend(Date date);

// "HH:MM" or "HH:MM:SS" → time since midnight; throws std::invalid_argument naming the text.
std::chrono::seconds ParseTimeOfDay(std::string_view text);

// Dates for --dt / --dates / --start-date --end-date: "a,b,c" or "start:end" (inclusive calendar range,
// at most ten years). Returns sorted unique YYYY-MM-DD strings; throws std::invalid_argument naming the
// bad part.
std::vector<std::string> ExpandDates(std::string_view dates);
std::vector<std::string> ExpandDateRange(std::string_view start, std::string_view end);

}  // namespace spymaster::common
