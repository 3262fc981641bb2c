// `spymaster simulate`: a deterministic synthetic market day written as real Databento batch-job output
// (DBN v3 zstd files plus metadata/manifest/symbology/condition JSON) under
// <lake>/raw/source=databento/product_type=<pt>/symbol=<root>/table=<schema>/<job_id>/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace spymaster::sim {

struct SimOptions {
  std::string dt = "2026-01-06";
  std::uint64_t seed = 1;
  double scale = 1.0;           // multiplies every event rate
  std::string start = "09:30";  // America/New_York
  std::string end = "10:30";
  std::filesystem::path lake = "lake";
  bool overwrite = false;
  std::string scenario = "default";   // a preset (kScenarioPresets in scenario.hpp) or a scenario JSON file
  std::vector<std::string> products;  // empty = all four product types
  bool progress = false;              // progress on stderr
  int threads = 0;                    // worker threads; 0 = hardware concurrency (output is the same)
};

struct FileReport {
  std::filesystem::path path;
  std::string product_type;
  std::string symbol;  // lake symbol= partition (ES, SPY, QQQ)
  std::string schema;
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
};

struct SimReport {
  std::vector<FileReport> files;  // in plan order
  std::uint64_t records = 0;
  double seconds = 0;
};

// Generates and writes the day. Nothing is written when validation fails; on a failure during
// generation every temporary output is removed. Throws std::invalid_argument for bad parameters and
// std::runtime_error for I/O problems or refused overwrites (messages name the parameter or path).
SimReport Simulate(const SimOptions& options);

// The resolved timeline for `options` (no files touched).
std::string Describe(const SimOptions& options);

}  // namespace spymaster::sim
