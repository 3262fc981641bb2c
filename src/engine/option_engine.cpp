#include "engine/option_engine.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace spymaster::engine {

template <class Books>
BasicOptionEngine<Books>::BasicOptionEngine(const ProductConfig& underlying, const OptionGrid& grid,
                                            const EngineOptions& options, std::vector<OptionInstrument> instruments,
                                            Sink sink, Engine::Sink underlying_sink, bool underlying_gold)
    : grid_(grid),
      options_(options),
      sink_(std::move(sink)),
      underlying_(
          underlying,
          [&] {
            EngineOptions o = options;
            o.compute_gold = underlying_gold;
            return o;
          }(),
          std::move(underlying_sink)),
      books_([&] {
        if constexpr (Books::kTracksResting) {
          return Books(underlying.rest_ns);  // sized by its own small default (option_books.hpp)
        } else {
          return Books();
        }
      }()),
      gold_(static_cast<std::size_t>(2 * grid.max_offset + 1) * 4),
      clock_(options.session_start_ns, options.session_end_ns),
      rest_ns_(underlying.rest_ns),
      next_boundary_(options.session_start_ns),
      cells_(2 * grid.max_offset + 1),
      strike_step_(grid.strike_step) {
  std::sort(instruments.begin(), instruments.end(),
            [](const OptionInstrument& a, const OptionInstrument& b) { return a.instrument_id < b.instrument_id; });
  for (std::size_t i = 0; i < instruments.size(); ++i) {
    const OptionInstrument& m = instruments[i];
    if (m.right != 'C' && m.right != 'P') {
      throw std::invalid_argument("option instrument " + std::to_string(m.instrument_id) + " has right '" +
                                  std::string(1, m.right) + "' (C or P expected)");
    }
    if (i > 0 && instruments[i - 1].instrument_id == m.instrument_id) {
      throw std::invalid_argument("option instrument " + std::to_string(m.instrument_id) + " defined twice");
    }
    if constexpr (Books::kTracksResting) {
      books_.AddInstrument(m.instrument_id, m.tick);
    } else {
      books_.AddInstrument(m.instrument_id);  // CMBP-1 tops are not checked against the tick
    }
    // Counted, not refused: the spec maps every strike by rounding (6002.50 → the 6000 cell at spot 6000).
    if (m.strike % grid.strike_step != 0) ++counters_.strikes_off_grid;
  }
  meta_ = std::move(instruments);
  row_of_.assign(meta_.size(), -1);  // spot_ref_ 0
  const std::size_t rows = static_cast<std::size_t>(cells_) * 4;
  flow_.assign(rows, Flow{});
  depth_end_.assign(rows, 0.0);
  young_.assign(rows, 0.0);
}

template <class Books>
void BasicOptionEngine<Books>::CloseThrough(int64_t ts) {
  // Lock-step, one window boundary at a time: the underlying's window k opens (spot_ref resolved) before
  // option window k opens, and closes before it closes.
  const auto close = [this](int64_t) { CloseWindow(); };
  const auto open = [this](int64_t k) { OpenWindow(k); };
  while (!clock_.finished()) {
    const int64_t boundary = clock_.open_index() < 0 ? clock_.session_start_ns() : clock_.open_end_ns();
    if (boundary > ts) break;
    underlying_.CloseThrough(boundary);
    clock_.AdvanceTo(boundary, close, open);
  }
  underlying_.CloseThrough(ts);
  next_boundary_ = clock_.finished()         ? std::numeric_limits<int64_t>::max()
                   : clock_.open_index() < 0 ? clock_.session_start_ns()
                                             : clock_.open_end_ns();
}

template <class Books>
void BasicOptionEngine<Books>::OpenWindow(int64_t k) {
  window_start_ = options_.session_start_ns + k * kWindowNs;
  window_has_snapshot_ = false;
  window_late_ = 0;
  std::fill(flow_.begin(), flow_.end(), Flow{});
  if (const int64_t spot = underlying_.open_spot_ref(); spot != spot_ref_) {
    spot_ref_ = spot;
    MapStrikes();
  }
}

template <class Books>
void BasicOptionEngine<Books>::MapStrikes() {
  for (std::size_t i = 0; i < meta_.size(); ++i) {
    int32_t row = -1;
    if (spot_ref_ > 0) {
      const int64_t offset = std::clamp<int64_t>(strike_step_.RoundHalfEven(meta_[i].strike - spot_ref_),
                                                 -grid_.max_offset, grid_.max_offset);
      row = static_cast<int32_t>(
          Row(static_cast<int32_t>(offset + grid_.max_offset), meta_[i].right == 'C' ? 0 : 1, 'A'));
    }
    row_of_[i] = row;
  }
}

template <class Books>
void BasicOptionEngine<Books>::OnEvent(const book::MboEvent& e) {
  ++counters_.records;
  const auto ts = static_cast<int64_t>(e.ts_event);
  if (ts >= options_.session_end_ns) {
    ++counters_.after_session;
    CloseThrough(ts);
    return;
  }
  if (ts >= next_boundary_) CloseThrough(ts);
  if (e.origin == 0) {
    underlying_.OnEvent(e);
    return;
  }
  ++counters_.option_records;
  uint32_t index = Books::kNoInstrument;
  const book::BookDelta d = books_.Apply(e, &index);
  if (!clock_.is_open() || index == Books::kNoInstrument) return;
  if (ts < window_start_) {
    ++counters_.late;
    ++window_late_;
  }
  if (d.snapshot_record) window_has_snapshot_ = true;
  const int32_t row = row_of_[index];
  if (row < 0 || (!d.has_add && !d.has_pull && !d.has_fill)) return;
  Flow& f = flow_[static_cast<std::size_t>(row) + SideOffset(d.side)];
  if (d.has_add) f.add += static_cast<double>(d.add_qty);
  if (d.has_pull) {
    f.pull += static_cast<double>(d.pull_qty);
    if (d.pull_rested) f.pull_rest += static_cast<double>(d.pull_qty);
  }
  if (d.has_fill) f.fill += static_cast<double>(d.fill_qty);
}

template <class Books>
void BasicOptionEngine<Books>::CloseWindow() {
  ++counters_.windows;
  const int64_t end = window_start_ + kWindowNs;
  if (!result_ || result_.use_count() > 1) result_ = std::make_shared<OptionWindowResult>();
  OptionWindowResult& out = *result_;
  out.window_start_ts_ns = window_start_;
  out.spot_ref_price_int = spot_ref_;
  out.late_records = window_late_;
  // Rows are written field by field into storage a reused result already has (no zeroing first).
  out.snapshots.resize(meta_.size());  // at most one per instrument; trimmed to the rows written
  std::size_t snapshots = 0;
  const bool grid = spot_ref_ > 0;
  if (grid) {
    std::fill(depth_end_.begin(), depth_end_.end(), 0.0);
    std::fill(young_.begin(), young_.end(), 0.0);
  }
  // One pass over the instruments: their depth onto the grid, then their snapshot row.
  for (uint32_t i = 0; i < meta_.size(); ++i) {
    if (grid) {
      const auto row = static_cast<std::size_t>(row_of_[i]);
      depth_end_[row + SideOffset('A')] += static_cast<double>(books_.TotalDepth(i, 'A'));
      depth_end_[row + SideOffset('B')] += static_cast<double>(books_.TotalDepth(i, 'B'));
    }
    const int64_t bid = books_.BestBid(i);
    const int64_t ask = books_.BestAsk(i);
    if (bid <= 0 || ask <= 0 || ask <= bid) continue;
    OptionSnapshotRow& s = out.snapshots[snapshots++];
    s.window_start_ts_ns = window_start_;
    s.window_end_ts_ns = end;
    s.instrument_id = meta_[i].instrument_id;
    s.right = meta_[i].right;
    s.strike_price_int = meta_[i].strike;
    s.bid_price_int = bid;
    s.ask_price_int = ask;
    s.mid_price_int = (static_cast<double>(bid) + static_cast<double>(ask)) * 0.5;
    s.mid_price = s.mid_price_int * 1e-9;
    s.spot_ref_price_int = spot_ref_;
    s.book_valid = books_.valid(i);
  }
  out.snapshots.resize(snapshots);
  counters_.snapshot_rows += static_cast<int64_t>(snapshots);

  if (grid) {
    books_.ForEachYoungOrder(static_cast<uint64_t>(end - rest_ns_), [&](uint32_t i, char side, int64_t, int64_t q) {
      young_[static_cast<std::size_t>(row_of_[i]) + SideOffset(side)] += static_cast<double>(q);
    });
    const bool valid = books_.all_valid() && !window_has_snapshot_;
    if (!valid) ++counters_.windows_invalid;
    out.flow.resize(depth_end_.size());
    for (int32_t cell = 0; cell < cells_; ++cell) {
      const int32_t offset = cell - grid_.max_offset;
      const int64_t strike = spot_ref_ + offset * grid_.strike_step;
      for (std::size_t right = 0; right < 2; ++right) {
        for (char side : {'A', 'B'}) {
          const std::size_t i = Row(cell, right, side);
          OptionFlowRow& r = out.flow[i];
          r.window_start_ts_ns = window_start_;
          r.window_end_ts_ns = end;
          r.strike_price_int = strike;
          r.strike_points = static_cast<double>(strike) * 1e-9;
          r.right = right == 0 ? 'C' : 'P';
          r.side = side;
          r.spot_ref_price_int = spot_ref_;
          r.rel_ticks = offset * grid_.rel_ticks_per_step;
          r.depth_qty_end = depth_end_[i];
          r.add_qty = flow_[i].add;
          r.pull_qty_total = flow_[i].pull;
          r.pull_qty_rest = flow_[i].pull_rest;
          r.fill_qty = flow_[i].fill;
          r.depth_qty_start = std::max(0.0, r.depth_qty_end - r.add_qty + r.pull_qty_total + r.fill_qty);
          r.depth_qty_rest = Books::kTracksResting ? std::max(0.0, depth_end_[i] - young_[i]) : 0.0;
          r.window_valid = valid;
        }
      }
    }
    counters_.flow_rows += static_cast<int64_t>(out.flow.size());
    if (options_.compute_gold) {
      gold_.OnWindow(out.flow, out.gold);
      counters_.gold_rows += static_cast<int64_t>(out.gold.size());
    } else {
      out.gold.clear();
    }
  } else {
    out.flow.clear();
    out.gold.clear();
    ++counters_.windows_without_spot;
    ++counters_.windows_invalid;
  }
  if (sink_) sink_(result_);
}

template <class Books>
std::vector<std::pair<std::string, int64_t>> BasicOptionEngine<Books>::CounterList() const {
  const OptionEngineCounters& e = counters_;
  std::vector<std::pair<std::string, int64_t>> out = {{"records", e.records},
                                                      {"option_records", e.option_records},
                                                      {"late_records", e.late},
                                                      {"records_after_session", e.after_session},
                                                      {"option_instruments", static_cast<int64_t>(meta_.size())},
                                                      {"strikes_off_grid", e.strikes_off_grid},
                                                      {"windows", e.windows},
                                                      {"windows_invalid", e.windows_invalid},
                                                      {"windows_without_spot", e.windows_without_spot},
                                                      {"snapshot_rows", e.snapshot_rows},
                                                      {"depth_flow_rows", e.flow_rows},
                                                      {"gold_rows", e.gold_rows}};
  for (auto& counter : books_.CounterList()) out.push_back(std::move(counter));
  for (const auto& [name, value] : underlying_.CounterList()) out.emplace_back("underlying_" + name, value);
  return out;
}

template class BasicOptionEngine<book::OptionBooks>;
template class BasicOptionEngine<book::QuoteTops>;

}  // namespace spymaster::engine
