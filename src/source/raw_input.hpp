// Discovery of raw Databento batch files in the lake and what bronze needs from them: the files of
// one (product_type, root symbol, schema, date) and their lineage hash. The layout is in lake/raw_layout.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lake/partition.hpp"
#include "lake/product_type.hpp"

namespace spymaster::source {

// One raw day file a stage reads (bronze, or silver with --source raw).
struct RawFile {
  std::filesystem::path path;
  std::string job_id;  // name of its job folder
  int64_t bytes = 0;
  std::string sha256 = {};  // hex; empty unless it had to be computed to compare job folders
};

// The data files of the date (name contains YYYYMMDD and the schema, ends .dbn or .dbn.zst) that
// bronze reads, sorted by path. Job folders whose name starts with '.' (simulate's temporaries) are
// not looked at.
// - Files of one job folder are distinct inputs (Databento splits a day by symbol).
// - A day in several job folders (a re-downloaded job): byte-identical files (SHA-256) are one input,
//   the first by path is read and the others are logged at info level and ignored; a file that leaves
//   two job folders in the result is an error naming one file of each and suggesting --raw-job.
// - `raw_jobs` (`spymaster run --raw-job`): in a table that holds a folder of one of these job ids,
//   only those folders are looked at.
// Throws std::runtime_error naming the directory when no file is found.
std::vector<RawFile> FindRawFiles(const std::filesystem::path& lake_root, lake::ProductType product_type,
                                  std::string_view root_symbol, std::string_view schema, std::string_view dt,
                                  const std::vector<std::string>& raw_jobs = {});

// The files' paths, for readers that take paths (LoadZeroDteOptions, RawMboOptions).
std::vector<std::filesystem::path> Paths(const std::vector<RawFile>& files);

// Throws std::invalid_argument unless every id in `raw_jobs` is a job folder of some table under
// <lake>/raw/source=databento/product_type=<pt>/symbol=<root>/.
void CheckRawJobs(const std::filesystem::path& lake_root, lake::ProductType product_type, std::string_view root_symbol,
                  const std::vector<std::string>& raw_jobs);

// Lineage of a raw file for the manifest: dataset "raw.<schema>:<file name>", manifest_sha256 of its
// job's manifest.json when present (else of the file itself), the path relative to the lake root, its
// size and its sha256 (computed here unless `file` has it). A file whose size or hash differs from its
// entry in the job's manifest.json is a data error naming both (a damaged or partial download).
lake::InputRef RawInputRef(const std::filesystem::path& lake_root, const RawFile& file, std::string_view schema,
                           std::string_view dt);

// The raw root a partition symbol's records come from: a futures contract's root (ESH6 → ES, by its CME
// month code and 1–2 digit year), the ticker itself for equities. Throws std::invalid_argument for a
// futures symbol without a contract suffix.
std::string RawRootOf(lake::ProductType product_type, std::string_view symbol);

}  // namespace spymaster::source
