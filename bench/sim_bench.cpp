// `spymaster bench sim [--scale X] [--seed N] [--repeat R] [--end HH:MM]`: the synthetic day end to end
// (market model, generators, zstd DBN encoding, side files) into a temporary lake, then two of its parts
// alone: the ESH6 order-book generator (no encoding) and the market path.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <vector>

#include "bench/bench_command.hpp"
#include "bench/timing.hpp"
#include "common/error.hpp"
#include "common/standard_output.hpp"
#include "sim/instruments.hpp"
#include "sim/market_path.hpp"
#include "sim/mbo_generator.hpp"
#include "sim/scenario.hpp"
#include "sim/session.hpp"
#include "sim/simulate.hpp"

namespace spymaster::bench {
namespace {

struct Args {
  double scale = 1.0;
  std::uint64_t seed = 1;
  int repeat = 3;
  std::string end = "10:30";
};

void Day(const Args& args) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("spymaster-bench-sim-{}", ::getpid());
  double best = 1e300;
  sim::SimReport report;
  for (int i = 0; i < args.repeat; ++i) {
    std::filesystem::remove_all(dir);
    sim::SimOptions o;
    o.seed = args.seed;
    o.scale = args.scale;
    o.end = args.end;
    o.lake = dir;
    report = WithUsageErrors("", [&] { return sim::Simulate(o); });  // --scale, --end
    best = std::min(best, report.seconds);
  }
  std::uint64_t bytes = 0;
  for (const auto& f : report.files) bytes += f.bytes;
  std::filesystem::remove_all(dir);
  PrintStdout("sim scale {:g}: {} records in {} files, {:.1f} MB zstd; best of {}: {:.3f} s, {:.2f} M records/s\n",
              args.scale, report.records, report.files.size(), static_cast<double>(bytes) / 1e6, args.repeat, best,
              static_cast<double>(report.records) / best / 1e6);
  for (const auto& f : report.files) {
    PrintStdout("  {:<18} {:<4} {:<10} {:>10} records {:>12} bytes\n", f.product_type, f.symbol, f.schema, f.records,
                f.bytes);
  }
}

void Parts(const Args& args) {
  const sim::Session session =
      sim::MakeSession("2026-01-06", "09:30", args.end, sim::ParseScenario(sim::DefaultScenarioJson(), "default"));
  double close_price = 0;
  const Timing path_time = BestOf(args.repeat, [&] {
    close_price = sim::MarketPath(session, args.seed).Price(sim::Underlier::kEs, session.close_ns);
  });
  PrintStdout("market path (10 ms grid, ES close {:.2f}): best cpu {:.3f} s, wall {:.3f} s\n", close_price,
              path_time.cpu, path_time.wall);

  const sim::MarketPath path(session, args.seed);
  const auto plans = sim::PlanDay(session, path, {sim::ProductType::kFutureMbo});
  const sim::Instrument& front = plans[0].instruments[0];
  std::vector<dbn::MboMsg> out;
  out.reserve(1 << 12);
  std::uint64_t records = 0;
  const Timing t = BestOf(args.repeat, [&] {
    records = 0;
    sim::MboGenerator gen(front, path, session, args.scale, sim::Rng(args.seed, 1), 1);
    while (gen.next_ts() != std::numeric_limits<std::uint64_t>::max()) {
      gen.Step(out);
      records += out.size();
      out.clear();
    }
  });
  PrintStdout("{} generator alone: {} records; best cpu {:.3f} s = {:.2f} M records/s/core\n", front.raw_symbol,
              records, t.cpu, static_cast<double>(records) / t.cpu / 1e6);
}

}  // namespace

void AddSimBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = bench.add_subcommand("sim", "Synthetic market day generation throughput (all four products)");
  cmd->add_option("--scale", args->scale, "Event-rate multiplier (about 6 gives a real day's ~5 M ESH6 events)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->add_option("--repeat", args->repeat, "Runs; the best is reported")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--end", args->end, "Session end (ET); the session starts 09:30")->capture_default_str();
  cmd->callback([args] {
    Day(*args);
    Parts(*args);
  });
}

}  // namespace spymaster::bench
