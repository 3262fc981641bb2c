#include "support/synthetic_mbo_stream.hpp"

#include <algorithm>
#include <cmath>

#include "sim/rng.hpp"

namespace spymaster::support {
namespace {

struct Live {
  uint64_t id;
  int64_t price;
  uint32_t size;
  char side;
};

}  // namespace

std::vector<book::MboEvent> SyntheticMboStream(const SyntheticStreamOptions& o) {
  // The simulator's xoshiro generator, not std:: distributions: the stream (and so every benchmark and
  // golden figure built on it) is the same with any standard library.
  sim::Rng rng(o.seed, /*stream=*/0);
  const auto u01 = [&rng] { return rng.Uniform(); };
  // Ticks behind the touch for new orders: geometric, P(k) = 0.25 · 0.75^k, by inversion.
  const double log_q = std::log(0.75);
  const auto depth = [&rng, log_q] { return static_cast<int>(std::floor(std::log(rng.UniformPositive()) / log_q)); };
  std::vector<book::MboEvent> out;
  out.reserve(static_cast<std::size_t>(o.events) + 8);
  std::vector<Live> live;
  live.reserve(static_cast<std::size_t>(o.target_live_orders) * 2);
  uint64_t next_id = 1'000'000;
  uint32_t seq = 0;
  int64_t bid_tick = o.mid_price / o.tick;  // best bid in ticks; ask = bid + 1
  const double mean_gap = double(o.duration_ns) / double(o.events);
  double t = double(o.start_ns);
  const auto emit = [&](char action, char side, int64_t price, uint32_t size, uint64_t id) {
    book::MboEvent e;
    e.ts_event = static_cast<uint64_t>(t);
    e.sequence = ++seq;
    e.action = action;
    e.side = side;
    e.price = price;
    e.size = size;
    e.order_id = id;
    e.instrument_id = 42140878;
    e.flags = book::kFlagLast;
    out.push_back(e);
  };
  const auto remove_at = [&](std::size_t i) {
    live[i] = live.back();
    live.pop_back();
  };

  while (static_cast<int64_t>(out.size()) < o.events) {
    t += rng.Exponential(1.0) * mean_gap;
    const double r = u01();
    const bool crowded = static_cast<int32_t>(live.size()) > o.target_live_orders;
    if (r < 0.002) {  // the mid moves a tick: aggressors sweep the level it moves through
      const bool up = u01() < 0.5;
      bid_tick += up ? 1 : -1;
      for (std::size_t j = live.size(); j-- > 0;) {
        const Live m = live[j];
        const bool crossed = up ? (m.side == 'A' && m.price <= bid_tick * o.tick)
                                : (m.side == 'B' && m.price >= (bid_tick + 1) * o.tick);
        if (!crossed) continue;
        emit('T', m.side == 'B' ? 'A' : 'B', m.price, m.size, 0);
        emit('F', m.side, m.price, m.size, m.id);
        emit('C', m.side, m.price, m.size, m.id);
        remove_at(j);
      }
      continue;
    }
    if (live.empty() || r < (crowded ? 0.30 : 0.48)) {
      const char side = u01() < 0.5 ? 'B' : 'A';
      const int64_t tick = side == 'B' ? bid_tick - depth() : bid_tick + 1 + depth();
      const uint32_t size = 1 + static_cast<uint32_t>(depth() * 2);
      live.push_back(Live{next_id, tick * o.tick, size, side});
      emit('A', side, tick * o.tick, size, next_id++);
      continue;
    }
    const std::size_t i = static_cast<std::size_t>(u01() * double(live.size()));
    Live& l = live[i];
    if (r < 0.86) {  // cancel, mostly whole
      const uint32_t size = u01() < 0.9 || l.size == 1 ? l.size : l.size / 2;
      emit('C', l.side, l.price, size, l.id);
      l.size -= size;
      if (l.size == 0) remove_at(i);
    } else if (r < 0.94) {  // modify: size change in place or a move of a tick or two
      if (u01() < 0.5) {
        l.size = 1 + static_cast<uint32_t>(depth() * 2);
      } else {
        l.price += (l.side == 'B' ? -1 : 1) * (1 + depth() % 2) * o.tick;
      }
      emit('M', l.side, l.price, l.size, l.id);
    } else {  // an aggressor trades with the best resting order: T, F, C (CME order)
      // Pick a resting order on the touch-facing side closest to the mid among a few samples.
      std::size_t best = i;
      for (int k = 0; k < 4; ++k) {
        const std::size_t j = static_cast<std::size_t>(u01() * double(live.size()));
        const Live& c = live[j];
        const int64_t d = c.side == 'B' ? bid_tick * o.tick - c.price : c.price - (bid_tick + 1) * o.tick;
        const int64_t db =
            live[best].side == 'B' ? bid_tick * o.tick - live[best].price : live[best].price - (bid_tick + 1) * o.tick;
        if (d < db) best = j;
      }
      Live& m = live[best];
      const uint32_t qty = std::min<uint32_t>(m.size, 1 + static_cast<uint32_t>(depth()));
      emit('T', m.side == 'B' ? 'A' : 'B', m.price, qty, 0);
      emit('F', m.side, m.price, qty, m.id);
      emit('C', m.side, m.price, qty, m.id);
      m.size -= qty;
      if (m.size == 0) remove_at(best);
    }
  }
  out.resize(static_cast<std::size_t>(o.events));
  return out;
}

}  // namespace spymaster::support
