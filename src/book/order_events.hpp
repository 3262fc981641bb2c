// The per-order MBO event rules of silver.md Part 1, written once for every L3 book: book::Book (one
// futures or equity instrument) and book::OptionBooks (all option instruments of one underlying, orders
// keyed by (instrument, order id)). Each book passes a small host that binds the rules to its storage;
// everything is inlined into the book's Apply, so the template costs nothing over a hand-written loop.
//
// The rules: the book changes only on A, C, M, R; F records mark quantity as filled (`pending_fill`) so
// the C/M that follows removes it as fill, not as pull; a modify to a new price is a pull of the old
// remainder plus an add at the message's price; a size increase at the same price loses time priority;
// an add of a live id replaces the old order without flow; unknown ids on C/M/F and A/M with a side
// other than B/A or the null price are ignored and counted; prices off the instrument's tick grid are
// counted and kept. R empties the book and starts a snapshot: the book is invalid until the snapshot
// record carrying F_LAST or the first record without F_SNAPSHOT.
//
// A host provides (all called on the hot path; none may throw or allocate beyond amortized growth):
//   uint32_t Find(const MboEvent&)             slot of the record's order, OrderMap::kNone when not live
//   Order& At(uint32_t slot)                   price, ts_at_price, epoch, remaining, pending_fill, side
//   uint32_t NewOrder(const MboEvent&)         a slot holding the record's order identity, in the map
//   void Free(uint32_t slot)                   out of the map and the pool
//   void LevelAdd(char side, int64_t price, int64_t qty)
//   int64_t LevelRemove(char side, int64_t price, int64_t qty)   the quantity that was not there
//   void Arrive(Order&, uint32_t slot, uint64_t ts)               the order is at its price since ts
//   bool OnGrid(int64_t price)
//   void OnTrade(int64_t price)
//   bool InSnapshot(); void StartSnapshot() (clear, invalid); void EndSnapshot() (valid)
//   int64_t rest_ns()
#pragma once

#include <algorithm>
#include <cstdint>

#include "book/book_delta.hpp"
#include "book/mbo_event.hpp"
#include "book/order_map.hpp"

namespace spymaster::book {
namespace order_events {

// Takes `removed` (<= remaining) off the order and its level; splits it into fill and pull parts.
template <class Host, class Order>
inline void Remove(Host& host, Order& o, uint32_t removed, uint64_t ts, BookCounters& c, BookDelta& delta) {
  const uint32_t fill_part = std::min(removed, o.pending_fill);
  const uint32_t pull_part = removed - fill_part;
  o.pending_fill -= fill_part;
  o.remaining -= removed;
  if (removed > 0) c.negative_depth_avoided += host.LevelRemove(o.side, o.price, removed) > 0;
  if (pull_part > 0) {
    delta.has_pull = true;
    delta.pull_price = o.price;
    delta.pull_qty = pull_part;
    delta.pull_rested = static_cast<int64_t>(ts - o.ts_at_price) >= host.rest_ns();
  }
}

inline bool BadSide(char side) { return side != 'B' && side != 'A'; }

// The slot of the live order a C/M/F record names, or OrderMap::kNone (counted) when its id is unknown.
template <class Host>
inline uint32_t LiveOrder(Host& host, const MboEvent& e, BookCounters& c) {
  const uint32_t slot = host.Find(e);
  if (slot == OrderMap::kNone) ++c.unknown_order_id;
  return slot;
}

}  // namespace order_events

template <class Host>
inline BookDelta ApplyOrderEvent(Host& host, const MboEvent& e, BookCounters& c) {
  using order_events::BadSide;
  using order_events::LiveOrder;
  using order_events::Remove;
  ++c.events;
  BookDelta delta;
  const bool snapshot = (e.flags & kFlagSnapshot) != 0;
  if (snapshot) {
    ++c.snapshot_records;
    delta.snapshot_record = true;
  }
  if (e.action == 'R') {
    ++c.clears;
    host.StartSnapshot();
    delta.snapshot_record = true;
    return delta;
  }
  if (host.InSnapshot() && (!snapshot || (e.flags & kFlagLast) != 0)) host.EndSnapshot();

  switch (e.action) {
    case 'A': {
      if (BadSide(e.side)) {
        ++c.bad_side;
        break;
      }
      if (e.price == kUndefPrice) {
        ++c.bad_price;
        break;
      }
      if (!host.OnGrid(e.price)) ++c.off_grid_price;
      const uint32_t old = host.Find(e);
      if (old != OrderMap::kNone) {
        // A live id re-added: the old order leaves without flow (README deviation 3).
        ++c.duplicate_add;
        auto& o = host.At(old);
        if (o.remaining > 0) c.negative_depth_avoided += host.LevelRemove(o.side, o.price, o.remaining) > 0;
        host.Free(old);
      }
      const uint32_t slot = host.NewOrder(e);
      auto& o = host.At(slot);
      o.price = e.price;
      o.remaining = e.size;
      o.pending_fill = 0;
      o.side = e.side;
      if (e.size > 0) host.LevelAdd(e.side, e.price, e.size);
      host.Arrive(o, slot, e.ts_event);
      delta.side = e.side;
      delta.has_add = true;
      delta.add_price = e.price;
      delta.add_qty = e.size;
      break;
    }
    case 'C': {
      const uint32_t slot = LiveOrder(host, e, c);
      if (slot == OrderMap::kNone) break;
      auto& o = host.At(slot);
      delta.side = o.side;
      Remove(host, o, e.size == 0 ? o.remaining : std::min(e.size, o.remaining), e.ts_event, c, delta);
      if (o.remaining == 0) host.Free(slot);
      break;
    }
    case 'M': {
      if (BadSide(e.side)) {
        ++c.bad_side;
        break;
      }
      const uint32_t slot = LiveOrder(host, e, c);
      if (slot == OrderMap::kNone) break;
      if (e.price == kUndefPrice) {
        ++c.bad_price;
        break;
      }
      auto& o = host.At(slot);
      delta.side = o.side;
      if (e.price != o.price) {  // the message's own price (README deviation 3)
        if (!host.OnGrid(e.price)) ++c.off_grid_price;
        Remove(host, o, o.remaining, e.ts_event, c, delta);
        o.price = e.price;
        o.remaining = e.size;
        o.pending_fill = 0;
        if (e.size > 0) host.LevelAdd(o.side, e.price, e.size);
        host.Arrive(o, slot, e.ts_event);
        delta.has_add = true;
        delta.add_price = e.price;
        delta.add_qty = e.size;
      } else if (e.size < o.remaining) {
        Remove(host, o, o.remaining - e.size, e.ts_event, c, delta);
      } else if (e.size > o.remaining) {
        const uint32_t diff = e.size - o.remaining;
        o.remaining = e.size;
        host.LevelAdd(o.side, o.price, diff);
        host.Arrive(o, slot, e.ts_event);  // a size increase loses queue priority, as on CME
        delta.has_add = true;
        delta.add_price = o.price;
        delta.add_qty = diff;
      }
      if (o.remaining == 0) host.Free(slot);
      break;
    }
    case 'F': {
      const uint32_t slot = LiveOrder(host, e, c);
      if (slot == OrderMap::kNone) break;
      auto& o = host.At(slot);
      delta.side = o.side;
      delta.has_fill = true;
      delta.fill_price = o.price;
      delta.fill_qty = e.size;
      o.pending_fill = static_cast<uint32_t>(std::min<uint64_t>(o.remaining, uint64_t{o.pending_fill} + e.size));
      break;
    }
    case 'T':
      host.OnTrade(e.price);
      break;
    case 'N':
      break;
    default:
      ++c.bad_action;
      break;
  }
  return delta;
}

}  // namespace spymaster::book
