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

void Put(nb::dict& /*d*/) {}

template <class V, class... Rest>
void Put(nb::dict& d, const char* key, const V& value, const Rest&... rest) {
  d[key] = value;
  Put(d, rest...);
}

// {key: value, ...} in the order given: Dict("path", p, "records", n).
template <class... Items>
nb::dict Dict(const Items&... items) {
  nb::dict d;
  Put(d, items...);
  return d;
}

template <class T, class ToDict>
nb::list ListOf(const std::vector<T>& items, ToDict to_dict) {
  nb::list list;
  for (const T& item : items) list.append(to_dict(item));
  return list;
}

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
    tasks.append(Dict("stage", o.result.stage, "layer", std::string(lake::ToString(o.layer)), "symbol", o.task.symbol,
                      "dt", o.task.dt, "rows", o.result.rows, "skipped", o.result.skipped, "seconds", o.seconds,
                      "counters", ToDict(o.result.counters), "datasets_written", o.result.datasets_written, "error",
                      o.error));
    for (const auto& d : o.result.datasets_written) written.append(d);
    for (const auto& [name, value] : o.result.counters) counters[name] += value;
    rows += o.result.rows;
    skipped += o.result.skipped;
  }
  return Dict("tasks", tasks, "written", written, "skipped", skipped, "failed", summary.failed, "rows", rows,
              "counters", ToDict(counters), "report", report);
}

nb::dict Run(const std::string& product_type, const std::string& symbol, const std::string& layer,
             const std::optional<std::string>& dt, const std::optional<std::string>& dates,
             const std::optional<std::string>& start_date, const std::optional<std::string>& end_date, int workers,
             bool overwrite, const std::string& lake, const std::string& session_start, const std::string& session_end,
             const std::string& source, const std::vector<std::string>& raw_job, bool check) {
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
  args.check = check;
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
  const nb::list files = ListOf(report.files, [](const sim::FileReport& f) {
    return Dict("path", f.path.string(), "product_type", f.product_type, "symbol", f.symbol, "schema", f.schema,
                "records", f.records, "bytes", f.bytes);
  });
  return Dict("files", files, "records", report.records, "seconds", report.seconds);
}

nb::dict SelectContract(const std::string& dates, const std::string& lake) {
  const commands::SelectContractResult result =
      CallReleased([&] { return commands::SelectContractCommand(dates, lake); });
  const nb::list rows = ListOf(result.rows, [](const pipeline::SelectionRow& r) {
    return Dict("session_date", r.session_date, "selected_symbol", r.selected_symbol, "selected_exp_date",
                r.selected_exp_date, "prev_trading_date", r.prev_trading_date, "prev_volume_selected",
                r.prev_volume_selected, "prev_volume_rank2", r.prev_volume_rank2, "roll_flag", r.roll_flag);
  });
  return Dict("rows", rows, "file", result.file.string());
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
        "source"_a = "bronze", "raw_job"_a = std::vector<std::string>{}, "check"_a = true,
        "`spymaster run`: bronze/silver/gold stages of a product over dates; returns the run's summary. A failed "
        "task raises DataError (the CLI's exit 1), or with check=False is in the summary with its error.");
  m.def("simulate", &py::Simulate, nb::kw_only(), "dt"_a = "2026-01-06", "seed"_a = 1, "scale"_a = 1.0,
        "start"_a = "09:30", "end"_a = "10:30", "lake"_a = "lake", "product"_a = std::vector<std::string>{},
        "scenario"_a = "default", "overwrite"_a = false, "threads"_a = 0, "describe"_a = false,
        "`spymaster simulate`: writes the synthetic market day into the raw lake; returns what it wrote "
        "(describe=True: the scenario timeline, nothing written).");
  m.def("select_contract", &py::SelectContract, nb::kw_only(), "dates"_a, "lake"_a = "lake",
        "`spymaster select-contract`: writes the front-month ES selection map for dates.");
  py::RegisterWindows(m);
}
