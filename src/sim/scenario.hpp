// The scenario timeline of a simulated day: market episodes injected at fixed offsets after the session
// open (a wall, a liquidity vacuum, flickering size, a lull, a mid-session clear + snapshot, cancels of
// unknown order ids, a crossed moment) and the feed's edge cases the default day never shows (records
// stamped late, fills removed in a later second, partial cancels sent as C, orders resting since the
// night). Read from a small JSON file or one of the embedded presets: "default" (the default day), "late"
// and "deviations" (the default day plus those edge cases).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace spymaster::sim {

enum class EpisodeKind {
  kWall,
  kVacuum,
  kFlicker,
  kLull,
  kClearSnapshot,
  kUnknownCancels,
  kCrossed,
  kLate,             // some adds written with a ts_event that lags their arrival (ts_recv order)
  kFillSplit,        // trades whose C/M (removing the filled size) falls in the second after the F
  kPartialCancels,   // partial pulls sent as C with the cancelled size (Nasdaq style) instead of M
  kOvernightOrders,  // orders resting since the opening snapshot, cancelled during the episode
};

std::string_view ToString(EpisodeKind kind);

struct Episode {
  EpisodeKind kind = EpisodeKind::kLull;
  double at_s = 0;              // seconds after the session start
  double duration_s = 0;        // 0 for instantaneous episodes (clear_snapshot)
  char side = 'B';              // wall/flicker: side of the order; vacuum: side whose liquidity is pulled
  double distance_bp = 0;       // wall: distance from the price at episode start, basis points (> 0)
  int distance_ticks = 0;       // flicker: ticks behind the touch
  double move_bp = 0;           // vacuum: size of the fast move that follows the pull (> 0)
  std::uint32_t size_lots = 0;  // wall/flicker order size in lots (1 ES contract, 100 shares)
  double period_ms = 0;         // flicker: add/cancel cycle length
  int count = 0;                // unknown_cancels, fill_split, overnight_orders: how many
  int cross_ticks = 0;          // crossed: how far the injected bid reaches through the best ask
  double share = 0;             // late: share of adds stamped late; partial_cancels: share of pulls that are partial
  double lag_min_ms = 0;        // late: the lag of ts_event behind arrival, uniform in [lag_min_ms, lag_max_ms]
  double lag_max_ms = 0;
};

struct Scenario {
  double premarket_minutes = 90;  // quiet trading before the open (gives bronze/selection premarket trades)
  double snapshot_lead_s = 60;    // the opening clear + snapshot precedes the premarket by this much
  std::vector<Episode> episodes;  // sorted by at_s
};

// Parses and validates scenario JSON; errors name `source` and the offending field.
Scenario ParseScenario(std::string_view json_text, std::string_view source);
Scenario LoadScenarioFile(const std::filesystem::path& path);
// A preset by name, else a JSON file at that path (write ./late for a file called "late"); empty means
// "default". Throws std::runtime_error naming the file and the presets when neither exists.
Scenario LoadScenario(std::string_view preset_or_path);

// The presets, src/sim/<name>_day.json compiled into the binary (sim/embedded_presets.hpp).
inline constexpr std::string_view kScenarioPresets[] = {"default", "late", "deviations"};
// JSON of a preset; empty for an unknown name.
std::string_view PresetScenarioJson(std::string_view name);
std::string_view DefaultScenarioJson();

}  // namespace spymaster::sim
