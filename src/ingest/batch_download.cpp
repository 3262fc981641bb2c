#include "ingest/batch_download.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "common/error.hpp"
#include "common/standard_output.hpp"
#include "ingest/job_download.hpp"
#include "ingest/transfer_progress.hpp"
#include "lake/interrupt.hpp"

namespace spymaster::ingest {
namespace {

std::string NowIso() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

std::string Describe(const JobSpec& s) {
  std::string symbols = fmt::format("{}", fmt::join(s.symbols, ","));
  if (symbols.size() > 60) symbols = fmt::format("{} parents ({}...)", s.symbols.size(), symbols.substr(0, 40));
  return fmt::format("{} {} {} {} [{}]", s.dataset, s.schema, s.date, s.stype_in, symbols);
}

bool SameJob(const BatchJob& b, const JobSpec& s) {
  std::set<std::string> a(b.symbols.begin(), b.symbols.end());
  std::set<std::string> want(s.symbols.begin(), s.symbols.end());
  return b.dataset == s.dataset && b.schema == s.schema && a == want && b.start.rfind(s.date, 0) == 0;
}

void SleepInterruptibly(double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    lake::ThrowIfInterrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

int BatchDownloader::Plan(const DownloadRequest& request) {
  int added = 0;
  for (const JobSpec& spec : FirstStageJobs(request)) {
    if (!tracker_.Add(spec)) continue;
    ++added;
    if (spec.schema == "definition") tracker_.Find(spec.Key())->option_schemas = request.options_schemas;
  }
  tracker_.Save();
  return added;
}

double BatchDownloader::DryRun() {
  double total = 0;
  int n = 0;
  for (const TrackedJob& j : tracker_.jobs()) {
    if (j.state != JobState::kPlanned && j.state != JobState::kFailed) continue;
    const double cost = api_.GetCost(j.spec);
    total += cost;
    ++n;
    PrintStdout("would submit  {}  cost ${:.4f}\n", Describe(j.spec), cost);
  }
  PrintStdout("dry run: {} job(s), ${:.4f} in total; nothing submitted", n, total);
  bool options_later = false;
  for (const TrackedJob& j : tracker_.jobs())
    options_later = options_later || (!j.option_schemas.empty() && !j.options_planned);
  PrintStdout("{}\n", options_later ? " (the 0DTE option jobs are priced once their definitions are downloaded)" : "");
  return total;
}

void BatchDownloader::ResolveInterruptedSubmits() {
  std::vector<TrackedJob*> open;
  for (TrackedJob& j : tracker_.jobs()) {
    if (j.state == JobState::kSubmitting) open.push_back(&j);
  }
  if (open.empty()) return;
  std::string since;
  for (const TrackedJob* j : open) {
    const std::string day = j->submitted_at.substr(0, 10);
    if (since.empty() || day < since) since = day;
  }
  // A day's margin for clock differences between here and the server.
  if (since.size() == 10) since = common::FormatDate(common::AddDays(common::ParseDate(since), -1));
  const std::vector<BatchJob> listed = api_.ListJobs(since);
  for (TrackedJob* j : open) {
    const auto it = std::find_if(listed.begin(), listed.end(), [&](const BatchJob& b) { return SameJob(b, j->spec); });
    if (it != listed.end()) {
      spdlog::info("{}: the interrupted submit created job {}; using it", j->spec.Key(), it->id);
      j->job_id = it->id;
      j->cost_usd = it->cost_usd;
      j->state = JobState::kSubmitted;
    } else {
      j->state = JobState::kPlanned;
    }
  }
  tracker_.Save();
}

int BatchDownloader::Submit(bool resubmit_failed) {
  ResolveInterruptedSubmits();
  int submitted = 0;
  for (TrackedJob& j : tracker_.jobs()) {
    if (!(j.state == JobState::kPlanned || (resubmit_failed && j.state == JobState::kFailed))) continue;
    lake::ThrowIfInterrupted();
    j.state = JobState::kSubmitting;
    j.submitted_at = NowIso();
    j.error.clear();
    tracker_.Save();
    BatchJob job;
    try {
      job = api_.Submit(j.spec);
    } catch (const HttpError& e) {
      if (e.status() >= 400 && e.status() < 500) {
        // Refused (bad parameters, unknown symbols, permissions): nothing was created.
        j.state = JobState::kFailed;
        j.error = e.what();
        tracker_.Save();
      }
      // Otherwise the job may exist: it stays "submitting" and the next run looks it up.
      throw;
    }
    j.job_id = job.id;
    j.cost_usd = job.cost_usd;
    j.server_state = job.state;
    j.state = JobState::kSubmitted;
    tracker_.Save();
    ++submitted;
    PrintStdout("submitted     {}  {}{}\n", Describe(j.spec), job.id,
                job.cost_usd ? fmt::format("  ${:.4f}", *job.cost_usd) : "");
  }
  return submitted;
}

void BatchDownloader::PlanOptions(TrackedJob& def, const std::vector<std::filesystem::path>& files) {
  const std::vector<std::string> assets = ZeroDteAssets(def.spec, files);
  const std::vector<JobSpec> jobs = OptionJobs(def.option_schemas, def.spec, assets);
  if (assets.empty()) {
    PrintStdout("no 0DTE options in {} {}: no option jobs\n", def.spec.root, def.spec.date);
  } else {
    PrintStdout("0DTE option products {} {}: {}\n", def.spec.root, def.spec.date, fmt::join(assets, ","));
  }
  def.options_planned = true;
  for (const JobSpec& spec : jobs) tracker_.Add(spec);
  tracker_.Save();
}

PollSummary BatchDownloader::Poll() {
  PollSummary summary;
  ResolveInterruptedSubmits();
  bool any_submitted = false;
  for (const TrackedJob& j : tracker_.jobs()) any_submitted = any_submitted || j.state == JobState::kSubmitted;
  std::map<std::string, BatchJob> by_id;
  if (any_submitted) {
    for (BatchJob& b : api_.ListJobs()) by_id.emplace(b.id, std::move(b));
  }
  // Index-based: planning option jobs appends to the vector.
  for (std::size_t i = 0; i < tracker_.jobs().size(); ++i) {
    lake::ThrowIfInterrupted();
    TrackedJob& j = tracker_.jobs()[i];
    if (j.state == JobState::kDownloaded && !j.option_schemas.empty() && !j.options_planned) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(j.lake_dir)) {
        const std::string name = e.path().filename().string();
        if (name.ends_with(".dbn") || name.ends_with(".dbn.zst")) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      PlanOptions(tracker_.jobs()[i], files);
      continue;
    }
    if (j.state != JobState::kSubmitted) continue;
    const auto it = by_id.find(j.job_id);
    if (it == by_id.end()) {
      j.state = JobState::kFailed;
      j.error = fmt::format("job {} is not listed by batch.list_jobs (deleted or failed)", j.job_id);
      tracker_.Save();
      spdlog::error("{}: {}", j.spec.Key(), j.error);
      continue;
    }
    const std::string& state = it->second.state;
    if (state != j.server_state) {
      j.server_state = state;
      tracker_.Save();
      PrintStdout("{:<13} {}  {}\n", state, Describe(j.spec), j.job_id);
    }
    if (state == "received" || state == "queued" || state == "processing") continue;
    if (state != "done") {
      j.state = JobState::kFailed;
      j.error = fmt::format("job {} is '{}'{}", j.job_id, state,
                            state == "expired" ? " (its files were deleted; submit again)" : "");
      tracker_.Save();
      spdlog::error("{}: {}", j.spec.Key(), j.error);
      continue;
    }
    const JobDownloadReport report = DownloadJob(api_, http_, lake_root_, j);
    summary.bytes += report.bytes;
    j.state = JobState::kDownloaded;
    j.lake_dir = report.dir.string();
    tracker_.Save();
    PrintStdout("downloaded    {}  {} -> {}{}\n", Describe(j.spec), j.job_id, report.dir.string(),
                report.already_present
                    ? " (already present, verified)"
                    : fmt::format(" ({})", TransferProgress::Bytes(static_cast<double>(report.bytes))));
    if (!j.option_schemas.empty() && !j.options_planned) PlanOptions(j, report.data_files);
  }
  for (const TrackedJob& j : tracker_.jobs()) {
    switch (j.state) {
      case JobState::kDownloaded:
        ++summary.downloaded;
        break;
      case JobState::kFailed:
        ++summary.failed;
        break;
      default:
        ++summary.pending;
    }
  }
  return summary;
}

void BatchDownloader::Daemon(double poll_interval_s) {
  for (;;) {
    Submit(/*resubmit_failed=*/false);
    const PollSummary s = Poll();
    bool unsubmitted = false;
    for (const TrackedJob& j : tracker_.jobs()) unsubmitted = unsubmitted || j.state == JobState::kPlanned;
    if (s.pending == 0) break;
    if (!unsubmitted) {
      spdlog::info("{} job(s) pending, {} downloaded; next poll in {:.1f} s", s.pending, s.downloaded, poll_interval_s);
      SleepInterruptibly(poll_interval_s);
    }
  }
  std::vector<std::string> failed;
  int downloaded = 0;
  for (const TrackedJob& j : tracker_.jobs()) {
    if (j.state == JobState::kFailed) failed.push_back(fmt::format("{}: {}", j.spec.Key(), j.error));
    if (j.state == JobState::kDownloaded) ++downloaded;
  }
  PrintStdout("{} job(s) downloaded, {} failed (tracker {})\n", downloaded, failed.size(), tracker_.path().string());
  if (!failed.empty()) {
    throw Error(ErrorKind::kIo, fmt::format("{} job(s) failed (`download ... submit` resubmits them):\n  {}",
                                            failed.size(), fmt::join(failed, "\n  ")));
  }
}

}  // namespace spymaster::ingest
