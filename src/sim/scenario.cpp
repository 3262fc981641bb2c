#include "sim/scenario.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "sim/embedded_presets.hpp"

namespace spymaster::sim {
namespace {

struct KindName {
  EpisodeKind kind;
  std::string_view name;
};
constexpr KindName kKinds[] = {
    {EpisodeKind::kWall, "wall"},
    {EpisodeKind::kVacuum, "vacuum"},
    {EpisodeKind::kFlicker, "flicker"},
    {EpisodeKind::kLull, "lull"},
    {EpisodeKind::kClearSnapshot, "clear_snapshot"},
    {EpisodeKind::kUnknownCancels, "unknown_cancels"},
    {EpisodeKind::kCrossed, "crossed"},
    {EpisodeKind::kLate, "late"},
    {EpisodeKind::kFillSplit, "fill_split"},
    {EpisodeKind::kPartialCancels, "partial_cancels"},
    {EpisodeKind::kOvernightOrders, "overnight_orders"},
};

class FieldReader {
 public:
  FieldReader(const nlohmann::json& obj, std::string context) : obj_(obj), context_(std::move(context)) {}

  double Number(const char* key, double fallback, bool required, double min, double max) const {
    const auto it = obj_.find(key);
    if (it == obj_.end()) {
      if (required) throw Error(fmt::format("missing field '{}'", key));
      return fallback;
    }
    if (!it->is_number()) throw Error(fmt::format("field '{}' must be a number", key));
    const double value = it->get<double>();
    if (!(value >= min && value <= max)) {
      throw Error(fmt::format("field '{}' = {} is outside [{}, {}]", key, value, min, max));
    }
    return value;
  }

  char Side(const char* key) const {
    const auto it = obj_.find(key);
    if (it == obj_.end()) throw Error(fmt::format("missing field '{}'", key));
    const std::string text = it->is_string() ? it->get<std::string>() : "";
    if (text == "bid" || text == "B") return 'B';
    if (text == "ask" || text == "A") return 'A';
    throw Error(fmt::format("field '{}' must be \"bid\" or \"ask\"", key));
  }

  std::invalid_argument Error(const std::string& what) const {
    return std::invalid_argument(fmt::format("{}: {}", context_, what));
  }

 private:
  const nlohmann::json& obj_;
  std::string context_;
};

Episode ParseEpisode(const nlohmann::json& obj, const std::string& context) {
  if (!obj.is_object()) throw std::invalid_argument(context + ": must be an object");
  const FieldReader r(obj, context);
  const auto kind_it = obj.find("kind");
  if (kind_it == obj.end() || !kind_it->is_string()) throw r.Error("missing string field 'kind'");
  const std::string kind = kind_it->get<std::string>();
  const auto* match =
      std::find_if(std::begin(kKinds), std::end(kKinds), [&](const KindName& k) { return k.name == kind; });
  if (match == std::end(kKinds)) {
    std::string names;
    for (const auto& k : kKinds) names += fmt::format("{}{}", names.empty() ? "" : ", ", k.name);
    throw r.Error(fmt::format("unknown kind '{}' ({})", kind, names));
  }
  Episode e;
  e.kind = match->kind;
  e.at_s = r.Number("at_s", 0, true, 0, 86400);
  const bool instantaneous = e.kind == EpisodeKind::kClearSnapshot;
  e.duration_s = instantaneous ? 0 : r.Number("duration_s", 0, true, 0.001, 86400);
  switch (e.kind) {
    case EpisodeKind::kWall:
      e.side = r.Side("side");
      e.distance_bp = r.Number("distance_bp", 0, true, 0.5, 500);
      e.size_lots = static_cast<std::uint32_t>(r.Number("size_lots", 0, true, 1, 100000));
      break;
    case EpisodeKind::kVacuum:
      e.side = r.Side("side");
      e.move_bp = r.Number("move_bp", 0, true, 1, 500);
      break;
    case EpisodeKind::kFlicker:
      e.side = r.Side("side");
      e.distance_ticks = static_cast<int>(r.Number("distance_ticks", 0, true, 1, 50));
      e.size_lots = static_cast<std::uint32_t>(r.Number("size_lots", 0, true, 1, 100000));
      e.period_ms = r.Number("period_ms", 0, true, 10, 60000);
      break;
    case EpisodeKind::kLull:
    case EpisodeKind::kClearSnapshot:
      break;
    case EpisodeKind::kUnknownCancels:
      e.count = static_cast<int>(r.Number("count", 0, true, 1, 1000));
      break;
    case EpisodeKind::kCrossed:
      e.cross_ticks = static_cast<int>(r.Number("cross_ticks", 1, false, 1, 20));
      break;
    case EpisodeKind::kLate:
      e.share = r.Number("share", 0, true, 1e-6, 1);
      e.lag_min_ms = r.Number("lag_min_ms", 0, true, 1, 60000);
      e.lag_max_ms = r.Number("lag_max_ms", 0, true, e.lag_min_ms, 60000);
      break;
    case EpisodeKind::kFillSplit:
      e.count = static_cast<int>(r.Number("count", 0, true, 1, 1000));
      break;
    case EpisodeKind::kPartialCancels:
      e.share = r.Number("share", 0.5, false, 0, 1);
      break;
    case EpisodeKind::kOvernightOrders:
      e.count = static_cast<int>(r.Number("count", 0, true, 1, 100));
      e.distance_bp = r.Number("distance_bp", 0, true, 0.5, 500);
      e.size_lots = static_cast<std::uint32_t>(r.Number("size_lots", 0, true, 1, 100000));
      break;
  }
  return e;
}

}  // namespace

std::string_view ToString(EpisodeKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

Scenario ParseScenario(std::string_view json_text, std::string_view source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(fmt::format("scenario {}: invalid JSON at byte {}: {}", source, e.byte, e.what()));
  }
  if (!doc.is_object()) throw std::invalid_argument(fmt::format("scenario {}: top level must be an object", source));
  const FieldReader top(doc, fmt::format("scenario {}", source));
  Scenario scenario;
  scenario.premarket_minutes = top.Number("premarket_minutes", 90, false, 0, 600);
  scenario.snapshot_lead_s = top.Number("snapshot_lead_s", 60, false, 1, 3600);
  const auto eps = doc.find("episodes");
  if (eps == doc.end() || !eps->is_array()) throw top.Error("missing array field 'episodes'");
  for (std::size_t i = 0; i < eps->size(); ++i) {
    scenario.episodes.push_back(ParseEpisode((*eps)[i], fmt::format("scenario {}: episodes[{}]", source, i)));
  }
  std::stable_sort(scenario.episodes.begin(), scenario.episodes.end(),
                   [](const Episode& a, const Episode& b) { return a.at_s < b.at_s; });
  return scenario;
}

Scenario LoadScenarioFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read scenario file {}", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), path.string());
}

Scenario LoadScenario(std::string_view preset_or_path) {
  const std::string_view name = preset_or_path.empty() ? "default" : preset_or_path;
  const std::string_view preset = PresetScenarioJson(name);
  if (!preset.empty()) return ParseScenario(preset, fmt::format("preset '{}'", name));
  const std::filesystem::path path(name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw std::runtime_error(fmt::format("cannot read scenario file {} (nor is it a preset: {})", path.string(),
                                         fmt::join(kScenarioPresets, ", ")));
  }
  return LoadScenarioFile(path);
}

std::string_view PresetScenarioJson(std::string_view name) {
  if (std::find(std::begin(kScenarioPresets), std::end(kScenarioPresets), name) == std::end(kScenarioPresets)) {
    return {};
  }
  const std::string path = fmt::format("src/sim/{}_day.json", name);
  for (const EmbeddedFile& file : EmbeddedPresetFiles()) {
    if (file.path == path) return file.bytes;
  }
  return {};
}

std::string_view DefaultScenarioJson() { return PresetScenarioJson("default"); }

}  // namespace spymaster::sim
