// What the simulated day lists: per product (future_mbo, future_option_mbo, equity_mbo,
// equity_option_mbo) the instruments with their venue symbols, definitions and order-flow parameters,
// and the Databento batch jobs (dataset, schema, query symbols) whose files the simulator writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbn/enums.hpp"
#include "lake/product_type.hpp"
#include "sim/market_path.hpp"
#include "sim/session.hpp"

namespace spymaster::sim {

// The lake's product types and spellings (a header without Arrow), so raw folders match what bronze reads.
using lake::ProductType;

enum class PriceKind { kOutright, kCalendarSpread, kCall, kPut, kCallVertical };

// How an instrument's fair price follows the latent market.
struct PriceModel {
  PriceKind kind = PriceKind::kOutright;
  Underlier underlier = Underlier::kEs;
  double carry = 1.0;  // deferred future = front × carry; calendar spread = front × (1 − carry)
  double strike = 0;   // dollars
  double strike2 = 0;  // vertical: the short leg
  std::uint64_t expiry_ns = 0;
};

// Fair value in dollars (Black–Scholes with a simple skew for options, floored at one cent).
double FairPrice(const MarketPath& path, const PriceModel& model, std::uint64_t ts);

// Order-flow shape of one instrument's book.
struct FlowParams {
  double rate_per_s = 1;    // events per second at activity 1 (before --scale)
  int target_orders = 100;  // resting orders the book holds in steady state
  std::uint32_t lot = 1;    // shares per lot (1 for futures and their options)
  double size_alpha = 1.7;  // Pareto tail index of order sizes (in lots)
  std::uint32_t max_lots = 200;
  double trade_share = 0.03;      // share of events that are marketable orders
  int depth_ticks = 30;           // adds land within this many ticks of the touch
  double stale_pull_share = 0.2;  // stale quotes (wrong side of fair) pulled rather than traded
};

struct Instrument {
  std::uint32_t instrument_id = 0;
  std::string raw_symbol;
  char instrument_class = 'F';  // F future, S future spread, C call, P put, T option spread, K stock
  std::string asset;            // product code, e.g. ES, E1B, SPY
  std::string underlying;       // e.g. ESH6 for ES options, SPY for SPY options
  std::uint32_t underlying_id = 0;
  std::int64_t strike_price = dbn::kUndefPrice;  // 1e-9
  std::uint64_t expiration = dbn::kUndefTimestamp;
  std::int64_t tick = 0;  // minimum price increment, 1e-9
  bool user_defined = false;
  bool primary = false;  // receives the scenario episodes
  PriceModel model;
  FlowParams flow;
};

struct Job {
  std::string table;  // schema text: mbo, definition, statistics, cmbp-1
  dbn::Schema schema = dbn::Schema::kMbo;
  std::string job_id;     // SIM-<YYYYMMDD>-<schema>
  std::string file_name;  // <dataset>-<YYYYMMDD>.<schema>.dbn.zst
};

struct ProductPlan {
  ProductType product = ProductType::kFutureMbo;
  std::string root;     // lake symbol= partition: ES, SPY, QQQ
  std::string dataset;  // GLBX.MDP3, XNAS.ITCH, OPRA.PILLAR
  std::uint16_t publisher_id = 0;
  dbn::SType stype_in = dbn::SType::kParent;
  std::vector<std::string> query_symbols;  // e.g. ES.FUT, SPY, SPY.OPT
  std::vector<Instrument> instruments;
  std::vector<Job> jobs;  // the market-data job first, then definition and statistics when present
};

// The day's plan for the requested products (in lake::kAllProductTypes order; one plan per equity symbol).
// Throws std::invalid_argument when the date has no session (weekend).
std::vector<ProductPlan> PlanDay(const Session& session, const MarketPath& path,
                                 const std::vector<ProductType>& products);

}  // namespace spymaster::sim
