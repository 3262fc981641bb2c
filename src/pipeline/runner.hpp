// `spymaster run`: expands dates into (symbol, dt) tasks per layer, resolves ES through the selection
// map for silver/gold of the ES products (selecting the dates the map lacks itself when the run wrote
// their bronze), runs the registered stage of each task (in parallel threads with workers > 1), shows
// progress on a terminal and prints a summary.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "pipeline/stage.hpp"

namespace spymaster::pipeline {

struct RunOptions {
  ProductType product_type;
  std::vector<Layer> layers;  // in order; "all" = bronze, silver, gold
  std::string symbol;
  std::vector<std::string> dates;
  int workers = 1;
  bool overwrite = false;
  std::filesystem::path lake_root = "lake";
  int session_start_minute = 9 * 60 + 30;
  int session_end_minute = 10 * 60 + 30;
  RecordOrigin origin = RecordOrigin::kBronze;  // where silver reads its records
  bool progress = false;                        // draw a progress bar on stderr
  std::vector<std::string> raw_jobs;            // --raw-job: raw input comes from these job folders (see FindRawFiles)
};

struct TaskOutcome {
  Task task;
  Layer layer;
  StageResult result;
  std::string error;  // empty on success
  double seconds = 0;
};

struct RunSummary {
  std::vector<TaskOutcome> outcomes;
  int failed = 0;
};

// Validates the options (throws std::invalid_argument for usage errors, std::runtime_error for a
// missing stage or selection), runs every task and writes the summary to `out`. Task failures are
// collected, not thrown; check RunSummary::failed.
RunSummary Run(const RunOptions& options, const lake::DatasetRegistry& registry, std::ostream& out);

}  // namespace spymaster::pipeline
