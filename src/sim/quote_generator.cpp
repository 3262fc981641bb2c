#include "sim/quote_generator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spymaster::sim {
namespace {

constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();
// OPRA.PILLAR venue publisher ids (20–37 without 30, the consolidated feed itself).
constexpr std::uint16_t kVenues[] = {20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31, 32, 33, 34, 35, 36, 37};

}  // namespace

QuoteGenerator::QuoteGenerator(const Instrument& instrument, const MarketPath& path, const Session& session,
                               double scale, Rng rng)
    : instrument_(instrument),
      path_(path),
      session_(session),
      rng_(rng),
      rate_ns_(instrument.flow.rate_per_s * scale / 1e9) {
  ScheduleNext(session_.snapshot_ns);
}

std::uint64_t QuoteGenerator::next_ts() const { return next_ts_ < session_.close_ns ? next_ts_ : kNever; }

void QuoteGenerator::ScheduleNext(std::uint64_t after) {
  const double rate = rate_ns_ * path_.Activity(after);
  next_ts_ = session_.LullEnd(after + 1 + static_cast<std::uint64_t>(rng_.Exponential(1.0 / rate)));
}

std::uint32_t QuoteGenerator::SampleSize() {
  return static_cast<std::uint32_t>(std::min(static_cast<double>(instrument_.flow.max_lots),
                                             std::floor(rng_.Pareto(1.0, instrument_.flow.size_alpha))));
}

std::uint16_t QuoteGenerator::SampleVenue() { return kVenues[rng_.Below(std::size(kVenues))]; }

QuoteGenerator::Quote QuoteGenerator::Target(std::uint64_t ts) {
  const double fair = FairPrice(path_, instrument_.model, ts);
  // Penny increments under $3, nickels above; the spread widens with the premium.
  const double tick = fair < 3.0 ? 0.01 : 0.05;
  const double half = std::max(tick, fair * 0.012);
  const auto bid_ticks = static_cast<std::int64_t>(std::floor((fair - half) / tick));
  const auto ask_ticks = static_cast<std::int64_t>(std::ceil((fair + half) / tick));
  const auto tick_fixed = static_cast<std::int64_t>(std::llround(tick * 1e9));
  Quote q = quote_;
  q.bid_px = bid_ticks >= 1 ? bid_ticks * tick_fixed : dbn::kUndefPrice;
  q.ask_px = std::max<std::int64_t>(ask_ticks, 1) * tick_fixed;
  return q;
}

void QuoteGenerator::Emit(std::vector<dbn::Cmbp1Msg>& out, std::uint64_t ts, char action, char side, std::int64_t price,
                          std::uint32_t size) const {
  dbn::Cmbp1Msg& m = out.emplace_back();
  m.hd.ts_event = ts;
  m.action = action;
  m.side = side;
  m.price = price;
  m.size = size;
  m.flags = 0;
  auto& level = m.levels[0];
  level.bid_px = quote_.bid_px;
  level.ask_px = quote_.ask_px;
  level.bid_sz = quote_.bid_sz;
  level.ask_sz = quote_.ask_sz;
  level.bid_pb = quote_.bid_pb;
  level.ask_pb = quote_.ask_pb;
}

void QuoteGenerator::Open(std::uint64_t ts, std::vector<dbn::Cmbp1Msg>& out) {
  const Quote target = Target(ts);
  quote_.bid_px = target.bid_px;
  quote_.bid_sz = target.bid_px == dbn::kUndefPrice ? 0 : SampleSize();
  quote_.bid_pb = target.bid_px == dbn::kUndefPrice ? 0 : SampleVenue();
  Emit(out, ts, 'A', 'B', quote_.bid_px, quote_.bid_sz);
  quote_.ask_px = target.ask_px;
  quote_.ask_sz = SampleSize();
  quote_.ask_pb = SampleVenue();
  Emit(out, ts, 'A', 'A', quote_.ask_px, quote_.ask_sz);
  out.back().flags |= dbn::flags::kLast;
}

void QuoteGenerator::Step(std::vector<dbn::Cmbp1Msg>& out) {
  const std::uint64_t ts = next_ts_;
  const std::size_t first = out.size();
  const Quote target = Target(ts);
  if (target.bid_px != quote_.bid_px || target.ask_px != quote_.ask_px) {
    // Re-quote the side(s) whose price moved with the underlying, the ask first on the way up and the
    // bid first on the way down, so that no intermediate record shows a crossed book.
    auto requote_bid = [&] {
      if (target.bid_px == quote_.bid_px) return;
      quote_.bid_px = target.bid_px;
      quote_.bid_sz = target.bid_px == dbn::kUndefPrice ? 0 : SampleSize();
      quote_.bid_pb = target.bid_px == dbn::kUndefPrice ? 0 : SampleVenue();
      Emit(out, ts, 'A', 'B', quote_.bid_px, quote_.bid_sz);
    };
    auto requote_ask = [&] {
      if (target.ask_px == quote_.ask_px) return;
      quote_.ask_px = target.ask_px;
      quote_.ask_sz = SampleSize();
      quote_.ask_pb = SampleVenue();
      Emit(out, ts, 'A', 'A', quote_.ask_px, quote_.ask_sz);
    };
    if (target.ask_px > quote_.ask_px) {
      requote_ask();
      requote_bid();
    } else {
      requote_bid();
      requote_ask();
    }
  } else if (rng_.Chance(instrument_.flow.trade_share)) {
    const bool buy = rng_.Chance(0.5) || quote_.bid_px == dbn::kUndefPrice;
    const std::uint32_t resting = buy ? quote_.ask_sz : quote_.bid_sz;
    const std::uint32_t size = std::min(resting, SampleSize());
    if (size > 0) {
      Emit(out, ts, 'T', buy ? 'B' : 'A', buy ? quote_.ask_px : quote_.bid_px, size);
      // The traded side shrinks (or refills from another venue when it empties).
      std::uint32_t& side_sz = buy ? quote_.ask_sz : quote_.bid_sz;
      side_sz = side_sz > size ? side_sz - size : SampleSize();
      Emit(out, ts, 'A', buy ? 'A' : 'B', buy ? quote_.ask_px : quote_.bid_px, side_sz);
    }
  } else {
    const bool bid = rng_.Chance(0.5) && quote_.bid_px != dbn::kUndefPrice;
    (bid ? quote_.bid_sz : quote_.ask_sz) = SampleSize();
    (bid ? quote_.bid_pb : quote_.ask_pb) = SampleVenue();
    Emit(out, ts, 'A', bid ? 'B' : 'A', bid ? quote_.bid_px : quote_.ask_px, bid ? quote_.bid_sz : quote_.ask_sz);
  }
  if (out.size() > first) out.back().flags |= dbn::flags::kLast;
  ScheduleNext(ts);
}

}  // namespace spymaster::sim
