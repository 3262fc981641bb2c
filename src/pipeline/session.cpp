#include "pipeline/session.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>
#include <string>

#include "common/new_york_time.hpp"

namespace spymaster::pipeline {

SessionBounds SessionBoundsNs(std::string_view dt, int start_minute, int end_minute) {
  const common::Date date = common::ParseDate(dt);
  if (start_minute < 0 || end_minute > 24 * 60 || start_minute >= end_minute) {
    throw std::invalid_argument(
        fmt::format("session window {}..{} minutes is empty or outside the day", start_minute, end_minute));
  }
  return {common::EpochNs(common::NewYorkToUtc(date, std::chrono::minutes{start_minute})),
          common::EpochNs(common::NewYorkToUtc(date, std::chrono::minutes{end_minute}))};
}

int ParseMinuteOfDay(std::string_view text) {
  const std::chrono::seconds time = common::ParseTimeOfDay(text);
  if (time % std::chrono::minutes{1} != std::chrono::seconds::zero()) {
    throw std::invalid_argument(fmt::format("session time '{}' must be whole minutes (HH:MM)", text));
  }
  return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(time).count());
}

std::map<std::string, std::string> SessionParams(int start_minute, int end_minute) {
  return {{"session", fmt::format("{:02}:{:02}-{:02}:{:02} America/New_York", start_minute / 60, start_minute % 60,
                                  end_minute / 60, end_minute % 60)}};
}

}  // namespace spymaster::pipeline
