#include "source/raw_input.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "common/calendar.hpp"
#include "common/error.hpp"
#include "common/sha256.hpp"
#include "lake/raw_layout.hpp"

namespace spymaster::source {
namespace fs = std::filesystem;

namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The day is in several job folders: one file per content (by SHA-256), all from one folder.
std::vector<RawFile> OneCopyEach(std::vector<RawFile> files, std::string_view schema, std::string_view dt) {
  std::map<std::string, RawFile> first_with;  // sha256 → the file read
  std::vector<RawFile> kept;
  for (RawFile& f : files) {
    f.sha256 = common::Sha256File(f.path);
    const auto [it, inserted] = first_with.emplace(f.sha256, f);
    // Within one job folder every file is its own input, as when only that folder holds the day.
    if (!inserted && it->second.job_id != f.job_id) {
      spdlog::info("raw input {}: identical to {} (sha256 {}), read once; the duplicate is ignored", f.path.string(),
                   it->second.path.string(), f.sha256);
      continue;
    }
    kept.push_back(std::move(f));
  }
  for (const RawFile& f : kept) {
    if (f.job_id == kept.front().job_id) continue;
    // Name the file of the first job with the same name when there is one: that is the likely pair.
    const RawFile* other = &kept.front();
    for (const RawFile& k : kept) {
      if (k.job_id == kept.front().job_id && k.path.filename() == f.path.filename()) other = &k;
    }
    throw std::runtime_error(fmt::format(
        "raw {} files for {} in two batch-job folders differ: {} ({} bytes, sha256 {}) and {} ({} bytes, sha256 "
        "{}); reading both would double the day. Pick one job folder with --raw-job {} or --raw-job {}",
        schema, dt, other->path.string(), other->bytes, other->sha256, f.path.string(), f.bytes, f.sha256,
        other->job_id, f.job_id));
  }
  return kept;
}

// Databento's manifest.json lists each file of a batch job with its size and "sha256:<hex>" hash: a file
// that differs from its entry is a damaged or partial download, and bronze must not read it.
void CheckAgainstJobManifest(const RawFile& file, const std::string& sha, const fs::path& manifest) {
  if (!fs::is_regular_file(manifest)) return;
  nlohmann::json doc;
  try {
    std::ifstream in(manifest);
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kData, fmt::format("{}: not a batch-job manifest ({})", manifest.string(), e.what()));
  }
  if (!doc.contains("files") || !doc["files"].is_array()) {
    throw Error(ErrorKind::kData, fmt::format("{}: not a batch-job manifest (no \"files\" list)", manifest.string()));
  }
  const std::string name = file.path.filename().string();
  for (const auto& entry : doc["files"]) {
    if (entry.value("filename", "") != name) continue;
    const std::string want_hash = entry.value("hash", "");
    const int64_t want_size = entry.value("size", int64_t{-1});
    const bool hash_ok = want_hash.empty() || want_hash == "sha256:" + sha;
    const bool size_ok = want_size < 0 || want_size == file.bytes;
    if (!hash_ok || !size_ok) {
      throw Error(ErrorKind::kData,
                  fmt::format("raw file {} does not match its batch-job manifest {} (manifest: {} bytes, {}; file: "
                              "{} bytes, sha256:{}): a damaged or partial download; download the job again (raw "
                              "files are read-only to spymaster)",
                              file.path.string(), manifest.string(), want_size, want_hash, file.bytes, sha));
    }
    return;
  }
}

}  // namespace

std::vector<RawFile> FindRawFiles(const fs::path& lake_root, lake::ProductType product_type,
                                  std::string_view root_symbol, std::string_view schema, std::string_view dt,
                                  const std::vector<std::string>& raw_jobs) {
  const fs::path dir = lake::RawTableDir(lake_root, product_type, root_symbol, schema);
  const std::string yyyymmdd =
      WithUsageErrors("--dt", [&] { return std::to_string(common::ToYyyymmdd(common::ParseDate(dt))); });
  const std::string schema_part = fmt::format(".{}.dbn", schema);
  std::vector<fs::path> jobs;
  bool picked = false;  // a --raw-job folder is in this table
  if (fs::is_directory(dir)) {
    for (const auto& job : fs::directory_iterator(dir)) {
      const std::string name = job.path().filename().string();
      if (!job.is_directory() || name.starts_with('.')) continue;
      if (Contains(raw_jobs, name) && !picked) {
        jobs.clear();
        picked = true;
      }
      if (!picked || Contains(raw_jobs, name)) jobs.push_back(job.path());
    }
  }
  std::vector<RawFile> files;
  std::set<std::string> jobs_with_day;
  for (const fs::path& job : jobs) {
    for (const auto& entry : fs::directory_iterator(job)) {
      const std::string name = entry.path().filename().string();
      const bool dbn = name.ends_with(".dbn") || name.ends_with(".dbn.zst");
      if (entry.is_regular_file() && dbn && name.find(yyyymmdd) != std::string::npos &&
          name.find(schema_part) != std::string::npos) {
        files.push_back({entry.path(), job.filename().string(), static_cast<int64_t>(entry.file_size()), ""});
        jobs_with_day.insert(files.back().job_id);
      }
    }
  }
  if (files.empty()) {
    throw std::runtime_error(
        fmt::format("missing raw input: no {} file for {} under {}{} (expected "
                    "<job_id>/<dataset>-{}.{}.dbn.zst)",
                    schema, dt, dir.string(), picked ? " in the --raw-job folder" : "", yyyymmdd, schema));
  }
  std::sort(files.begin(), files.end(), [](const RawFile& a, const RawFile& b) { return a.path < b.path; });
  if (jobs_with_day.size() > 1) return OneCopyEach(std::move(files), schema, dt);
  return files;
}

std::string RawRootOf(lake::ProductType product_type, std::string_view symbol) {
  if (product_type != lake::ProductType::kFutureMbo && product_type != lake::ProductType::kFutureOptionMbo) {
    return std::string(symbol);
  }
  std::size_t digits = 0;
  while (digits < symbol.size() && digits < 2 &&
         std::isdigit(static_cast<unsigned char>(symbol[symbol.size() - 1 - digits]))) {
    ++digits;
  }
  constexpr std::string_view kMonthCodes = "FGHJKMNQUVXZ";
  if (digits == 0 || symbol.size() < digits + 2 ||
      kMonthCodes.find(symbol[symbol.size() - 1 - digits]) == std::string_view::npos) {
    throw std::invalid_argument(
        fmt::format("--symbol {}: not a futures contract (root, CME month code and year, e.g. ESH6)", symbol));
  }
  return std::string(symbol.substr(0, symbol.size() - 1 - digits));
}

std::vector<fs::path> Paths(const std::vector<RawFile>& files) {
  std::vector<fs::path> paths;
  for (const RawFile& f : files) paths.push_back(f.path);
  return paths;
}

void CheckRawJobs(const fs::path& lake_root, lake::ProductType product_type, std::string_view root_symbol,
                  const std::vector<std::string>& raw_jobs) {
  const fs::path product_dir = lake::RawTableDir(lake_root, product_type, root_symbol);
  for (const std::string& job : raw_jobs) {
    if (job.empty() || job.starts_with('.') || job.find('/') != std::string::npos) {
      throw std::invalid_argument(fmt::format("--raw-job '{}' is not a job id (a folder name)", job));
    }
    bool found = false;
    if (fs::is_directory(product_dir)) {
      for (const auto& table : fs::directory_iterator(product_dir)) {
        found = found || fs::is_directory(table.path() / job);
      }
    }
    if (!found) {
      throw std::invalid_argument(
          fmt::format("--raw-job {}: no job folder of that name under {}/table=*/", job, product_dir.string()));
    }
  }
}

lake::InputRef RawInputRef(const fs::path& lake_root, const RawFile& file, std::string_view schema,
                           std::string_view dt) {
  const std::string sha = file.sha256.empty() ? common::Sha256File(file.path) : file.sha256;
  const fs::path manifest = file.path.parent_path() / "manifest.json";
  CheckAgainstJobManifest(file, sha, manifest);
  lake::InputRef ref{fmt::format("raw.{}:{}", schema, file.path.filename().string()), std::string(dt),
                     fs::is_regular_file(manifest) ? common::Sha256File(manifest) : sha};
  ref.path = file.path.lexically_relative(lake_root).generic_string();
  ref.bytes = file.bytes;
  ref.sha256 = sha;
  return ref;
}

}  // namespace spymaster::source
