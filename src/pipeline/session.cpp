#include "pipeline/session.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/eastern_time.hpp"

namespace spymaster::pipeline {
namespace {

constexpr int64_t kNsPerMinute = 60'000'000'000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

SessionBounds SessionBoundsNs(std::string_view dt, int start_minute, int end_minute) {
  const sim::Date date = sim::ParseDate(dt);
  if (start_minute < 0 || end_minute > 24 * 60 || start_minute >= end_minute) {
    throw std::invalid_argument(
        fmt::format("session window {}..{} minutes is empty or outside the day", start_minute, end_minute));
  }
  return {static_cast<int64_t>(sim::EasternToUtcNs(date, start_minute * kNsPerMinute)),
          static_cast<int64_t>(sim::EasternToUtcNs(date, end_minute * kNsPerMinute))};
}

int ParseMinuteOfDay(std::string_view text) {
  const int64_t ns = sim::ParseClock(text);
  if (ns % kNsPerMinute != 0) {
    throw std::invalid_argument(fmt::format("session time '{}' must be whole minutes (HH:MM)", text));
  }
  return static_cast<int>(ns / kNsPerMinute);
}

std::map<std::string, std::string> SessionParams(int start_minute, int end_minute) {
  return {{"session", fmt::format("{:02}:{:02}-{:02}:{:02} America/New_York", start_minute / 60, start_minute % 60,
                                  end_minute / 60, end_minute % 60)}};
}

std::vector<std::string> ExpandDateRange(std::string_view start, std::string_view end) {
  const sim::Date a = sim::ParseDate(Trim(start));
  const sim::Date b = sim::ParseDate(Trim(end));
  const int64_t first = sim::DaysFromCivil(a);
  const int64_t last = sim::DaysFromCivil(b);
  if (last < first) {
    throw std::invalid_argument(fmt::format("date range {}:{} ends before it starts", start, end));
  }
  if (last - first > 3660) {
    throw std::invalid_argument(fmt::format("date range {}:{} is longer than ten years", start, end));
  }
  std::vector<std::string> dates;
  for (int64_t d = first; d <= last; ++d) dates.push_back(sim::FormatDate(sim::CivilFromDays(d)));
  return dates;
}

std::vector<std::string> ExpandDates(std::string_view text) {
  std::vector<std::string> dates;
  if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    dates = ExpandDateRange(text.substr(0, colon), text.substr(colon + 1));
  } else {
    size_t pos = 0;
    while (pos <= text.size()) {
      const size_t comma = std::min(text.find(',', pos), text.size());
      const std::string_view part = Trim(text.substr(pos, comma - pos));
      if (part.empty()) throw std::invalid_argument(fmt::format("empty date in '{}'", text));
      dates.push_back(sim::FormatDate(sim::ParseDate(part)));
      pos = comma + 1;
    }
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  if (dates.empty()) throw std::invalid_argument(fmt::format("no dates in '{}'", text));
  return dates;
}

}  // namespace spymaster::pipeline
