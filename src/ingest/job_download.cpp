#include "ingest/job_download.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "ingest/transfer_progress.hpp"
#include "lake/durable_file.hpp"
#include "lake/raw_layout.hpp"

namespace spymaster::ingest {
namespace {

namespace fs = std::filesystem;

std::uint64_t SizeOr0(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

bool IsDataFile(const std::string& name) { return name.ends_with(".dbn") || name.ends_with(".dbn.zst"); }

// Downloads one file to `path` until its size and hash match; returns bytes transferred.
std::uint64_t FetchVerified(HttpClient& http, const BatchFile& f, const fs::path& path, const std::string& label) {
  std::uint64_t transferred = 0;
  const int max_attempts = std::max(1, http.retry().max_attempts);
  std::string last_problem;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    if (attempt > 1) spdlog::warn("{}: {}; attempt {}/{}", label, last_problem, attempt, max_attempts);
    std::uint64_t have = SizeOr0(path);
    if (have > f.size) {
      last_problem = fmt::format("{} bytes on disk, more than the {} listed; starting over", have, f.size);
      fs::remove(path);
      continue;
    }
    if (have < f.size) {
      if (have > 0) spdlog::info("{}: resuming at byte {} of {}", label, have, f.size);
      TransferProgress progress(label, f.size, have);
      try {
        http.DownloadOnce(f.url, path, f.size, [&](std::uint64_t now, std::uint64_t) { progress.Update(now); });
      } catch (const HttpError& e) {
        transferred += SizeOr0(path) > have ? SizeOr0(path) - have : 0;
        if (e.status() == 416) {
          fs::remove(path);  // our partial file does not fit the server's; start over
        } else if (!e.retryable()) {
          throw;
        }
        last_problem = e.what();
        if (attempt < max_attempts) http.Backoff(attempt, e.retry_after_s());
        continue;
      }
      const std::uint64_t now = SizeOr0(path);
      transferred += now > have ? now - have : 0;
      progress.Finish(now);
      have = now;
      if (have < f.size) {
        last_problem = fmt::format("transfer ended at byte {} of {}", have, f.size);
        if (attempt < max_attempts) http.Backoff(attempt, std::nullopt);
        continue;
      }
      if (have > f.size) continue;  // handled at the top of the next attempt
    }
    const std::string actual = common::Sha256File(path);
    if (actual == f.sha256) return transferred;
    last_problem = fmt::format("SHA-256 {} does not match the listed {}; downloading again", actual, f.sha256);
    fs::remove(path);
  }
  throw Error(ErrorKind::kIo, fmt::format("{}: gave up after {} attempts: {}", label, max_attempts, last_problem));
}

}  // namespace

fs::path JobLakeDir(const fs::path& lake_root, const JobSpec& spec, const std::string& job_id) {
  return lake::RawTableDir(lake_root, spec.product_type, spec.root, spec.schema) / job_id;
}

JobDownloadReport DownloadJob(BatchApi& api, HttpClient& http, const fs::path& lake_root, const TrackedJob& job) {
  if (job.job_id.empty() || job.job_id.find('/') != std::string::npos || job.job_id[0] == '.') {
    throw Error(ErrorKind::kData, fmt::format("{}: refusing job id '{}'", job.spec.Key(), job.job_id));
  }
  nlohmann::ordered_json listing;
  const std::vector<BatchFile> files = api.ListFiles(job.job_id, &listing);
  if (files.empty())
    throw Error(ErrorKind::kData, fmt::format("batch.list_files {}: the job has no files", job.job_id));

  JobDownloadReport report;
  report.dir = JobLakeDir(lake_root, job.spec, job.job_id);
  for (const BatchFile& f : files) {
    if (IsDataFile(f.filename)) report.data_files.push_back(report.dir / f.filename);
  }
  std::error_code ec;
  if (fs::exists(report.dir, ec)) {
    // Raw data is never overwritten: what is there must be what the job lists.
    for (const BatchFile& f : files) {
      const fs::path p = report.dir / f.filename;
      if (!fs::exists(p, ec) || SizeOr0(p) != f.size || common::Sha256File(p) != f.sha256) {
        throw Error(ErrorKind::kData,
                    fmt::format("{} exists but {} differs from job {}'s listing (size {}, sha256 {}); raw files are "
                                "never overwritten: move the folder away to download it again",
                                report.dir.string(), f.filename, job.job_id, f.size, f.sha256));
      }
    }
    report.already_present = true;
    return report;
  }

  const fs::path staging = report.dir.parent_path() / ("." + job.job_id + ".partial");
  fs::create_directories(staging, ec);
  if (ec) throw Error(ErrorKind::kIo, fmt::format("cannot create {}: {}", staging.string(), ec.message()));
  bool ships_manifest = false;
  for (const BatchFile& f : files) {
    ships_manifest = ships_manifest || f.filename == "manifest.json";
    report.bytes += FetchVerified(http, f, staging / f.filename, job.job_id + "/" + f.filename);
  }
  if (!ships_manifest) {
    const nlohmann::ordered_json manifest{{"job_id", job.job_id}, {"files", listing}};
    lake::WriteFileDurably(staging / "manifest.json", manifest.dump(4));
  }
  lake::SyncPath(staging);
  fs::rename(staging, report.dir, ec);
  if (ec) {
    throw Error(ErrorKind::kIo,
                fmt::format("cannot rename {} to {}: {}", staging.string(), report.dir.string(), ec.message()));
  }
  lake::SyncPath(report.dir.parent_path());
  return report;
}

}  // namespace spymaster::ingest
