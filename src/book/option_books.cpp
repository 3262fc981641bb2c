#include "book/option_books.hpp"

#include <algorithm>
#include <stdexcept>

#include "book/order_events.hpp"

namespace spymaster::book {
namespace {

int SideIndex(char side) { return side == 'B' ? 0 : 1; }

// Position of `price` in a side's levels (bids ascending, asks descending), or of where it would go.
// Most records land at or near the touch, which is at the back: a scan of the last few levels ends within
// a step or two, where a binary search mispredicts about every other branch. Deeper prices (a book of
// many levels) take the binary search over the rest.
template <class Worse>
std::size_t FindFrom(const std::vector<OptionLevel>& levels, int64_t price, Worse worse) {
  constexpr std::size_t kScan = 8;
  std::size_t i = levels.size();
  const std::size_t stop = i > kScan ? i - kScan : 0;
  while (i > stop && !worse(levels[i - 1].price, price)) --i;
  if (i > 0 && i == stop) {
    const auto it = std::lower_bound(levels.begin(), levels.begin() + static_cast<std::ptrdiff_t>(stop), price,
                                     [&](const OptionLevel& l, int64_t p) { return worse(l.price, p); });
    i = static_cast<std::size_t>(it - levels.begin());
  }
  return i;
}

inline std::size_t Find(const std::vector<OptionLevel>& levels, int side, int64_t price) {
  return side == 0 ? FindFrom(levels, price, [](int64_t l, int64_t p) { return l < p; })
                   : FindFrom(levels, price, [](int64_t l, int64_t p) { return l > p; });
}

}  // namespace

OptionBooks::OptionBooks(int64_t rest_ns, std::size_t expected_orders)
    : rest_ns_(rest_ns), instruments_(1 << 6), map_(expected_orders), pool_(expected_orders) {}

uint32_t OptionBooks::AddInstrument(uint32_t instrument_id, int64_t tick) {
  if (!books_.empty() && instrument_id <= books_.back().instrument_id) {
    throw std::invalid_argument("option instruments must be registered in increasing instrument_id");
  }
  const auto index = static_cast<uint32_t>(books_.size());
  if (tick < 0) throw std::invalid_argument("option instrument " + std::to_string(instrument_id) + ": negative tick");
  Instrument& inst = books_.emplace_back(instrument_id, tick);
  inst.levels[0].reserve(8);
  inst.levels[1].reserve(8);
  instruments_.Insert(instrument_id, index);
  return index;
}

uint32_t OptionBooks::IndexOf(uint32_t instrument_id) const {
  const uint32_t i = instruments_.Find(instrument_id);
  return i == OrderMap::kNone ? kNoInstrument : i;
}

int64_t OptionBooks::Depth(uint32_t index, char side, int64_t price) const {
  const int s = SideIndex(side);
  const auto& l = books_[index].levels[s];
  const std::size_t i = Find(l, s, price);
  return i < l.size() && l[i].price == price ? l[i].qty : 0;
}

void OptionBooks::LevelAdd(Instrument& inst, char side, int64_t price, int64_t qty) {
  const int s = SideIndex(side);
  auto& l = inst.levels[s];
  const std::size_t i = Find(l, s, price);
  if (i < l.size() && l[i].price == price) {
    l[i].qty += qty;
  } else {
    l.insert(l.begin() + static_cast<std::ptrdiff_t>(i), OptionLevel{price, qty});
  }
  inst.depth[s] += qty;
}

int64_t OptionBooks::LevelRemove(Instrument& inst, char side, int64_t price, int64_t qty) {
  const int s = SideIndex(side);
  auto& l = inst.levels[s];
  const std::size_t i = Find(l, s, price);
  if (i >= l.size() || l[i].price != price) return qty;
  const int64_t taken = std::min(qty, l[i].qty);
  l[i].qty -= taken;
  inst.depth[s] -= taken;
  if (l[i].qty == 0) l.erase(l.begin() + static_cast<std::ptrdiff_t>(i));
  return qty - taken;
}

void OptionBooks::Free(uint32_t slot) {
  Slot& o = pool_[slot];
  map_.Erase(o.key);
  --books_[o.index].orders;
  pool_.Release(slot);
}

void OptionBooks::Clear(uint32_t index) {
  Instrument& inst = books_[index];
  // A scan of the pool, not a per-instrument order list: clears are rare (the day's opening snapshot clears
  // each instrument before it has orders, which skips the scan), and a list costs every add and removal
  // a write to a neighbouring order's line.
  for (uint32_t slot = 0; inst.orders > 0 && slot < pool_.slots(); ++slot) {
    const Slot& o = pool_[slot];
    if (o.epoch != 0 && o.index == index) Free(slot);
  }
  for (auto& l : inst.levels) l.clear();
  inst.depth[0] = inst.depth[1] = 0;
}

void OptionBooks::SetValid(Instrument& inst, bool valid) {
  if (inst.valid != valid) invalid_ += valid ? -1 : 1;
  inst.valid = valid;
}

class OptionBooks::EventHost {
 public:
  // `found`: the slot of the record's order when the caller already looked it up, else kUnsearched.
  static constexpr uint32_t kUnsearched = OrderMap::kNone - 1;
  EventHost(OptionBooks& b, uint32_t index, uint32_t found)
      : b_(b), inst_(b.books_[index]), index_(index), found_(found) {}

  uint32_t Find(const MboEvent& e) {
    if (found_ != kUnsearched) return found_;
    probe_ = b_.map_.Probe(OptionOrderKey{e.order_id, e.instrument_id});
    const uint32_t slot = b_.map_.SlotAt(probe_);
    probe_valid_ = slot == OrderMap::kNone;
    return slot;
  }
  Slot& At(uint32_t slot) { return b_.pool_[slot]; }
  uint32_t NewOrder(const MboEvent& e) {
    const uint32_t slot = b_.pool_.Allocate();
    Slot& o = b_.pool_[slot];
    o.key = OptionOrderKey{e.order_id, e.instrument_id};
    o.index = index_;
    ++inst_.orders;
    if (probe_valid_) {
      b_.map_.InsertAt(probe_, o.key, slot);  // the add's lookup found the empty entry: no second probe
    } else {
      b_.map_.Insert(o.key, slot);
    }
    return slot;
  }
  void Free(uint32_t slot) {
    probe_valid_ = false;
    b_.Free(slot);
  }
  void LevelAdd(char side, int64_t price, int64_t qty) { b_.LevelAdd(inst_, side, price, qty); }
  int64_t LevelRemove(char side, int64_t price, int64_t qty) { return b_.LevelRemove(inst_, side, price, qty); }
  void Arrive(Slot& o, uint32_t slot, uint64_t ts) { b_.arrivals_.Arrive(o, slot, ts, b_.rest_ns_); }
  bool OnGrid(int64_t price) const { return inst_.tick.Divides(price); }
  void OnTrade(int64_t) {}
  bool InSnapshot() const { return inst_.in_snapshot; }
  void StartSnapshot() {
    b_.Clear(index_);
    inst_.in_snapshot = true;
    b_.SetValid(inst_, false);
  }
  void EndSnapshot() {
    inst_.in_snapshot = false;
    b_.SetValid(inst_, true);
  }
  int64_t rest_ns() const { return b_.rest_ns_; }

 private:
  OptionBooks& b_;
  Instrument& inst_;
  uint32_t index_;
  uint32_t found_;
  std::size_t probe_ = 0;     // where Find's lookup ended
  bool probe_valid_ = false;  // it found nothing and the map has not changed since
};

void OptionBooks::Prefetch(const MboEvent& e, int stage) const {
  const OptionOrderKey key{e.order_id, e.instrument_id};
  // The instrument table is small enough to stay in cache: its lookup is cheap at either stage.
  const uint32_t index = instruments_.Find(e.instrument_id);
  if (stage == 0) {
    map_.Prefetch(key);
    if (index != OrderMap::kNone) {  // every record reaches its instrument, which spans two lines
      const Instrument* inst = &books_[index];
      __builtin_prefetch(inst);
      __builtin_prefetch(reinterpret_cast<const char*>(inst + 1) - 1);
    }
    return;
  }
  if (e.action == 'C' || e.action == 'M' || e.action == 'F') {
    const uint32_t slot = map_.Find(key);
    if (slot != OrderMap::kNone) __builtin_prefetch(&pool_[slot]);
  }
  // The instrument has arrived: the touch of the record's side, where its level usually is.
  if (index != OrderMap::kNone && (e.side == 'B' || e.side == 'A')) {
    const auto& levels = books_[index].levels[SideIndex(e.side)];
    if (!levels.empty()) __builtin_prefetch(&levels.back());
  }
}

BookDelta OptionBooks::Apply(const MboEvent& e, uint32_t* index_out) {
  // C/M/F name a live order, whose slot knows its instrument: one probe instead of two.
  uint32_t found = EventHost::kUnsearched;
  uint32_t index = kNoInstrument;
  if (e.action == 'C' || e.action == 'M' || e.action == 'F') {
    found = map_.Find(OptionOrderKey{e.order_id, e.instrument_id});
    if (found != OrderMap::kNone) index = pool_[found].index;
  }
  if (index == kNoInstrument) index = IndexOf(e.instrument_id);
  *index_out = index;
  if (index == kNoInstrument) {
    ++counters_.events;
    ++counters_.unknown_instrument;
    return BookDelta{};
  }
  EventHost host(*this, index, found);
  return ApplyOrderEvent(host, e, counters_);
}

std::vector<std::pair<std::string, int64_t>> OptionBooks::CounterList() const {
  const OptionBooksCounters& b = counters_;
  return {{"unknown_instrument", b.unknown_instrument},
          {"unknown_order_id", b.unknown_order_id},
          {"off_grid_price", b.off_grid_price},
          {"bad_side", b.bad_side},
          {"bad_action", b.bad_action},
          {"bad_price", b.bad_price},
          {"negative_depth_avoided", b.negative_depth_avoided},
          {"duplicate_add", b.duplicate_add},
          {"clears", b.clears},
          {"snapshot_records", b.snapshot_records},
          {"orders_live_at_end", static_cast<int64_t>(map_.size())}};
}

}  // namespace spymaster::book
