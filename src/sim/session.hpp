// The simulated day's clock: the trading session in UTC, the quiet premarket before it, the opening
// clear + snapshot, and each scenario episode as a UTC interval.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/calendar.hpp"
#include "common/new_york_time.hpp"
#include "sim/scenario.hpp"

namespace spymaster::sim {

using common::Date;

inline constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

// The simulator's timestamps are DBN's: unsigned ns since the UTC epoch.
inline std::uint64_t DbnNs(common::UtcTime t) { return static_cast<std::uint64_t>(common::EpochNs(t)); }
inline common::UtcTime FromDbnNs(std::uint64_t ns) { return common::FromEpochNs(static_cast<std::int64_t>(ns)); }

struct TimedEpisode {
  Episode episode;
  std::uint64_t begin_ns = 0;  // UTC
  std::uint64_t end_ns = 0;    // UTC, == begin_ns for instantaneous episodes
};

struct Session {
  common::Date date;
  std::uint64_t day_start_ns = 0;  // 00:00 UTC on date: the DBN files cover [day_start, day_end)
  std::uint64_t day_end_ns = 0;
  std::uint64_t snapshot_ns = 0;       // the opening clear + snapshot
  std::uint64_t premarket_ns = 0;      // quiet trading starts
  std::uint64_t open_ns = 0;           // session start (09:30 ET by default)
  std::uint64_t close_ns = 0;          // session end (10:30 ET by default)
  std::vector<TimedEpisode> episodes;  // those that start inside [open, close)
  std::vector<Episode> skipped;        // configured but starting at or after the close

  // Whether `ts` falls inside a lull (no events of any product).
  bool InLull(std::uint64_t ts) const;
  // End of the lull containing `ts` (ts itself when not in a lull).
  std::uint64_t LullEnd(std::uint64_t ts) const;
};

// Validates the date and clock texts (end after start, premarket and snapshot inside the UTC day) and
// places the scenario on the clock. Throws std::invalid_argument naming the bad parameter.
Session MakeSession(std::string_view dt, std::string_view start, std::string_view end, const Scenario& scenario);

// Human-readable timeline (`spymaster simulate --describe`); each episode line ends with its UTC interval
// as "utc_ns=<begin>..<end>" so tools can parse it.
std::string DescribeSession(const Session& session);

}  // namespace spymaster::sim
