#include "engine/engine.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "engine/rounding.hpp"

namespace spymaster::engine {
namespace {

book::BookConfig MakeBookConfig(const ProductConfig& p, const EngineOptions& o) {
  book::BookConfig c;
  c.tick = p.tick;
  c.dense_levels = p.dense_levels;
  c.rest_ns = p.rest_ns;
  c.expected_orders = o.expected_orders;
  return c;
}

}  // namespace

Engine::Engine(const ProductConfig& product, const EngineOptions& options, Sink sink)
    : product_(product),
      options_(options),
      sink_(std::move(sink)),
      book_(MakeBookConfig(product, options)),
      gold_(product.half_width),
      clock_(options.session_start_ns, options.session_end_ns),
      cell_(product.cell),
      cells_(2 * product.half_width + 1) {
  const std::size_t n = 2 * static_cast<std::size_t>(cells_);
  for (auto* v : {&add_, &pull_, &pull_rest_, &fill_, &depth_end_, &young_}) v->assign(n, 0.0);
  touched_.assign(n, 0);
}

int32_t Engine::CellOf(int64_t price) const {
  int64_t offset;
  if (__builtin_sub_overflow(price, spot_ref_, &offset)) return -1;  // garbage prices near the int64 limits
  const int64_t rel = cell_.RoundHalfEven(offset);
  if (rel < -product_.half_width || rel > product_.half_width) return -1;
  return static_cast<int32_t>(rel + product_.half_width);
}

int64_t Engine::ResolveSpotRef() const {
  const int64_t last = book_.last_trade_price();
  const int64_t bid = book_.BestBid();
  const int64_t ask = book_.BestAsk();
  int64_t raw;
  if (last > 0 && (book_.Depth('B', last) > 0 || book_.Depth('A', last) > 0)) {
    raw = last;
  } else if (bid > 0 && ask > 0) {
    raw = last <= 0 || std::llabs(last - bid) <= std::llabs(ask - last) ? bid : ask;
  } else if (bid > 0) {
    raw = bid;
  } else if (ask > 0) {
    raw = ask;
  } else {
    raw = std::max<int64_t>(last, 0);
  }
  if (product_.snap_spot_to_cell && raw > 0) raw = RoundDivHalfEven(raw, product_.cell) * product_.cell;
  return raw;
}

void Engine::OpenWindow(int64_t k) {
  window_start_ = options_.session_start_ns + k * kWindowNs;
  spot_ref_ = ResolveSpotRef();
  best_bid_start_ = book_.BestBid();
  best_ask_start_ = book_.BestAsk();
  window_has_snapshot_ = false;
  window_late_ = 0;
  for (auto* v : {&add_, &pull_, &pull_rest_, &fill_}) std::fill(v->begin(), v->end(), 0.0);
  std::fill(touched_.begin(), touched_.end(), 0);
}

void Engine::CloseThrough(int64_t ts) {
  clock_.AdvanceTo(
      ts, [this](int64_t) { CloseWindow(); }, [this](int64_t k) { OpenWindow(k); });
}

void Engine::OnEvent(const book::MboEvent& e) {
  ++counters_.records;
  if (options_.instrument_id != 0 && e.instrument_id != options_.instrument_id) {
    ++counters_.other_instrument;
    return;
  }
  if (e.ts_event < last_ts_ || (e.ts_event == last_ts_ && e.sequence < last_sequence_)) {
    ++counters_.out_of_order;
  } else {
    last_ts_ = e.ts_event;
    last_sequence_ = e.sequence;
  }
  const int64_t ts = static_cast<int64_t>(e.ts_event);
  if (ts >= options_.session_end_ns) {
    ++counters_.after_session;
    CloseThrough(ts);
    return;
  }
  CloseThrough(ts);
  const book::BookDelta delta = book_.Apply(e);
  if (clock_.is_open()) {
    if (ts < window_start_) {
      ++counters_.late;
      ++window_late_;
    }
    Accumulate(delta);
  }
}

void Engine::Accumulate(const book::BookDelta& d) {
  if (d.snapshot_record) window_has_snapshot_ = true;
  if (spot_ref_ <= 0 || (!d.has_add && !d.has_pull && !d.has_fill)) return;
  const std::size_t base = d.side == 'B' ? 0 : static_cast<std::size_t>(cells_);
  if (d.has_add) {
    const int32_t c = CellOf(d.add_price);
    if (c >= 0) {
      add_[base + c] += static_cast<double>(d.add_qty);
      touched_[base + c] = 1;
    }
  }
  if (d.has_pull) {
    const int32_t c = CellOf(d.pull_price);
    if (c >= 0) {
      pull_[base + c] += static_cast<double>(d.pull_qty);
      if (d.pull_rested) pull_rest_[base + c] += static_cast<double>(d.pull_qty);
      touched_[base + c] = 1;
    }
  }
  if (d.has_fill) {
    const int32_t c = CellOf(d.fill_price);
    if (c >= 0) {
      fill_[base + c] += static_cast<double>(d.fill_qty);
      touched_[base + c] = 1;
    }
  }
}

void Engine::CloseWindow() {
  ++counters_.windows;
  const int64_t end = window_start_ + kWindowNs;
  // A result a sink still holds is immutable from here on; only an unshared one is reused.
  if (!result_ || result_.use_count() > 1) {
    result_ = std::make_shared<WindowResult>();
    result_->depth_flow.reserve(add_.size());
  }
  WindowResult& out = *result_;
  out.late_records = window_late_;
  SnapshotRow& s = out.snapshot;
  const int64_t bid = book_.BestBid();
  const int64_t ask = book_.BestAsk();
  s.window_start_ts_ns = window_start_;
  s.window_end_ts_ns = end;
  s.best_bid_price_int = bid;
  s.best_bid_qty = book_.bids().BestQty();
  s.best_ask_price_int = ask;
  s.best_ask_qty = book_.asks().BestQty();
  const bool two_sided = bid > 0 && ask > 0;
  s.mid_price = two_sided ? static_cast<double>(bid + ask) * 0.5 * 1e-9 : 0.0;
  s.mid_price_int = two_sided ? RoundDivHalfEven(bid + ask, 2) : 0;
  s.last_trade_price_int = book_.last_trade_price();
  s.spot_ref_price_int = spot_ref_;
  s.book_valid = book_.valid();
  s.window_valid = book_.valid() && !window_has_snapshot_;
  if (!s.window_valid) ++counters_.windows_invalid;
  if (two_sided && bid >= ask) ++counters_.crossed_windows;

  out.depth_flow.clear();
  if (spot_ref_ > 0) {
    std::fill(depth_end_.begin(), depth_end_.end(), 0.0);
    std::fill(young_.begin(), young_.end(), 0.0);
    const int64_t reach = product_.half_width * product_.cell + product_.cell / 2;
    for (int side = 0; side < 2; ++side) {
      const std::size_t base = side * static_cast<std::size_t>(cells_);
      book_.levels(side == 0 ? 'B' : 'A')
          .ForEachInRange(spot_ref_ - reach, spot_ref_ + reach, [&](int64_t p, int64_t q) {
            const int32_t c = CellOf(p);
            if (c >= 0) depth_end_[base + c] += static_cast<double>(q);
          });
    }
    book_.ForEachYoungOrder(static_cast<uint64_t>(end - product_.rest_ns), [&](char side, int64_t p, int64_t q) {
      const int32_t c = CellOf(p);
      if (c >= 0) young_[(side == 'B' ? 0 : cells_) + c] += static_cast<double>(q);
    });
    for (int side = 0; side < 2; ++side) {
      const std::size_t base = side * static_cast<std::size_t>(cells_);
      const int64_t start_best = side == 0 ? best_bid_start_ : best_ask_start_;
      const int64_t end_best = side == 0 ? bid : ask;
      const int64_t anchor = start_best > 0 ? start_best : end_best > 0 ? end_best : spot_ref_;
      const int32_t offset = static_cast<int32_t>(RoundDivHalfEven(anchor - spot_ref_, product_.cell));
      for (int32_t c = 0; c < cells_; ++c) {
        const std::size_t i = base + c;
        if (depth_end_[i] <= 0.0 && !touched_[i]) continue;
        DepthFlowRow& r = out.depth_flow.emplace_back();
        const int32_t rel = c - product_.half_width;
        r.window_start_ts_ns = window_start_;
        r.window_end_ts_ns = end;
        r.price_int = spot_ref_ + rel * product_.cell;
        r.side = side == 0 ? 'B' : 'A';
        r.spot_ref_price_int = spot_ref_;
        r.rel_ticks = rel;
        r.rel_ticks_side = rel - offset;
        r.depth_qty_end = depth_end_[i];
        r.add_qty = add_[i];
        r.pull_qty_total = pull_[i];
        r.fill_qty = fill_[i];
        r.depth_qty_start = std::max(0.0, r.depth_qty_end - r.add_qty + r.pull_qty_total + r.fill_qty);
        r.depth_qty_rest = std::max(0.0, depth_end_[i] - young_[i]);
        r.pull_qty_rest = pull_rest_[i];
        r.window_valid = s.window_valid;
      }
    }
  } else {
    ++counters_.windows_without_spot;
  }
  counters_.depth_flow_rows += static_cast<int64_t>(out.depth_flow.size());

  if (options_.compute_gold) {
    gold_.OnWindow(s, out.depth_flow, out.gold);
    counters_.gold_rows += static_cast<int64_t>(out.gold.size());
  } else {
    out.gold.clear();
  }
  if (sink_) sink_(result_);
}

std::vector<std::pair<std::string, int64_t>> Engine::CounterList() const {
  const book::BookCounters& b = book_.counters();
  const EngineCounters& e = counters_;
  return {{"records", e.records},
          {"records_out_of_order", e.out_of_order},
          {"late_records", e.late},
          {"records_other_instrument", e.other_instrument},
          {"records_after_session", e.after_session},
          {"unknown_order_id", b.unknown_order_id},
          {"bad_side", b.bad_side},
          {"bad_action", b.bad_action},
          {"bad_price", b.bad_price},
          {"off_grid_price", b.off_grid_price},
          {"negative_depth_avoided", b.negative_depth_avoided},
          {"duplicate_add", b.duplicate_add},
          {"clears", b.clears},
          {"snapshot_records", b.snapshot_records},
          {"orders_live_at_end", static_cast<int64_t>(book_.OrderCount())},
          {"levels_overflow_adds", book_.bids().overflow_adds() + book_.asks().overflow_adds()},
          {"levels_recentres", book_.bids().recentres() + book_.asks().recentres()},
          {"windows", e.windows},
          {"windows_invalid", e.windows_invalid},
          {"windows_without_spot", e.windows_without_spot},
          {"crossed_windows", e.crossed_windows},
          {"depth_flow_rows", e.depth_flow_rows},
          {"gold_rows", e.gold_rows}};
}

}  // namespace spymaster::engine
