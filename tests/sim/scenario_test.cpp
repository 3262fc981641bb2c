#include "sim/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "common/new_york_time.hpp"
#include "sim/session.hpp"

namespace spymaster::sim {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ScenarioTest, EmbeddedDefaultEqualsShippedFile) {
  EXPECT_EQ(DefaultScenarioJson(), ReadFile(SPYMASTER_SOURCE_DIR "/src/sim/default_day.json"));
}

TEST(ScenarioTest, EmbeddedPresetsEqualShippedFiles) {
  for (const std::string_view name : kScenarioPresets) {
    EXPECT_FALSE(PresetScenarioJson(name).empty()) << name;
    EXPECT_EQ(PresetScenarioJson(name), ReadFile(SPYMASTER_SOURCE_DIR "/src/sim/" + std::string(name) + "_day.json"))
        << name;
  }
  EXPECT_EQ(PresetScenarioJson("default"), DefaultScenarioJson());
  EXPECT_TRUE(PresetScenarioJson("nope").empty());
}

// (kind, at_s) of the episodes whose kind is not in `extra`.
std::vector<std::pair<EpisodeKind, double>> Without(const Scenario& s, const std::set<EpisodeKind>& extra) {
  std::vector<std::pair<EpisodeKind, double>> out;
  for (const Episode& e : s.episodes) {
    if (!extra.count(e.kind)) out.emplace_back(e.kind, e.at_s);
  }
  return out;
}

TEST(ScenarioTest, PresetsAreTheDefaultDayPlusTheirEdgeCases) {
  const Scenario base = ParseScenario(DefaultScenarioJson(), "default");
  const Scenario late = LoadScenario("late");
  const Scenario deviations = LoadScenario("deviations");
  const std::set<EpisodeKind> late_kinds = {EpisodeKind::kLate};
  const std::set<EpisodeKind> deviation_kinds = {EpisodeKind::kFillSplit, EpisodeKind::kPartialCancels,
                                                 EpisodeKind::kOvernightOrders};
  EXPECT_EQ(Without(late, late_kinds), Without(base, {}));
  EXPECT_EQ(Without(deviations, deviation_kinds), Without(base, {}));
  EXPECT_EQ(late.episodes.size(), base.episodes.size() + 1);
  EXPECT_EQ(deviations.episodes.size(), base.episodes.size() + 3);
  EXPECT_DOUBLE_EQ(late.premarket_minutes, base.premarket_minutes);
  // Deviations: the opening snapshot (and the overnight orders in it) before 06:00 ET.
  const Session session = MakeSession("2026-01-06", "09:30", "10:30", deviations);
  EXPECT_LT(static_cast<std::int64_t>(session.snapshot_ns),
            common::EpochNs(common::NewYorkToUtc(session.date, std::chrono::hours(6))));
  EXPECT_EQ(session.episodes.size(), 10u);
  const std::string text = DescribeSession(session);
  for (const char* kind : {"fill_split", "partial_cancels", "overnight_orders", "05:54:00"}) {
    EXPECT_THAT(text, HasSubstr(kind));
  }
  EXPECT_THAT(DescribeSession(MakeSession("2026-01-06", "09:30", "10:30", late)), HasSubstr("late"));
}

TEST(ScenarioTest, LoadScenarioTakesAPresetOrAFile) {
  EXPECT_EQ(LoadScenario("").episodes.size(), 7u);
  const std::string path = ::testing::TempDir() + "scenario_test_late";
  std::ofstream(path) << R"({"episodes": [{"kind": "lull", "at_s": 5, "duration_s": 2}]})";
  EXPECT_EQ(LoadScenario(path).episodes.size(), 1u);
  try {
    LoadScenario("/nonexistent/dir/lately.json");
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/dir/lately.json"));
    EXPECT_THAT(e.what(), HasSubstr("default, late, deviations"));
  }
}

TEST(ScenarioTest, DefaultDayHasEveryEpisodeKindInsideTheHour) {
  const Scenario s = ParseScenario(DefaultScenarioJson(), "default");
  std::set<EpisodeKind> kinds;
  for (const Episode& e : s.episodes) {
    kinds.insert(e.kind);
    EXPECT_LT(e.at_s + e.duration_s, 3600);
  }
  EXPECT_EQ(kinds.size(), 7u);
  const Session session = MakeSession("2026-01-06", "09:30", "10:30", s);
  EXPECT_EQ(session.episodes.size(), 7u);
  EXPECT_TRUE(session.skipped.empty());
  const std::string text = DescribeSession(session);
  for (const char* kind : {"wall", "vacuum", "flicker", "lull", "clear_snapshot", "unknown_cancels", "crossed"}) {
    EXPECT_THAT(text, HasSubstr(kind));
  }
}

TEST(ScenarioTest, LullIsTwentySecondsOfSilence) {
  const Session session = MakeSession("2026-01-06", "09:30", "10:30", ParseScenario(DefaultScenarioJson(), "d"));
  const TimedEpisode* lull = nullptr;
  for (const auto& e : session.episodes) {
    if (e.episode.kind == EpisodeKind::kLull) lull = &e;
  }
  ASSERT_NE(lull, nullptr);
  EXPECT_EQ(lull->end_ns - lull->begin_ns, 20 * kNsPerSecond);
  EXPECT_TRUE(session.InLull(lull->begin_ns));
  EXPECT_FALSE(session.InLull(lull->end_ns));
  EXPECT_EQ(session.LullEnd(lull->begin_ns + 5), lull->end_ns);
}

TEST(ScenarioTest, EpisodesAfterTheCloseAreSkipped) {
  const Session session = MakeSession("2026-01-06", "09:30", "09:40", ParseScenario(DefaultScenarioJson(), "d"));
  EXPECT_EQ(session.episodes.size(), 1u);  // only the flicker at +300 s
  EXPECT_EQ(session.skipped.size(), 6u);
  EXPECT_THAT(DescribeSession(session), HasSubstr("skipped"));
}

TEST(ScenarioTest, RejectsBadScenarios) {
  auto error = [](const std::string& json) {
    try {
      ParseScenario(json, "test.json");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(error("{"), HasSubstr("invalid JSON"));
  EXPECT_THAT(error(R"({"episodes": [{"kind": "tsunami", "at_s": 1, "duration_s": 1}]})"),
              HasSubstr("unknown kind 'tsunami'"));
  EXPECT_THAT(error(R"({"episodes": [{"kind": "lull", "duration_s": 1}]})"), HasSubstr("missing field 'at_s'"));
  EXPECT_THAT(
      error(
          R"({"episodes": [{"kind": "wall", "at_s": 1, "duration_s": 1, "side": "up", "distance_bp": 3, "size_lots": 5}]})"),
      HasSubstr("\"bid\" or \"ask\""));
  EXPECT_THAT(error(R"({"episodes": [{"kind": "lull", "at_s": -4, "duration_s": 1}]})"),
              HasSubstr("episodes[0]: field 'at_s'"));
  EXPECT_THAT(error(R"({"premarket_minutes": 9000, "episodes": []})"), HasSubstr("premarket_minutes"));
  EXPECT_THAT(error(R"({"nothing": 1})"), HasSubstr("episodes"));
  EXPECT_THAT(
      error(
          R"({"episodes": [{"kind": "late", "at_s": 1, "duration_s": 1, "share": 0.1, "lag_min_ms": 2000, "lag_max_ms": 1000}]})"),
      HasSubstr("field 'lag_max_ms' = 1000 is outside [2000, 60000]"));
  EXPECT_THAT(
      error(
          R"({"episodes": [{"kind": "late", "at_s": 1, "duration_s": 1, "share": 0, "lag_min_ms": 1, "lag_max_ms": 2}]})"),
      HasSubstr("field 'share'"));
  EXPECT_THAT(
      error(
          R"({"episodes": [{"kind": "overnight_orders", "at_s": 1, "duration_s": 1, "count": 3, "distance_bp": 4}]})"),
      HasSubstr("missing field 'size_lots'"));
  EXPECT_THAT(error(R"({"episodes": [{"kind": "fill_split", "at_s": 1, "duration_s": 1}]})"),
              HasSubstr("missing field 'count'"));
}

TEST(ScenarioTest, EpisodesAreSortedByTime) {
  const Scenario s = ParseScenario(
      R"({"episodes": [{"kind": "lull", "at_s": 50, "duration_s": 20}, {"kind": "clear_snapshot", "at_s": 10}]})", "x");
  ASSERT_EQ(s.episodes.size(), 2u);
  EXPECT_EQ(s.episodes[0].kind, EpisodeKind::kClearSnapshot);
}

TEST(ScenarioTest, SessionRejectsBadClocks) {
  const Scenario s = ParseScenario(DefaultScenarioJson(), "d");
  EXPECT_THROW(MakeSession("2026-01-06", "10:30", "09:30", s), std::invalid_argument);
  EXPECT_THROW(MakeSession("2026-01-06", "09:30", "09:30", s), std::invalid_argument);
  EXPECT_THROW(MakeSession("2026-01-06", "18:00", "19:30", s), std::invalid_argument);  // ends after 00:00Z
  EXPECT_THROW(
      MakeSession("2026-01-06", "00:30", "01:30", ParseScenario(R"({"premarket_minutes": 400, "episodes": []})", "x")),
      std::invalid_argument);  // premarket before 00:00Z
  EXPECT_THROW(MakeSession("2026-01-06", "9:30", "10:30", s), std::invalid_argument);
}

}  // namespace
}  // namespace spymaster::sim
