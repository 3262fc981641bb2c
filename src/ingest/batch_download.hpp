// The download workflow over the job tracker: plan → (dry run: cost) → submit → poll → download → plan
// the 0DTE option jobs from downloaded definitions → submit those → ... The CLI's three actions:
//   submit  plans the request's jobs and submits every planned one (failed ones too: an explicit retry)
//   poll    one pass: asks batch.list_jobs for each submitted job, downloads the done ones
//   daemon  submit + poll every --poll-interval until no job is planned or pending (failed ones stay)
#pragma once

#include <filesystem>
#include <optional>

#include "ingest/batch_api.hpp"
#include "ingest/job_plan.hpp"
#include "ingest/job_tracker.hpp"

namespace spymaster::ingest {

struct PollSummary {
  int pending = 0;     // planned, submitting or submitted after this pass
  int downloaded = 0;  // in the tracker after this pass
  int failed = 0;
  std::uint64_t bytes = 0;  // transferred in this pass
};

class BatchDownloader {
 public:
  BatchDownloader(HttpClient& http, JobTracker& tracker, std::filesystem::path lake_root)
      : http_(http), api_(http), tracker_(tracker), lake_root_(std::move(lake_root)) {}

  // Adds the request's first-stage jobs to the tracker (and saves it); returns how many were new.
  int Plan(const DownloadRequest& request);
  // Prints every planned job with metadata.get_cost's price and the total; submits nothing.
  double DryRun();
  // Submits planned jobs (and failed ones when resubmit_failed); resolves interrupted submits first.
  int Submit(bool resubmit_failed);
  PollSummary Poll();
  // Loops submit + poll until nothing is pending; throws when a job failed.
  void Daemon(double poll_interval_s);

 private:
  void ResolveInterruptedSubmits();
  void PlanOptions(TrackedJob& definition, const std::vector<std::filesystem::path>& files);

  HttpClient& http_;
  BatchApi api_;
  JobTracker& tracker_;
  std::filesystem::path lake_root_;
};

}  // namespace spymaster::ingest
