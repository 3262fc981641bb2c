// MBO events for the book and engine tests, built from the fields the books read; the others keep
// book::MboEvent's defaults.
#pragma once

#include <cstdint>

#include "book/mbo_event.hpp"

namespace spymaster::support {

inline book::MboEvent Ev(uint64_t ts, char action, char side, int64_t price, uint32_t size, uint64_t id,
                         uint8_t flags = 0, uint32_t sequence = 0) {
  book::MboEvent e;
  e.ts_event = ts;
  e.action = action;
  e.side = side;
  e.price = price;
  e.size = size;
  e.order_id = id;
  e.flags = flags;
  e.sequence = sequence;
  return e;
}

}  // namespace spymaster::support
