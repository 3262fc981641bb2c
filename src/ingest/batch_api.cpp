#include "ingest/batch_api.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace spymaster::ingest {
namespace {

using Json = nlohmann::ordered_json;

Json Parse(const std::string& body, std::string_view what) {
  auto j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    throw Error(ErrorKind::kData, fmt::format("{}: the server's answer is not JSON: {}", what, body.substr(0, 200)));
  }
  return j;
}

std::string Text(const Json& o, const char* key) {
  if (!o.contains(key) || o[key].is_null()) return {};
  return o[key].is_string() ? o[key].get<std::string>() : o[key].dump();
}

BatchJob JobFromJson(const Json& o, std::string_view what) {
  if (!o.is_object() || !o.contains("id") || !o["id"].is_string()) {
    throw Error(ErrorKind::kData, fmt::format("{}: job object without an id: {}", what, o.dump().substr(0, 300)));
  }
  BatchJob j;
  j.id = o["id"].get<std::string>();
  j.state = Text(o, "state");
  if (o.contains("cost_usd") && o["cost_usd"].is_number()) j.cost_usd = o["cost_usd"].get<double>();
  j.dataset = Text(o, "dataset");
  j.schema = Text(o, "schema");
  if (o.contains("symbols")) {
    if (o["symbols"].is_array()) {
      for (const auto& s : o["symbols"]) j.symbols.push_back(s.is_string() ? s.get<std::string>() : s.dump());
    } else if (o["symbols"].is_string()) {
      // Some versions send the comma-joined text.
      const std::string text = o["symbols"].get<std::string>();
      std::size_t pos = 0;
      while (pos <= text.size()) {
        const std::size_t comma = std::min(text.find(',', pos), text.size());
        if (comma > pos) j.symbols.push_back(text.substr(pos, comma - pos));
        pos = comma + 1;
      }
    }
  }
  j.start = Text(o, "start");
  return j;
}

std::string Join(const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, ",")); }

}  // namespace

Params JobParams(const JobSpec& job) {
  return {{"dataset", job.dataset}, {"symbols", Join(job.symbols)}, {"schema", job.schema},        {"start", job.date},
          {"end", job.EndDate()},   {"stype_in", job.stype_in},     {"stype_out", "instrument_id"}};
}

BatchJob BatchApi::Submit(const JobSpec& job) {
  Params p = JobParams(job);
  p.insert(p.end(), {{"encoding", "dbn"},
                     {"compression", "zstd"},
                     {"split_duration", "day"},
                     {"split_symbols", "false"},
                     {"delivery", "download"}});
  const std::string body = http_.Post("batch.submit_job", p, /*idempotent=*/false);
  return JobFromJson(Parse(body, "batch.submit_job"), "batch.submit_job");
}

std::vector<BatchJob> BatchApi::ListJobs(const std::string& since) {
  Params p{{"states", "queued,processing,done,expired"}};
  if (!since.empty()) p.emplace_back("since", since);
  const Json doc = Parse(http_.Get("batch.list_jobs", p), "batch.list_jobs");
  if (!doc.is_array()) throw Error(ErrorKind::kData, "batch.list_jobs: expected a JSON array");
  std::vector<BatchJob> jobs;
  for (const Json& o : doc) jobs.push_back(JobFromJson(o, "batch.list_jobs"));
  return jobs;
}

std::vector<BatchFile> BatchApi::ListFiles(const std::string& job_id, Json* raw) {
  const std::string what = fmt::format("batch.list_files {}", job_id);
  const Json doc = Parse(http_.Get("batch.list_files", {{"job_id", job_id}}), what);
  if (!doc.is_array()) throw Error(ErrorKind::kData, what + ": expected a JSON array");
  std::vector<BatchFile> files;
  for (const Json& o : doc) {
    BatchFile f;
    try {
      f.filename = o.at("filename").get<std::string>();
      f.size = o.at("size").get<std::uint64_t>();
      const std::string hash = o.at("hash").get<std::string>();
      if (hash.rfind("sha256:", 0) != 0 || hash.size() != 7 + 64) {
        throw Error(ErrorKind::kData, fmt::format("{}: {} has hash '{}', not sha256:<64 hex>", what, f.filename, hash));
      }
      f.sha256 = hash.substr(7);
      f.url = o.at("urls").at("https").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorKind::kData,
                  fmt::format("{}: malformed file entry {}: {}", what, o.dump().substr(0, 300), e.what()));
    }
    // A file name is a plain name inside the job's folder, never a path.
    if (f.filename.empty() || f.filename.find('/') != std::string::npos || f.filename.find('\\') != std::string::npos ||
        f.filename[0] == '.') {
      throw Error(ErrorKind::kData, fmt::format("{}: refusing file name '{}'", what, f.filename));
    }
    files.push_back(std::move(f));
  }
  if (raw != nullptr) *raw = doc;
  return files;
}

double BatchApi::GetCost(const JobSpec& job) {
  const std::string body = http_.Post("metadata.get_cost", JobParams(job), /*idempotent=*/true);
  const Json doc = Parse(body, "metadata.get_cost");
  if (!doc.is_number())
    throw Error(ErrorKind::kData, "metadata.get_cost: expected a number, got " + body.substr(0, 200));
  return doc.get<double>();
}

}  // namespace spymaster::ingest
