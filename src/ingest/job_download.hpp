// Downloading a finished batch job into the raw lake (spec README § lake layout, docs/ingest.md):
//
//   <lake>/raw/source=databento/product_type=<pt>/symbol=<root>/table=<schema>/<job_id>/
//
// Files arrive in a hidden sibling `.<job_id>.partial/` (raw readers skip dot folders), each resumed
// with a Range request after a cut transfer, retried with backoff on 429/5xx, and checked for the size
// and SHA-256 batch.list_files gives (a mismatch is downloaded again, at most RetryPolicy::max_attempts
// times). The list is saved as manifest.json (unless the job ships one) and the folder is renamed into
// place only when every file is verified. An existing job folder is never written to: it is verified
// against the list instead, and a difference is an error.
#pragma once

#include <filesystem>

#include "ingest/batch_api.hpp"
#include "ingest/job_tracker.hpp"

namespace spymaster::ingest {

// The job's final folder in the lake.
std::filesystem::path JobLakeDir(const std::filesystem::path& lake_root, const JobSpec& spec,
                                 const std::string& job_id);

struct JobDownloadReport {
  std::filesystem::path dir;
  std::vector<std::filesystem::path> data_files;  // the .dbn[.zst] files, in list order
  std::uint64_t bytes = 0;                        // bytes transferred by this run
  bool already_present = false;
};

JobDownloadReport DownloadJob(BatchApi& api, HttpClient& http, const std::filesystem::path& lake_root,
                              const TrackedJob& job);

}  // namespace spymaster::ingest
