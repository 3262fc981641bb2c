// The job tracker: one JSON file listing every batch job of a download, keyed
// "dataset|schema|symbol|date|product_type", with its state and Databento job id. Rewritten atomically
// (temporary sibling, fsync, rename, directory fsync) after every change, so a kill at any moment leaves
// either the old or the new file. Never holds the API key.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ingest/job_plan.hpp"

namespace spymaster::ingest {

// planned → submitting → submitted → downloaded; failed (with an error) from submitted.
// "submitting" is written before the submit request: a crash or lost answer leaves it, and the next
// run looks the job up in batch.list_jobs before submitting again (submits are billable).
enum class JobState { kPlanned, kSubmitting, kSubmitted, kDownloaded, kFailed };

std::string_view ToString(JobState state);

struct TrackedJob {
  JobSpec spec;
  JobState state = JobState::kPlanned;
  std::string job_id;
  std::string submitted_at;  // UTC ISO-8601 of the submit attempt (bounds the list_jobs lookup)
  std::optional<double> cost_usd;
  std::string server_state;  // last state batch.list_jobs reported
  std::string error;
  std::string lake_dir;                     // where the files were placed
  std::vector<std::string> option_schemas;  // definition jobs: the option schemas to request after it
  bool options_planned = false;             // definition jobs: option jobs derived from the downloaded files
};

class JobTracker {
 public:
  // Loads `path` when it exists (a malformed file is a data error naming it), else starts empty.
  explicit JobTracker(std::filesystem::path path);

  const std::filesystem::path& path() const { return path_; }
  std::vector<TrackedJob>& jobs() { return jobs_; }
  const std::vector<TrackedJob>& jobs() const { return jobs_; }

  // Adds a planned job unless one with the same key is tracked; returns whether it was added.
  bool Add(const JobSpec& spec);
  TrackedJob* Find(const std::string& key);

  // Atomic rewrite of the file.
  void Save() const;

 private:
  std::filesystem::path path_;
  std::vector<TrackedJob> jobs_;
};

}  // namespace spymaster::ingest
