#include "ingest/job_tracker.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.hpp"
#include "lake/durable_file.hpp"

namespace spymaster::ingest {
namespace {

using Json = nlohmann::ordered_json;

constexpr JobState kStates[] = {JobState::kPlanned, JobState::kSubmitting, JobState::kSubmitted, JobState::kDownloaded,
                                JobState::kFailed};

JobState ParseState(const std::string& text, const std::filesystem::path& path) {
  for (JobState s : kStates) {
    if (ToString(s) == text) return s;
  }
  throw Error(ErrorKind::kData, fmt::format("{}: unknown job state '{}'", path.string(), text));
}

Json ToJson(const TrackedJob& j) {
  Json o;
  o["key"] = j.spec.Key();
  o["dataset"] = j.spec.dataset;
  o["schema"] = j.spec.schema;
  o["stype_in"] = j.spec.stype_in;
  o["symbols"] = j.spec.symbols;
  o["date"] = j.spec.date;
  o["root"] = j.spec.root;
  o["product_type"] = std::string(lake::ToString(j.spec.product_type));
  o["state"] = std::string(ToString(j.state));
  o["job_id"] = j.job_id;
  o["submitted_at"] = j.submitted_at;
  o["cost_usd"] = j.cost_usd ? Json(*j.cost_usd) : Json(nullptr);
  o["server_state"] = j.server_state;
  o["error"] = j.error;
  o["lake_dir"] = j.lake_dir;
  o["option_schemas"] = j.option_schemas;
  o["options_planned"] = j.options_planned;
  return o;
}

TrackedJob FromJson(const Json& o, const std::filesystem::path& path) {
  TrackedJob j;
  j.spec.dataset = o.at("dataset").get<std::string>();
  j.spec.schema = o.at("schema").get<std::string>();
  j.spec.stype_in = o.at("stype_in").get<std::string>();
  j.spec.symbols = o.at("symbols").get<std::vector<std::string>>();
  j.spec.date = o.at("date").get<std::string>();
  j.spec.root = o.at("root").get<std::string>();
  const auto pt = lake::ParseProductType(o.at("product_type").get<std::string>());
  if (!pt) throw Error(ErrorKind::kData, fmt::format("{}: unknown product_type in job {}", path.string(), o.dump()));
  j.spec.product_type = *pt;
  j.state = ParseState(o.at("state").get<std::string>(), path);
  j.job_id = o.value("job_id", "");
  j.submitted_at = o.value("submitted_at", "");
  if (o.contains("cost_usd") && o["cost_usd"].is_number()) j.cost_usd = o["cost_usd"].get<double>();
  j.server_state = o.value("server_state", "");
  j.error = o.value("error", "");
  j.lake_dir = o.value("lake_dir", "");
  if (o.contains("option_schemas")) j.option_schemas = o["option_schemas"].get<std::vector<std::string>>();
  j.options_planned = o.value("options_planned", false);
  return j;
}

}  // namespace

std::string_view ToString(JobState state) {
  switch (state) {
    case JobState::kPlanned:
      return "planned";
    case JobState::kSubmitting:
      return "submitting";
    case JobState::kSubmitted:
      return "submitted";
    case JobState::kDownloaded:
      return "downloaded";
    case JobState::kFailed:
      return "failed";
  }
  return "?";
}

JobTracker::JobTracker(std::filesystem::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return;
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw Error(ErrorKind::kIo, fmt::format("cannot read job tracker {}", path_.string()));
  std::stringstream text;
  text << in.rdbuf();
  try {
    const Json doc = Json::parse(text.str());
    for (const Json& o : doc.at("jobs")) jobs_.push_back(FromJson(o, path_));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kData, fmt::format("job tracker {} is malformed: {}", path_.string(), e.what()));
  }
}

bool JobTracker::Add(const JobSpec& spec) {
  if (Find(spec.Key()) != nullptr) return false;
  TrackedJob j;
  j.spec = spec;
  jobs_.push_back(std::move(j));
  return true;
}

TrackedJob* JobTracker::Find(const std::string& key) {
  for (TrackedJob& j : jobs_) {
    if (j.spec.Key() == key) return &j;
  }
  return nullptr;
}

void JobTracker::Save() const {
  Json doc;
  doc["version"] = 1;
  doc["jobs"] = Json::array();
  for (const TrackedJob& j : jobs_) doc["jobs"].push_back(ToJson(j));
  const auto dir = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(ErrorKind::kIo, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  const auto tmp = dir / fmt::format(".{}.tmp-{}", path_.filename().string(), ::getpid());
  lake::WriteFileDurably(tmp, doc.dump(2) + "\n");
  std::filesystem::rename(tmp, path_, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw Error(ErrorKind::kIo, fmt::format("cannot replace job tracker {}", path_.string()));
  }
  lake::SyncPath(dir);
}

}  // namespace spymaster::ingest
