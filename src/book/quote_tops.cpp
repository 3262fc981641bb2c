#include "book/quote_tops.hpp"

#include <stdexcept>

namespace spymaster::book {

uint32_t QuoteTops::AddInstrument(uint32_t instrument_id) {
  if (!tops_.empty() && instrument_id <= tops_.back().instrument_id) {
    throw std::invalid_argument("option instruments must be registered in increasing instrument_id");
  }
  const auto index = static_cast<uint32_t>(tops_.size());
  tops_.push_back(Top{instrument_id});
  instruments_.Insert(instrument_id, index);
  return index;
}

BookDelta QuoteTops::Apply(const MboEvent& e, uint32_t* index_out) {
  ++counters_.updates;
  BookDelta delta;
  if (e.instrument_id != last_id_ || last_index_ == kNoInstrument) {
    last_id_ = e.instrument_id;
    last_index_ = IndexOf(e.instrument_id);
  }
  const uint32_t index = last_index_;
  *index_out = index;
  if (index == kNoInstrument) {
    ++counters_.unknown_instrument;
    return delta;
  }
  if (e.action != kQuoteAction) {
    ++counters_.bad_action;
    return delta;
  }
  if (e.side != 'B' && e.side != 'A') {
    ++counters_.bad_side;
    return delta;
  }
  Top& t = tops_[index];
  const int s = e.side == 'B' ? 0 : 1;
  const bool now_empty = e.price <= 0 || e.price == kUndefPrice || e.size == 0;
  const int64_t new_price = now_empty ? 0 : e.price;
  const int64_t new_size = now_empty ? 0 : int64_t{e.size};
  const int64_t old_price = t.price[s];
  const int64_t old_size = t.size[s];
  const bool was_empty = old_size == 0;
  delta.side = e.side;
  if (!was_empty && (now_empty || new_price != old_price)) {
    delta.has_pull = true;
    delta.pull_price = old_price;
    delta.pull_qty = old_size;
  }
  if (!now_empty && (was_empty || new_price != old_price)) {
    delta.has_add = true;
    delta.add_price = new_price;
    delta.add_qty = new_size;
  } else if (!now_empty && new_size != old_size) {
    if (new_size > old_size) {
      delta.has_add = true;
      delta.add_price = new_price;
      delta.add_qty = new_size - old_size;
    } else {
      delta.has_pull = true;
      delta.pull_price = new_price;
      delta.pull_qty = old_size - new_size;
    }
  }
  t.price[s] = new_price;
  t.size[s] = new_size;
  if (t.size[0] > 0 && t.size[1] > 0 && t.price[0] >= t.price[1]) ++counters_.crossed_tops;
  return delta;
}

std::vector<std::pair<std::string, int64_t>> QuoteTops::CounterList() const {
  return {{"quote_updates", counters_.updates},
          {"unknown_instrument", counters_.unknown_instrument},
          {"bad_action", counters_.bad_action},
          {"bad_side", counters_.bad_side},
          {"crossed_tops", counters_.crossed_tops}};
}

}  // namespace spymaster::book
