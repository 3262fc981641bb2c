// `spymaster run` as a function. The CLI parses its flags into RunArgs and the Python package
// (spymaster.run) passes its keyword arguments; both call RunCommand, so the checks, the messages and the
// work are one implementation. Flags without a value are empty strings, as on the command line.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "pipeline/runner.hpp"

namespace spymaster::commands {

struct RunArgs {
  std::string product_type;  // future_mbo | future_option_mbo | equity_mbo | equity_option_mbo
  std::string layer;         // bronze | silver | gold | all
  std::string symbol;
  std::string dt;  // exactly one date form: dt, dates, or start_date with end_date
  std::string dates;
  std::string start_date;
  std::string end_date;
  int workers = 1;
  bool overwrite = false;
  std::string lake = "lake";
  std::string session_start = "09:30";
  std::string session_end = "10:30";
  std::string source = "bronze";  // bronze | raw
  std::vector<std::string> raw_jobs;
  bool progress = false;  // progress bar on stderr
  // A failed task makes RunCommand throw (the CLI's exit 1). False (the package's check=False) returns the
  // summary instead, each failed task with its error, for callers that account for tasks one by one.
  bool check = true;
};

// Checks the arguments (UsageError naming the flag), runs the stages and writes the run's summary to
// `out`. With args.check, a failed task is an Error (kData) listing every failed task; the summary is
// written first.
pipeline::RunSummary RunCommand(const RunArgs& args, std::ostream& out);

}  // namespace spymaster::commands
