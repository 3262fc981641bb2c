#include "common/calendar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace spymaster::common {
namespace {

using std::chrono::sys_days;

int ParseInt(std::string_view text, std::size_t pos, std::size_t len, const char* what) {
  int value = 0;
  const char* begin = text.data() + pos;
  const auto [ptr, ec] = std::from_chars(begin, begin + len, value);
  if (ec != std::errc{} || ptr != begin + len) throw std::invalid_argument(fmt::format("invalid {} '{}'", what, text));
  return value;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Date ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    throw std::invalid_argument(fmt::format("invalid date '{}': expected YYYY-MM-DD", text));
  }
  const Date date{std::chrono::year{ParseInt(text, 0, 4, "date")},
                  std::chrono::month{static_cast<unsigned>(ParseInt(text, 5, 2, "date"))},
                  std::chrono::day{static_cast<unsigned>(ParseInt(text, 8, 2, "date"))}};
  if (!date.ok() || date.year() < kFirstYear || date.year() > kLastYear) {
    throw std::invalid_argument(fmt::format("invalid date '{}': not a calendar date in {}–{}", text,
                                            static_cast<int>(kFirstYear), static_cast<int>(kLastYear)));
  }
  return date;
}

std::string FormatDate(Date date) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()));
}

std::uint32_t ToYyyymmdd(Date date) {
  return static_cast<std::uint32_t>(static_cast<int>(date.year())) * 10000 + static_cast<unsigned>(date.month()) * 100 +
         static_cast<unsigned>(date.day());
}

Date FromYyyymmdd(std::uint32_t yyyymmdd) {
  // std::chrono::year holds only -32767..32767; larger numbers must not wrap into a valid year.
  const std::uint32_t year = yyyymmdd / 10000;
  if (year < 1 || year > 9999) return Date{};
  return Date{std::chrono::year{static_cast<int>(year)}, std::chrono::month{yyyymmdd / 100 % 100},
              std::chrono::day{yyyymmdd % 100}};
}

bool IsWeekend(Date date) {
  const std::chrono::weekday wd{sys_days{date}};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

std::chrono::seconds ParseTimeOfDay(std::string_view text) {
  if ((text.size() != 5 && text.size() != 8) || text[2] != ':' || (text.size() == 8 && text[5] != ':')) {
    throw std::invalid_argument(fmt::format("invalid time '{}': expected HH:MM or HH:MM:SS", text));
  }
  const int h = ParseInt(text, 0, 2, "time");
  const int m = ParseInt(text, 3, 2, "time");
  const int s = text.size() == 8 ? ParseInt(text, 6, 2, "time") : 0;
  if (h > 23 || m > 59 || s > 59) throw std::invalid_argument(fmt::format("invalid time '{}'", text));
  return std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{s};
}

std::vector<std::string> ExpandDateRange(std::string_view start, std::string_view end) {
  const sys_days first{ParseDate(Trim(start))};
  const sys_days last{ParseDate(Trim(end))};
  if (last < first) throw std::invalid_argument(fmt::format("date range {}:{} ends before it starts", start, end));
  if (last - first > std::chrono::days{3660}) {
    throw std::invalid_argument(fmt::format("date range {}:{} is longer than ten years", start, end));
  }
  std::vector<std::string> dates;
  for (sys_days d = first; d <= last; d += std::chrono::days{1}) dates.push_back(FormatDate(Date{d}));
  return dates;
}

std::vector<std::string> ExpandDates(std::string_view text) {
  std::vector<std::string> dates;
  if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    dates = ExpandDateRange(text.substr(0, colon), text.substr(colon + 1));
  } else {
    std::size_t pos = 0;
    while (pos <= text.size()) {
      const std::size_t comma = std::min(text.find(',', pos), text.size());
      const std::string_view part = Trim(text.substr(pos, comma - pos));
      if (part.empty()) throw std::invalid_argument(fmt::format("empty date in '{}'", text));
      dates.push_back(FormatDate(ParseDate(part)));
      pos = comma + 1;
    }
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  if (dates.empty()) throw std::invalid_argument(fmt::format("no dates in '{}'", text));
  return dates;
}

}  // namespace spymaster::common
