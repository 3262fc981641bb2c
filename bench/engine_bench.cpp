// `spymaster bench book|engine`: throughput of the L3 book alone and of the whole engine (book + silver,
// + gold) on a generated ES-like hour (support/synthetic_mbo_stream.hpp), in MBO events/s on one core.
// Both wall and process CPU time are printed: on a shared machine CPU time is the per-core figure.
#include <fmt/format.h>
#include <sys/resource.h>

#include <memory>

#include "bench/bench_command.hpp"
#include "bench/timing.hpp"
#include "book/book.hpp"
#include "common/standard_output.hpp"
#include "engine/engine.hpp"
#include "support/synthetic_mbo_stream.hpp"

namespace spymaster::bench {
namespace {

struct Args {
  int64_t events = 5'000'000;
  uint64_t seed = 1;
  int repeat = 3;
  bool no_gold = false;
};

void Print(const char* what, int64_t events, const Timing& t) {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  PrintStdout(
      "{}: {} events; best wall {:.3f} s = {:.2f} M events/s; best cpu {:.3f} s = {:.2f} M events/s/core; "
      "peak RSS {:.0f} MB\n",
      what, events, t.wall, double(events) / t.wall / 1e6, t.cpu, double(events) / t.cpu / 1e6,
      double(usage.ru_maxrss) / 1024.0);
}

std::vector<book::MboEvent> Stream(const Args& a) {
  support::SyntheticStreamOptions o;
  o.seed = a.seed;
  o.events = a.events;
  return support::SyntheticMboStream(o);
}

void AddCommon(CLI::App* cmd, Args& a) {
  cmd->add_option("--events", a.events, "MBO events in the generated hour")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{200'000'000}));
  cmd->add_option("--seed", a.seed, "Generator seed")->capture_default_str();
  cmd->add_option("--repeat", a.repeat, "Runs; the best is reported")->capture_default_str()->check(CLI::Range(1, 100));
}

}  // namespace

void AddBookBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = bench.add_subcommand("book", "L3 MBO book throughput on a generated ES hour");
  AddCommon(cmd, *args);
  cmd->callback([args] {
    const auto events = Stream(*args);
    int64_t sink = 0;
    const Timing t = BestOf(args->repeat, [&] {
      book::Book book;
      for (const auto& e : events) sink += book.Apply(e).add_qty;
      sink += book.BestBid();
    });
    Print("book", static_cast<int64_t>(events.size()), t);
    if (sink == 42) PrintStdout("\n");  // keeps the loop observable
  });
}

void AddEngineBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = bench.add_subcommand("engine", "Engine throughput (book + silver + gold) on a generated ES hour");
  AddCommon(cmd, *args);
  cmd->add_flag("--no-gold", args->no_gold, "Book + silver only");
  cmd->callback([args] {
    const auto events = Stream(*args);
    const support::SyntheticStreamOptions defaults;
    engine::EngineOptions o;
    o.session_start_ns = defaults.start_ns;
    o.session_end_ns = defaults.start_ns + defaults.duration_ns;
    o.compute_gold = !args->no_gold;
    int64_t windows = 0, silver_rows = 0, gold_rows = 0;
    const Timing t = BestOf(args->repeat, [&] {
      windows = silver_rows = gold_rows = 0;
      engine::Engine engine(engine::FutureMboConfig(), o, [&](const engine::WindowPtr& window) {
        const engine::WindowResult& w = *window;
        ++windows;
        silver_rows += static_cast<int64_t>(w.depth_flow.size());
        gold_rows += static_cast<int64_t>(w.gold.size());
      });
      for (const auto& e : events) engine.OnEvent(e);
      engine.Finish();
    });
    Print(args->no_gold ? "engine book+silver" : "engine book+silver+gold", static_cast<int64_t>(events.size()), t);
    PrintStdout("  {} windows, {} depth_and_flow rows, {} gold rows per run\n", windows, silver_rows, gold_rows);
  });
}

}  // namespace spymaster::bench
