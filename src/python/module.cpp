// spymaster._core: the Python package's extension. Every function parses keyword arguments into the
// structs the CLI fills from its flags and calls the same commands library (src/commands), with the GIL
// released while the C++ runs; spymaster::Error kinds become the package's exceptions, with the CLI's
// messages (errors.cpp).
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "commands/run.hpp"
#include "commands/select_contract.hpp"
#include "commands/simulate.hpp"
#include "python/errors.hpp"
#include "python/window_iterator.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace spymaster::python {
namespace {

nb::dict ToDict(const std::map<std::string, int64_t>& counters) {
  nb::dict d;
  for (const auto& [name, value] : counters) d[name.c_str()] = value;
  return d;
}

nb::dict Summary(const pipeline::RunSummary& summary, const std::string& report) {
  nb::list tasks;
  nb::list written;
  std::map<std::string, int64_t> counters;
  int64_t rows = 0;
  int skipped = 0;
  for (const pipeline::TaskOutcome& o : summary.outcomes) {
    nb::dict t;
    t["stage"] = o.result.stage;
    t["layer"] = std::string(lake::ToString(o.layer));
    t["symbol"] = o.task.symbol;
    t["dt"] = o.task.dt;
    t["rows"] = o.result.rows;
    t["skipped"] = o.result.skipped;
    t["seconds"] = o.seconds;
    t["counters"] = ToDict(o.result.counters);
    t["datasets_written"] = o.result.datasets_written;
    tasks.append(t);
    for (const auto& d : o.result.datasets_written) written.append(d);
    for (const auto& [name, value] : o.result.counters) counters[name] += value;
    rows += o.result.rows;
    skipped += o.result.skipped;
  }
  nb::dict d;
  d["tasks"] = tasks;
  d["written"] = written;
  d["skipped"] = skipped;
  d["failed"] = summary.failed;
  d["rows"] = rows;
  d["counters"] = ToDict(counters);
  d["report"] = report;
  return d;
}

nb::dict Run(const std::string& product_type, const std::string& symbol, const std::string& layer,
             const std::optional<std::string>& dt, const std::optional<std::string>& dates,
             const std::optional<std::string>& start_date, const std::optional<std::string>& end_date, int workers,
             bool overwrite, const std::string& lake, const std::string& session_start, const std::string& session_end,
             const std::string& source, const std::vector<std::string>& raw_job) {
  commands::RunArgs args;
  args.product_type = product_type;
  args.symbol = symbol;
  args.layer = layer;
  args.dt = dt.value_or("");
  args.dates = dates.value_or("");
  args.start_date = start_date.value_or("");
  args.end_date = end_date.value_or("");
  args.workers = workers;
  args.overwrite = overwrite;
  args.lake = lake;
  args.session_start = session_start;
  args.session_end = session_end;
  args.source = source;
  args.raw_jobs = raw_job;
  std::ostringstream report;
  const pipeline::RunSummary summary = CallReleased([&] { return commands::RunCommand(args, report); });
  return Summary(summary, report.str());
}

nb::object Simulate(const std::string& dt, uint64_t seed, double scale, const std::string& start,
                    const std::string& end, const std::string& lake, const std::vector<std::string>& product,
                    const std::string& scenario, bool overwrite, int threads, bool describe) {
  sim::SimOptions options;
  options.dt = dt;
  options.seed = seed;
  options.scale = scale;
  options.start = start;
  options.end = end;
  options.lake = lake;
  options.products = product;
  options.scenario = scenario;
  options.overwrite = overwrite;
  options.threads = threads;
  if (describe) return nb::str(CallReleased([&] { return commands::DescribeCommand(options); }).c_str());
  const sim::SimReport report = CallReleased([&] { return commands::SimulateCommand(options); });
  nb::list files;
  for (const sim::FileReport& f : report.files) {
    nb::dict d;
    d["path"] = f.path.string();
    d["product_type"] = f.product_type;
    d["symbol"] = f.symbol;
    d["schema"] = f.schema;
    d["records"] = f.records;
    d["bytes"] = f.bytes;
    files.append(d);
  }
  nb::dict d;
  d["files"] = files;
  d["records"] = report.records;
  d["seconds"] = report.seconds;
  return d;
}

nb::dict SelectContract(const std::string& dates, const std::string& lake) {
  const commands::SelectContractResult result =
      CallReleased([&] { return commands::SelectContractCommand(dates, lake); });
  nb::list rows;
  for (const pipeline::SelectionRow& r : result.rows) {
    nb::dict d;
    d["session_date"] = r.session_date;
    d["selected_symbol"] = r.selected_symbol;
    d["selected_exp_date"] = r.selected_exp_date;
    d["prev_trading_date"] = r.prev_trading_date;
    d["prev_volume_selected"] = r.prev_volume_selected;
    d["prev_volume_rank2"] = r.prev_volume_rank2;
    d["roll_flag"] = r.roll_flag;
    rows.append(d);
  }
  nb::dict d;
  d["rows"] = rows;
  d["file"] = result.file.string();
  return d;
}

}  // namespace
}  // namespace spymaster::python

NB_MODULE(_core, m) {
  namespace py = spymaster::python;
  // Logs go to stderr, as the CLI's do (spdlog's default logger writes to stdout).
  if (!spdlog::get("spymaster")) spdlog::set_default_logger(spdlog::stderr_color_mt("spymaster"));
  py::RegisterErrors(m);
  m.def("run", &py::Run, nb::kw_only(), "product_type"_a, "symbol"_a, "layer"_a = "all", "dt"_a = nb::none(),
        "dates"_a = nb::none(), "start_date"_a = nb::none(), "end_date"_a = nb::none(), "workers"_a = 1,
        "overwrite"_a = false, "lake"_a = "lake", "session_start"_a = "09:30", "session_end"_a = "10:30",
        "source"_a = "bronze", "raw_job"_a = std::vector<std::string>{},
        "`spymaster run`: bronze/silver/gold stages of a product over dates; returns the run's summary.");
  m.def("simulate", &py::Simulate, nb::kw_only(), "dt"_a = "2026-01-06", "seed"_a = 1, "scale"_a = 1.0,
        "start"_a = "09:30", "end"_a = "10:30", "lake"_a = "lake", "product"_a = std::vector<std::string>{},
        "scenario"_a = "default", "overwrite"_a = false, "threads"_a = 0, "describe"_a = false,
        "`spymaster simulate`: writes the synthetic market day into the raw lake; returns what it wrote "
        "(describe=True: the scenario timeline, nothing written).");
  m.def("select_contract", &py::SelectContract, nb::kw_only(), "dates"_a, "lake"_a = "lake",
        "`spymaster select-contract`: writes the front-month ES selection map for dates.");
  py::RegisterWindows(m);
}
