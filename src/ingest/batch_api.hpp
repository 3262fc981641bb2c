// The batch-job endpoints of Databento's historical API (spec dbn.md §10.3–10.4) on top of HttpClient:
// submit_job, list_jobs, list_files and metadata.get_cost. Job objects tolerate nulls and unknown keys.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ingest/http_client.hpp"
#include "ingest/job_plan.hpp"

namespace spymaster::ingest {

struct BatchJob {
  std::string id;
  std::string state;  // queued, processing, done, expired (anything else is kept as sent)
  std::optional<double> cost_usd;
  std::string dataset;
  std::string schema;
  std::vector<std::string> symbols;
  std::string start;  // as the server spells it
};

struct BatchFile {
  std::string filename;
  std::uint64_t size = 0;
  std::string sha256;  // lower-case hex, without the "sha256:" prefix
  std::string url;     // urls.https
};

class BatchApi {
 public:
  explicit BatchApi(HttpClient& http) : http_(http) {}

  // POST batch.submit_job (dbn, zstd, split by day, download delivery). Not retried except on 429.
  BatchJob Submit(const JobSpec& job);
  // GET batch.list_jobs for states queued,processing,done,expired, optionally since an ISO-8601 time.
  std::vector<BatchJob> ListJobs(const std::string& since = {});
  // GET batch.list_files; `raw` receives the server's JSON array (it becomes the job's manifest.json).
  std::vector<BatchFile> ListFiles(const std::string& job_id, nlohmann::ordered_json* raw = nullptr);
  // POST metadata.get_cost for what Submit would request; USD.
  double GetCost(const JobSpec& job);

 private:
  HttpClient& http_;
};

// The submit_job / get_cost parameters of a job.
Params JobParams(const JobSpec& job);

}  // namespace spymaster::ingest
