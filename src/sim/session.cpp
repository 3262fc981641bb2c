#include "sim/session.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace spymaster::sim {
namespace {

std::string EtClock(std::uint64_t ns) { return common::FormatNewYorkClock(FromDbnNs(ns)); }

std::uint64_t SecondsToNs(double s) { return static_cast<std::uint64_t>(std::llround(s * 1e9)); }

std::string UtcClock(std::uint64_t ns) {
  const std::uint64_t in_day = ns % (86'400 * kNsPerSecond);
  const std::uint64_t s = in_day / kNsPerSecond;
  return fmt::format("{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60);
}

std::string EpisodeDetail(const Episode& e) {
  const char* side = e.side == 'B' ? "bid" : "ask";
  switch (e.kind) {
    case EpisodeKind::kWall:
      return fmt::format("{} wall {} bp from the price, {} lots, price bounces off it", side, e.distance_bp,
                         e.size_lots);
    case EpisodeKind::kVacuum:
      return fmt::format("{} liquidity pulled, then a fast {} bp move through it", side, e.move_bp);
    case EpisodeKind::kFlicker:
      return fmt::format("{} {} lots flicker {} ticks behind the touch every {} ms", side, e.size_lots,
                         e.distance_ticks, e.period_ms);
    case EpisodeKind::kLull:
      return "no events in any product";
    case EpisodeKind::kClearSnapshot:
      return "clear (R) + snapshot of every book in every MBO file";
    case EpisodeKind::kUnknownCancels:
      return fmt::format("{} cancels of order ids never added (per MBO primary instrument)", e.count);
    case EpisodeKind::kCrossed:
      return fmt::format("a bid {} tick(s) through the best ask: book crossed, then cancelled", e.cross_ticks);
    case EpisodeKind::kLate:
      return fmt::format(
          "{:g} % of adds 2+ ticks behind the touch stamped {:g}–{:g} ms before they arrive "
          "(late records in arrival order)",
          e.share * 100, e.lag_min_ms, e.lag_max_ms);
    case EpisodeKind::kFillSplit:
      return fmt::format("{} trades with T/F just before a second and the C/M removing the fill just after it",
                         e.count);
    case EpisodeKind::kPartialCancels:
      return fmt::format("{:g} % of pulls partial, sent as C with the cancelled size (not M)", e.share * 100);
    case EpisodeKind::kOvernightOrders:
      return fmt::format(
          "{} orders of {} lots resting since the opening snapshot at multiples of {} bp from "
          "the price, both sides, cancelled one by one here",
          e.count, e.size_lots, e.distance_bp);
  }
  return {};
}

}  // namespace

bool Session::InLull(std::uint64_t ts) const { return LullEnd(ts) != ts; }

std::uint64_t Session::LullEnd(std::uint64_t ts) const {
  for (const auto& e : episodes) {
    if (e.episode.kind == EpisodeKind::kLull && ts >= e.begin_ns && ts < e.end_ns) return e.end_ns;
  }
  return ts;
}

Session MakeSession(std::string_view dt, std::string_view start, std::string_view end, const Scenario& scenario) {
  auto named = [](const char* param, auto&& parse) {
    try {
      return parse();
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("{}: {}", param, e.what()));
    }
  };
  Session s;
  s.date = named("--dt", [&] { return common::ParseDate(dt); });
  const auto start_of_day = named("--start", [&] { return common::ParseTimeOfDay(start); });
  const auto end_of_day = named("--end", [&] { return common::ParseTimeOfDay(end); });
  if (end_of_day <= start_of_day) {
    throw std::invalid_argument(fmt::format("--end {} is not after --start {}", end, start));
  }
  const std::chrono::sys_days day{s.date};
  s.day_start_ns = DbnNs(day);
  s.day_end_ns = DbnNs(day + std::chrono::days{1});
  s.open_ns = DbnNs(common::NewYorkToUtc(s.date, start_of_day));
  s.close_ns = DbnNs(common::NewYorkToUtc(s.date, end_of_day));
  const std::uint64_t premarket = SecondsToNs(scenario.premarket_minutes * 60);
  const std::uint64_t lead = SecondsToNs(scenario.snapshot_lead_s);
  if (s.open_ns < s.day_start_ns + premarket + lead || s.close_ns > s.day_end_ns) {
    throw std::invalid_argument(fmt::format(
        "session {}–{} ET with {} min premarket does not fit inside the UTC day {} (DBN files hold one UTC day)", start,
        end, scenario.premarket_minutes, common::FormatDate(s.date)));
  }
  s.premarket_ns = s.open_ns - premarket;
  s.snapshot_ns = s.premarket_ns - lead;
  for (const Episode& e : scenario.episodes) {
    const std::uint64_t begin = s.open_ns + SecondsToNs(e.at_s);
    if (begin >= s.close_ns) {
      s.skipped.push_back(e);
      continue;
    }
    s.episodes.push_back({e, begin, std::min(s.close_ns, begin + SecondsToNs(e.duration_s))});
  }
  return s;
}

std::string DescribeSession(const Session& s) {
  std::string out =
      fmt::format("Simulated day {} — session {}–{} America/New_York ({}–{}, UTC offset {} h)\n",
                  common::FormatDate(s.date), EtClock(s.open_ns), EtClock(s.close_ns), UtcClock(s.open_ns),
                  UtcClock(s.close_ns), common::NewYorkUtcOffset(FromDbnNs(s.open_ns)).count() / 3600);
  out += fmt::format("  {} ET  {:<16} clear (R) + snapshot of every book; utc_ns={}..{}\n", EtClock(s.snapshot_ns),
                     "opening_snapshot", s.snapshot_ns, s.snapshot_ns);
  out += fmt::format("  {} ET  {:<16} quiet premarket trading until the open; utc_ns={}..{}\n", EtClock(s.premarket_ns),
                     "premarket", s.premarket_ns, s.open_ns);
  out += fmt::format("  {} ET  {:<16} intensity peaks, then decays; utc_ns={}..{}\n", EtClock(s.open_ns), "open",
                     s.open_ns, s.close_ns);
  for (const auto& e : s.episodes) {
    out +=
        fmt::format("  {} ET  {:<16} {:>7.1f} s  {}; utc_ns={}..{}\n", EtClock(e.begin_ns), ToString(e.episode.kind),
                    static_cast<double>(e.end_ns - e.begin_ns) / 1e9, EpisodeDetail(e.episode), e.begin_ns, e.end_ns);
  }
  for (const auto& e : s.skipped) {
    out += fmt::format("  (skipped: {} at +{} s starts after the session end)\n", ToString(e.kind), e.at_s);
  }
  return out;
}

}  // namespace spymaster::sim
