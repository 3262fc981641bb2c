// `spymaster bench options`: the option engines on generated hours. ES-like 0DTE options MBO (hundreds
// of instruments, a few levels each, adds, cancels, modifies and fills) through OptionBooks alone and
// through the whole OptionEngine (books + the 84-row strike grid + gold); and OPRA-like CMBP-1 updates
// (two Q records each) through the QuoteOptionEngine (204-row grid + gold). Rates per CPU second.
#include <fmt/format.h>
#include <sys/resource.h>

#include <memory>
#include <vector>

#include "bench/bench_command.hpp"
#include "bench/timing.hpp"
#include "book/option_books.hpp"
#include "book/quote_tops.hpp"
#include "common/standard_output.hpp"
#include "engine/option_engine.hpp"
#include "engine/record_source.hpp"

namespace spymaster::bench {
namespace {

constexpr int64_t kDollar = 1'000'000'000;
constexpr int64_t kStart = 1'767'709'800LL * kDollar;  // 2026-01-06 14:30:00 UTC (09:30 New York)
constexpr int64_t kHour = 3600 * kDollar;

struct Args {
  int64_t events = 4'000'000;
  int instruments = 400;
  uint64_t seed = 1;
  int repeat = 3;
};

struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

struct Day {
  std::vector<engine::OptionInstrument> instruments;
  std::vector<book::MboEvent> events;  // the underlying's two quotes first (origin 0), then the options
  int64_t option_events = 0;
};

book::MboEvent Underlying(char side, int64_t price, uint64_t id) {
  book::MboEvent e;
  e.ts_event = static_cast<uint64_t>(kStart - kDollar);
  e.action = 'A';
  e.side = side;
  e.price = price;
  e.size = 10;
  e.order_id = id;
  return e;
}

// ES 0DTE options MBO: strikes every $5 around 6000, a $0.05 premium tick, orders added near each
// instrument's premium and later cancelled, modified (price or size) or filled then removed.
Day EsOptionsHour(const Args& a) {
  Day day;
  Rng rng{a.seed * 0x9E3779B97F4A7C15ull + 1};
  const int64_t tick = 50'000'000;
  for (int i = 0; i < a.instruments; ++i) {
    day.instruments.push_back({static_cast<uint32_t>(1000 + i), i % 2 == 0 ? 'C' : 'P',
                               (6000 - 5 * (a.instruments / 4) + 5 * (i / 2)) * kDollar});
  }
  day.events.push_back(Underlying('B', 6000 * kDollar, 1));
  day.events.push_back(Underlying('A', 6000 * kDollar + 250'000'000, 2));
  struct Live {
    uint64_t id;
    char side;
    int64_t price;
    uint32_t size;
  };
  std::vector<std::vector<Live>> live(static_cast<std::size_t>(a.instruments));
  uint64_t next_id = 1;
  day.events.reserve(static_cast<std::size_t>(a.events) + 2);
  for (int64_t k = 0; static_cast<int64_t>(day.events.size()) - 2 < a.events; ++k) {
    const auto i = static_cast<std::size_t>(rng.Below(static_cast<uint64_t>(a.instruments)));
    book::MboEvent e;
    e.ts_event = static_cast<uint64_t>(kStart + k * (kHour / a.events));
    e.instrument_id = day.instruments[i].instrument_id;
    e.origin = 1;
    auto& orders = live[i];
    const uint64_t roll = rng.Below(100);
    if (orders.size() < 4 || roll < 40) {
      const char side = rng.Below(2) == 0 ? 'B' : 'A';
      const int64_t mid = (5 + static_cast<int64_t>(i % 40)) * kDollar;
      const int64_t price = side == 'B' ? mid - tick * (1 + rng.Below(6)) : mid + tick * (1 + rng.Below(6));
      const Live o{next_id++, side, price, static_cast<uint32_t>(1 + rng.Below(50))};
      orders.push_back(o);
      e.action = 'A';
      e.side = o.side;
      e.price = o.price;
      e.size = o.size;
      e.order_id = o.id;
      day.events.push_back(e);
      continue;
    }
    const std::size_t j = rng.Below(orders.size());
    Live& o = orders[j];
    e.order_id = o.id;
    e.side = o.side;
    if (roll < 75) {
      e.action = 'C';
      e.price = o.price;
      e.size = o.size;
      orders[j] = orders.back();
      orders.pop_back();
    } else if (roll < 90) {
      e.action = 'M';
      o.price += rng.Below(2) == 0 ? 0 : (o.side == 'B' ? -tick : tick);
      o.size = static_cast<uint32_t>(1 + rng.Below(50));
      e.price = o.price;
      e.size = o.size;
    } else {
      e.action = 'F';
      e.price = o.price;
      e.size = o.size;
      day.events.push_back(e);
      e.action = 'C';
      orders[j] = orders.back();
      orders.pop_back();
    }
    day.events.push_back(e);
  }
  day.option_events = static_cast<int64_t>(day.events.size()) - 2;
  return day;
}

// OPRA CMBP-1: per update, one instrument's bid and ask move by a cent or change size.
Day QuotesHour(const Args& a) {
  Day day;
  Rng rng{a.seed * 0xD1B54A32D192ED03ull + 7};
  const int64_t cent = 10'000'000;
  for (int i = 0; i < a.instruments; ++i) {
    day.instruments.push_back(
        {static_cast<uint32_t>(1000 + i), i % 2 == 0 ? 'C' : 'P', (590 - a.instruments / 4 + i / 2) * kDollar});
  }
  day.events.push_back(Underlying('B', 590 * kDollar, 1));
  day.events.push_back(Underlying('A', 590 * kDollar + cent, 2));
  std::vector<int64_t> bid(static_cast<std::size_t>(a.instruments));
  for (int i = 0; i < a.instruments; ++i) bid[static_cast<std::size_t>(i)] = (1 + i % 30) * kDollar;
  const int64_t updates = a.events / 2;
  for (int64_t k = 0; k < updates; ++k) {
    const auto i = static_cast<std::size_t>(rng.Below(static_cast<uint64_t>(a.instruments)));
    bid[i] = std::max<int64_t>(cent, bid[i] + (static_cast<int64_t>(rng.Below(3)) - 1) * cent);
    for (char side : {'B', 'A'}) {
      book::MboEvent e;
      e.ts_event = static_cast<uint64_t>(kStart + k * (kHour / updates));
      e.instrument_id = day.instruments[i].instrument_id;
      e.origin = 1;
      e.action = book::kQuoteAction;
      e.side = side;
      e.price = side == 'B' ? bid[i] : bid[i] + 2 * cent;
      e.size = static_cast<uint32_t>(1 + rng.Below(200));
      day.events.push_back(e);
    }
  }
  day.option_events = updates;
  return day;
}

void Print(const char* what, const char* unit, int64_t n, const Timing& t) {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  PrintStdout(
      "{}: {} {}; best wall {:.3f} s = {:.2f} M {}/s; best cpu {:.3f} s = {:.2f} M {}/s/core; peak RSS {:.0f} MB\n",
      what, n, unit, t.wall, double(n) / t.wall / 1e6, unit, t.cpu, double(n) / t.cpu / 1e6, unit,
      double(usage.ru_maxrss) / 1024.0);
}

template <class EngineT>
void RunEngine(const char* what, const char* unit, const Day& day, const engine::ProductConfig& underlying,
               const engine::OptionGrid& grid, int repeat) {
  engine::EngineOptions o;
  o.session_start_ns = kStart;
  o.session_end_ns = kStart + kHour;
  int64_t windows = 0, flow_rows = 0, gold_rows = 0;
  const Timing t = BestOf(repeat, [&] {
    windows = flow_rows = gold_rows = 0;
    EngineT engine(underlying, grid, o, day.instruments, [&](const engine::OptionWindowPtr& w) {
      ++windows;
      flow_rows += static_cast<int64_t>(w->flow.size());
      gold_rows += static_cast<int64_t>(w->gold.size());
    });
    engine::SpanSource source(day.events);
    engine::Drive(source, engine);  // the stages' feeding loop
  });
  Print(what, unit, day.option_events, t);
  PrintStdout("  {} instruments, {} windows, {} depth_and_flow rows, {} gold rows per run\n", day.instruments.size(),
              windows, flow_rows, gold_rows);
}

}  // namespace

void AddOptionBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = bench.add_subcommand(
      "options", "Option engines: ES options MBO (books alone; books + silver + gold) and OPRA CMBP-1 updates");
  cmd->add_option("--events", args->events, "Option records in each generated hour")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1000}, int64_t{100'000'000}));
  cmd->add_option("--instruments", args->instruments, "Option instruments")
      ->capture_default_str()
      ->check(CLI::Range(2, 100'000));
  cmd->add_option("--seed", args->seed, "Generator seed")->capture_default_str();
  cmd->add_option("--repeat", args->repeat, "Runs; the best is reported")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->callback([args] {
    {
      const Day day = EsOptionsHour(*args);
      int64_t sink = 0;
      const Timing t = BestOf(args->repeat, [&] {
        book::OptionBooks books;
        for (const auto& m : day.instruments) books.AddInstrument(m.instrument_id);
        uint32_t index = 0;
        for (std::size_t k = 2; k < day.events.size(); ++k) sink += books.Apply(day.events[k], &index).add_qty;
      });
      Print("option books", "events", day.option_events, t);
      RunEngine<engine::OptionEngine>("option engine books+silver+gold", "events", day, engine::FutureMboConfig(),
                                      engine::EsOptionGrid(), args->repeat);
      if (sink == 42) PrintStdout("\n");  // keeps the loop observable
    }
    const Day quotes = QuotesHour(*args);
    RunEngine<engine::QuoteOptionEngine>("cmbp-1 engine tops+silver+gold", "updates", quotes, engine::EquityMboConfig(),
                                         engine::EquityOptionGrid(), args->repeat);
  });
}

}  // namespace spymaster::bench
