#include "sim/statistics_writer.hpp"

#include <algorithm>
#include <cmath>

namespace spymaster::sim {
namespace {

// Databento StatType values (dbn.md §5.8).
constexpr std::uint16_t kOpeningPrice = 1;
constexpr std::uint16_t kSettlementPrice = 3;
constexpr std::uint16_t kSessionLow = 4;
constexpr std::uint16_t kSessionHigh = 5;
constexpr std::uint16_t kClearedVolume = 6;
constexpr std::uint16_t kOpenInterest = 9;
constexpr std::uint16_t kClosePrice = 11;

std::int64_t RoundToTick(double dollars, std::int64_t tick) {
  const auto t = static_cast<double>(tick) / 1e9;
  return std::max<std::int64_t>(1, std::llround(dollars / t)) * tick;
}

}  // namespace

StatisticsWriter::StatisticsWriter(const ProductPlan& plan, const MarketPath& path, const Session& session,
                                   dbn::Encoder* encoder, Rng values, Rng stamps)
    : plan_(plan),
      path_(path),
      session_(session),
      encoder_(encoder),
      rng_(values),
      stamper_(plan.publisher_id, stamps),
      state_(plan.instruments.size()) {}

void StatisticsWriter::Opening(std::uint64_t ts) {
  Date prev = common::AddDays(session_.date, -1);
  while (common::IsWeekend(prev)) prev = common::AddDays(prev, -1);
  const std::uint64_t ts_ref = DbnNs(std::chrono::sys_days{prev});
  const bool cme = plan_.dataset == "GLBX.MDP3";
  for (std::size_t i = 0; i < plan_.instruments.size(); ++i) {
    const Instrument& in = plan_.instruments[i];
    const double fair = FairPrice(path_, in.model, ts) * (1.0 + 0.04 * rng_.Normal());
    const std::int64_t tick = cme ? in.tick : dbn::kFixedPriceScale / 100;
    // CME flags its final settlement in stat_flags bit 0; OPRA reports the previous close instead.
    Write(ts, i, cme ? kSettlementPrice : kClosePrice, RoundToTick(fair, tick), dbn::kUndefStatQuantity, ts_ref,
          cme ? 1 : 0);
    Write(ts, i, kOpenInterest, dbn::kUndefPrice, static_cast<std::int64_t>(std::floor(rng_.Pareto(50, 1.2))), ts_ref,
          0);
    Write(ts, i, kClearedVolume, dbn::kUndefPrice, static_cast<std::int64_t>(std::floor(rng_.Pareto(10, 1.1))), ts_ref,
          0);
  }
}

void StatisticsWriter::Trade(std::uint64_t ts, std::size_t index, std::int64_t price) {
  if (ts < session_.open_ns) return;
  State& s = state_[index];
  if (!s.opened) {
    s.opened = true;
    s.high = s.low = price;
    Write(ts, index, kOpeningPrice, price, dbn::kUndefStatQuantity, dbn::kUndefTimestamp, 0);
    Write(ts, index, kSessionHigh, price, dbn::kUndefStatQuantity, dbn::kUndefTimestamp, 0);
    Write(ts, index, kSessionLow, price, dbn::kUndefStatQuantity, dbn::kUndefTimestamp, 0);
    return;
  }
  if (price > s.high) {
    s.high = price;
    Write(ts, index, kSessionHigh, price, dbn::kUndefStatQuantity, dbn::kUndefTimestamp, 0);
  } else if (price < s.low) {
    s.low = price;
    Write(ts, index, kSessionLow, price, dbn::kUndefStatQuantity, dbn::kUndefTimestamp, 0);
  }
}

void StatisticsWriter::Write(std::uint64_t ts, std::size_t index, std::uint16_t type, std::int64_t price,
                             std::int64_t qty, std::uint64_t ts_ref, std::uint8_t stat_flags) {
  dbn::StatMsg m;
  m.hd.ts_event = ts;
  m.ts_ref = ts_ref;
  m.price = price;
  m.quantity = qty;
  m.stat_type = type;
  m.update_action = 1;
  m.stat_flags = stat_flags;
  stamper_.Apply(m, plan_.instruments[index].instrument_id);
  encoder_->Write(m);
  ++records_;
}

}  // namespace spymaster::sim
