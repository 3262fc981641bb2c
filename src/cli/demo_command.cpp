// spymaster demo: the main job on the built-in synthetic day. With no raw data under the lake it
// generates the 2026-01-06 session (all four products), then runs bronze for every product, the
// front-month selection, and every registered silver/gold stage, and prints what the lake now holds.
// Real raw data already under the lake is used as it is (raw files are never touched). Then, unless
// --no-serve, it starts the stream server with the built web app on --host:--port and prints the URL
// (building web/dist first when it is missing and npm is there); Ctrl-C (or SIGTERM) stops the server
// and exits 0, like `serve`.
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/lake_server.hpp"
#include "common/calendar.hpp"
#include "common/error.hpp"
#include "lake/interrupt.hpp"
#include "lake/raw_layout.hpp"
#include "lake/registry.hpp"
#include "pipeline/contract_selection.hpp"
#include "pipeline/runner.hpp"
#include "pipeline/session.hpp"
#include "pipeline/stage.hpp"
#include "serve/server.hpp"
#include "sim/simulate.hpp"

namespace spymaster::cli {
namespace {

struct DemoArgs {
  std::string lake = "lake";
  std::string dt = "2026-01-06";
  std::uint64_t seed = 1;
  std::string start = "09:30";
  std::string end = "10:30";
  int workers = 2;
  std::vector<std::string> raw_jobs;
  bool serve = true;
  std::string host = "127.0.0.1";
  int port = 8001;
  std::string web;  // empty: DefaultWebRoot()
};

struct ProductSymbols {
  lake::ProductType product_type;
  std::vector<std::string> raw_roots;    // bronze --symbol
  std::vector<std::string> engine_syms;  // silver/gold --symbol (ES resolves through the selection)
};

const std::vector<ProductSymbols>& DemoProducts() {
  static const std::vector<ProductSymbols> products = {
      {lake::ProductType::kFutureMbo, {"ES"}, {"ES"}},
      {lake::ProductType::kFutureOptionMbo, {"ES"}, {"ES"}},
      {lake::ProductType::kEquityMbo, {"SPY", "QQQ"}, {"SPY", "QQQ"}},
      {lake::ProductType::kEquityOptionMbo, {"SPY", "QQQ"}, {"SPY", "QQQ"}},
  };
  return products;
}

bool HasRawData(const std::filesystem::path& lake) {
  const auto raw = lake::RawDir(lake);
  if (!std::filesystem::is_directory(raw)) return false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(raw)) {
    if (entry.is_regular_file() && entry.path().string().ends_with(".dbn.zst")) return true;
  }
  return false;
}

bool HasJobFolder(const std::filesystem::path& product_dir, const std::string& job) {
  std::error_code ec;
  for (const auto& table : std::filesystem::directory_iterator(product_dir, ec)) {
    if (std::filesystem::is_directory(table.path() / job)) return true;
  }
  return false;
}

void RunLayers(const DemoArgs& args, const lake::DatasetRegistry& registry, lake::ProductType pt,
               const std::vector<lake::Layer>& layers, const std::string& symbol) {
  pipeline::RunOptions options;
  options.product_type = pt;
  options.layers = layers;
  options.symbol = symbol;
  options.dates = {args.dt};
  options.workers = args.workers;
  options.lake_root = args.lake;
  options.session_start_minute = pipeline::ParseMinuteOfDay(args.start);
  options.session_end_minute = pipeline::ParseMinuteOfDay(args.end);
  options.progress = isatty(STDERR_FILENO) != 0;
  // Each --raw-job applies to the bronze runs of the products whose raw tree has that job folder.
  const bool bronze = std::find(layers.begin(), layers.end(), lake::Layer::kBronze) != layers.end();
  for (const std::string& job : args.raw_jobs) {
    if (bronze && HasJobFolder(lake::RawTableDir(args.lake, pt, symbol), job)) options.raw_jobs.push_back(job);
  }
  const auto summary = pipeline::Run(options, registry, std::cout);
  if (summary.failed > 0) {
    std::string message =
        fmt::format("demo: {} {} {} failed", lake::ToString(pt), lake::ToString(summary.outcomes.back().layer), symbol);
    for (const auto& o : summary.outcomes) {
      if (!o.error.empty())
        message += fmt::format("\n  {} {} {}: {}", o.result.stage, o.task.symbol, o.task.dt, o.error);
    }
    throw Error(ErrorKind::kData, message);
  }
}

// Bad values are usage errors before anything runs (the simulator would catch some of them, but it
// does not run when raw data is present).
void CheckArgs(const DemoArgs& args) {
  WithUsageErrors("--dt", [&] { return common::ParseDate(args.dt); });
  const int start = WithUsageErrors("--start", [&] { return pipeline::ParseMinuteOfDay(args.start); });
  const int end = WithUsageErrors("--end", [&] { return pipeline::ParseMinuteOfDay(args.end); });
  WithUsageErrors("--start/--end", [&] { return pipeline::SessionBoundsNs(args.dt, start, end); });
  for (const std::string& job : args.raw_jobs) {
    bool found = false;
    for (const auto& product : DemoProducts()) {
      for (const auto& root : product.raw_roots) {
        found = found || HasJobFolder(lake::RawTableDir(args.lake, product.product_type, root), job);
      }
    }
    if (!found || job.empty() || job.starts_with('.') || job.find('/') != std::string::npos) {
      throw UsageError(fmt::format("--raw-job {}: no job folder of that name under {}/source=databento/*/*/table=*/",
                                   job, lake::RawDir(args.lake).string()));
    }
  }
}

// web/dist of this build (DefaultWebRoot), built first with `npm run build` in web/ when it is missing and
// the sources, their packages and npm are there; otherwise empty after saying what is missing.
std::filesystem::path WebRootBuiltIfNeeded() {
  if (auto dist = DefaultWebRoot(); !dist.empty()) return dist;
  std::error_code ec;
  const auto web = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "web";
  if (ec || !std::filesystem::is_regular_file(web / "package.json", ec)) {
    std::cout << "demo: no built web app and no web/ sources next to this build (pass --web DIR); serving the "
                 "stream only\n";
    return {};
  }
  if (!std::filesystem::is_directory(web / "node_modules", ec)) {
    std::cout << fmt::format(
        "demo: {} has no node_modules: run scripts/setup (npm ci) to build the view; serving the "
        "stream only\n",
        web.string());
    return {};
  }
  std::cout << fmt::format("demo: building the web app (npm run build in {})", web.string()) << std::endl;
  const std::string prefix = web.string();
  const char* argv[] = {"npm", "--prefix", prefix.c_str(), "run", "--silent", "build", nullptr};
  pid_t pid = 0;
  int status = 0;
  if (posix_spawnp(&pid, "npm", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) {
    std::cout << "demo: npm is not on PATH: install Node.js >= 18 (scripts/setup) to build the view; serving the "
                 "stream only\n";
    return {};
  }
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw Error(
        ErrorKind::kIo,
        fmt::format("demo: `npm --prefix {} run build` failed (wait status {}); its output is above", prefix, status));
  }
  return DefaultWebRoot();
}

// The stream server with the web app until SIGINT/SIGTERM (the server's own handlers take the signal over
// from the lake's: a stop here is the normal end, exit 0).
void Serve(const DemoArgs& args, const lake::DatasetRegistry& registry, const std::string& symbol) {
  LakeServerOptions options;
  options.lake_root = args.lake;
  options.host = args.host;
  options.port = args.port;
  options.web_root = args.web.empty() ? WebRootBuiltIfNeeded() : std::filesystem::path(args.web);
  options.session_start_minute = pipeline::ParseMinuteOfDay(args.start);
  options.session_end_minute = pipeline::ParseMinuteOfDay(args.end);
  if (!options.web_root.empty() && !std::filesystem::is_regular_file(options.web_root / "index.html")) {
    throw Error(ErrorKind::kUsage, fmt::format("--web {}: no index.html there", options.web_root.string()));
  }
  auto shared = std::make_shared<const lake::DatasetRegistry>(registry);
  serve::Server server(LakeServerConfig(options, shared), *shared);
  std::cout << fmt::format("demo: serving http://{}:{}/?symbol={}&dt={} (Ctrl-C stops)", args.host, server.port(),
                           symbol.empty() ? "ES" : symbol, args.dt)
            << std::endl;
  server.Run();
  std::cout << "demo: server stopped" << std::endl;
}

void Execute(const DemoArgs& args) {
  CheckArgs(args);
  const std::filesystem::path lake_root = args.lake;
  if (HasRawData(lake_root)) {
    std::cout << fmt::format("demo: using the raw data under {}\n", lake::RawDir(lake_root).string());
  } else {
    std::cout << fmt::format("demo: no raw data under {}; generating the synthetic {} session (seed {})\n",
                             lake::RawDir(lake_root).string(), args.dt, args.seed);
    sim::SimOptions sim_options;
    sim_options.dt = args.dt;
    sim_options.seed = args.seed;
    sim_options.start = args.start;
    sim_options.end = args.end;
    sim_options.lake = lake_root;
    sim_options.progress = isatty(STDERR_FILENO) != 0;
    // The simulator throws std::invalid_argument for parameters it cannot take (a weekend --dt).
    const auto report = WithUsageErrors("", [&] { return sim::Simulate(sim_options); });
    std::cout << fmt::format("demo: simulated {} records into {} files in {:.2f} s\n", report.records,
                             report.files.size(), report.seconds);
  }

  const auto registry = lake::DatasetRegistry::LoadDefault();
  // From here on SIGINT/SIGTERM stop the lake writers cleanly (the simulator above dies by default).
  lake::InstallInterruptHandlers();
  for (const auto& product : DemoProducts()) {
    for (const auto& root : product.raw_roots) {
      if (!std::filesystem::is_directory(lake::RawTableDir(lake_root, product.product_type, root))) continue;
      RunLayers(args, registry, product.product_type, {lake::Layer::kBronze}, root);
    }
  }

  lake::ThrowIfInterrupted();
  const auto selection = pipeline::BuildSelection(registry, lake_root, {args.dt});
  pipeline::WriteSelection(registry, lake_root, selection);
  for (const auto& row : selection) {
    std::cout << fmt::format("demo: front month on {} is {}\n", row.session_date,
                             row.selected_symbol.empty() ? "(none)" : row.selected_symbol);
  }

  // Silver and gold together: the runner computes both in one engine pass; then the forecast of the
  // products that have one, which the stream's replay reads instead of computing it per window.
  for (const auto& product : DemoProducts()) {
    for (const auto& symbol : product.engine_syms) {
      if (!std::filesystem::is_directory(lake::RawTableDir(lake_root, product.product_type, symbol))) continue;
      std::vector<lake::Layer> layers = {lake::Layer::kSilver, lake::Layer::kGold};
      if (pipeline::FindStage(product.product_type, lake::Layer::kForecast)) layers.push_back(lake::Layer::kForecast);
      RunLayers(args, registry, product.product_type, layers, symbol);
    }
  }
  lake::ThrowIfInterrupted();
  std::cout << fmt::format(
      "demo: the lake is at {}; read it with DuckDB, e.g. the gold physics surfaces:\n"
      "  .venv/bin/python -c \"import duckdb; print(duckdb.sql(\\\"select count(*), min(window_end_ts_ns), "
      "max(window_end_ts_ns) from "
      "'{}/gold/product_type=*/symbol=*/table=physics_surface_1s/dt=*/part-*.parquet'\\\"))\"\n",
      std::filesystem::absolute(lake_root).string(), lake_root.string());
  if (!args.serve) return;
  Serve(args, registry, selection.empty() ? std::string() : selection.front().selected_symbol);
}
}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand("demo",
                                     "Generate the synthetic day if no raw data is present, run bronze, selection, "
                                     "silver and gold, then serve the view");
  cmd->add_option("--lake", args->lake, "Lake root directory")->capture_default_str();
  cmd->add_option("--dt", args->dt, "Session date, YYYY-MM-DD")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Simulator seed (when generating)")->capture_default_str();
  cmd->add_option("--start", args->start, "Session start, America/New_York HH:MM")->capture_default_str();
  cmd->add_option("--end", args->end, "Session end, America/New_York HH:MM")->capture_default_str();
  cmd->add_option("--workers", args->workers, "Parallel tasks per stage")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--raw-job", args->raw_jobs,
                  "Bronze: read the raw day from this batch-job folder where several hold it (repeatable)");
  cmd->add_flag("!--no-serve", args->serve, "Stop after the lake instead of starting the server");
  cmd->add_option("--host", args->host, "Server address (loopback by default)")->capture_default_str();
  cmd->add_option("--port", args->port, "Server TCP port (0: any free port, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--web", args->web, "Directory of the built web app (default: web/dist of this build)");
  cmd->callback([args] { Execute(*args); });
}

}  // namespace spymaster::cli
