// Conversion from a decoded DBN MBO record to the book's input type.
#pragma once

#include "book/mbo_event.hpp"
#include "dbn/record.hpp"

namespace spymaster::book {

inline MboEvent FromDbn(const dbn::MboMsg& msg) {
  return MboEvent{msg.hd.ts_event, msg.order_id, msg.price, msg.size, msg.hd.instrument_id,
                  msg.sequence,    msg.action,   msg.side,  msg.flags};
}

}  // namespace spymaster::book
