// What an L3 book reports: its bad-input counters and, per record, what the record did to the book (for
// flow attribution). Shared by book::Book and book::OptionBooks through book/order_events.hpp.
#pragma once

#include <cstdint>

namespace spymaster::book {

struct BookCounters {
  int64_t events = 0;
  int64_t unknown_order_id = 0;        // C/M/F for an id not in the book
  int64_t bad_side = 0;                // A/M with side not B/A
  int64_t bad_action = 0;              // action not in A C M R T F N
  int64_t bad_price = 0;               // A/M with the null price
  int64_t off_grid_price = 0;          // A/M price not a multiple of the tick
  int64_t negative_depth_avoided = 0;  // a removal larger than the level (clamped at 0)
  int64_t duplicate_add = 0;           // A for a live id (old order replaced)
  int64_t clears = 0;                  // R records
  int64_t snapshot_records = 0;        // records with F_SNAPSHOT
};

// What one record did to the book, for flow attribution. All parts are on `side`.
struct BookDelta {
  char side = 'N';
  bool has_add = false;
  bool has_pull = false;
  bool has_fill = false;
  bool pull_rested = false;      // the pulled order had been at its price >= rest_ns
  bool snapshot_record = false;  // R or a record with F_SNAPSHOT
  int64_t add_price = 0;
  int64_t add_qty = 0;
  int64_t pull_price = 0;
  int64_t pull_qty = 0;
  int64_t fill_price = 0;
  int64_t fill_qty = 0;
};

}  // namespace spymaster::book
