#include "sim/eastern_time.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace spymaster::sim {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int64_t kNsPerDay = 86'400 * kNsPerSecond;

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// The n-th (1-based) Sunday of `month` in `year`.
Date NthSunday(int year, int month, int n) {
  Date first{year, month, 1};
  const int offset = (7 - Weekday(first)) % 7;
  return Date{year, month, 1 + offset + 7 * (n - 1)};
}

int ParseInt(std::string_view text, std::size_t pos, std::size_t len, std::string_view whole,
             const char* what) {
  int value = 0;
  const char* begin = text.data() + pos;
  const auto [ptr, ec] = std::from_chars(begin, begin + len, value);
  if (ec != std::errc{} || ptr != begin + len) {
    throw std::invalid_argument(fmt::format("invalid {} '{}'", what, whole));
  }
  return value;
}

}  // namespace

std::int64_t DaysFromCivil(const Date& date) {
  // Howard Hinnant's days_from_civil.
  const int y = date.year - (date.month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(date.month + (date.month > 2 ? -3 : 9));
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(date.day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Date CivilFromDays(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400) + (m <= 2 ? 1 : 0);
  return Date{y, m, d};
}

int Weekday(const Date& date) {
  // 1970-01-01 was a Thursday.
  return static_cast<int>(((DaysFromCivil(date) % 7) + 7 + 4) % 7);
}

Date ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    throw std::invalid_argument(fmt::format("invalid date '{}': expected YYYY-MM-DD", text));
  }
  Date date{ParseInt(text, 0, 4, text, "date"), ParseInt(text, 5, 2, text, "date"),
            ParseInt(text, 8, 2, text, "date")};
  if (date.year < 2007 || date.year > 2099 || date.month < 1 || date.month > 12 || date.day < 1 ||
      date.day > DaysInMonth(date.year, date.month)) {
    throw std::invalid_argument(fmt::format("invalid date '{}': not a calendar date in 2007–2099", text));
  }
  return date;
}

std::string FormatDate(const Date& date) {
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

std::uint32_t DateAsYyyymmdd(const Date& date) {
  return static_cast<std::uint32_t>(date.year * 10000 + date.month * 100 + date.day);
}

Date AddDays(const Date& date, int days) { return CivilFromDays(DaysFromCivil(date) + days); }

std::uint64_t UtcMidnightNs(const Date& date) {
  return static_cast<std::uint64_t>(DaysFromCivil(date) * kNsPerDay);
}

bool IsEasternDst(std::uint64_t utc_ns) {
  const Date day = CivilFromDays(static_cast<std::int64_t>(utc_ns) / kNsPerDay);
  // Switch instants in UTC: 02:00 EST = 07:00Z (spring), 02:00 EDT = 06:00Z (fall).
  const std::uint64_t begin = UtcMidnightNs(NthSunday(day.year, 3, 2)) + 7 * 3600 * kNsPerSecond;
  const std::uint64_t end = UtcMidnightNs(NthSunday(day.year, 11, 1)) + 6 * 3600 * kNsPerSecond;
  return utc_ns >= begin && utc_ns < end;
}

int EasternUtcOffsetSeconds(std::uint64_t utc_ns) { return IsEasternDst(utc_ns) ? -4 * 3600 : -5 * 3600; }

std::uint64_t EasternToUtcNs(const Date& date, std::int64_t ns_of_day) {
  // Try standard time first; if that instant is in daylight time, the wall clock meant daylight time.
  // (On switch days this resolves the skipped hour forward and the repeated hour to its first pass.)
  const std::int64_t local = static_cast<std::int64_t>(UtcMidnightNs(date)) + ns_of_day;
  const std::uint64_t as_standard = static_cast<std::uint64_t>(local + 5 * 3600 * kNsPerSecond);
  const std::uint64_t as_daylight = static_cast<std::uint64_t>(local + 4 * 3600 * kNsPerSecond);
  return IsEasternDst(as_daylight) ? as_daylight : as_standard;
}

std::int64_t ParseClock(std::string_view text) {
  if ((text.size() != 5 && text.size() != 8) || text[2] != ':' || (text.size() == 8 && text[5] != ':')) {
    throw std::invalid_argument(fmt::format("invalid time '{}': expected HH:MM or HH:MM:SS", text));
  }
  const int h = ParseInt(text, 0, 2, text, "time");
  const int m = ParseInt(text, 3, 2, text, "time");
  const int s = text.size() == 8 ? ParseInt(text, 6, 2, text, "time") : 0;
  if (h > 23 || m > 59 || s > 59) throw std::invalid_argument(fmt::format("invalid time '{}'", text));
  return (static_cast<std::int64_t>(h) * 3600 + m * 60 + s) * kNsPerSecond;
}

std::string FormatEasternClock(std::uint64_t utc_ns) {
  const std::int64_t local = static_cast<std::int64_t>(utc_ns) +
                             static_cast<std::int64_t>(EasternUtcOffsetSeconds(utc_ns)) * kNsPerSecond;
  const std::int64_t in_day = ((local % kNsPerDay) + kNsPerDay) % kNsPerDay;
  const std::int64_t ms = in_day / 1'000'000;
  return fmt::format("{:02}:{:02}:{:02}.{:03}", ms / 3'600'000, ms / 60'000 % 60, ms / 1000 % 60, ms % 1000);
}

}  // namespace spymaster::sim
