// The session window of a trading date in UTC nanoseconds (America/New_York from common/new_york_time.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace spymaster::pipeline {

struct SessionBounds {
  int64_t start_ns;  // inclusive
  int64_t end_ns;    // exclusive
};

// [dt start_minute, dt end_minute) New York wall clock, in UTC ns. Throws std::invalid_argument for a
// bad date or an empty window.
SessionBounds SessionBoundsNs(std::string_view dt, int start_minute, int end_minute);

// "HH:MM" → minutes after midnight; throws std::invalid_argument naming the text.
int ParseMinuteOfDay(std::string_view text);

// What silver and gold manifests record about the window ({"session": "09:30-10:30 America/New_York"}):
// a complete partition computed with another window is refused, not silently kept.
std::map<std::string, std::string> SessionParams(int start_minute, int end_minute);

}  // namespace spymaster::pipeline
