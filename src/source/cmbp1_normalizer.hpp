// How raw OPRA CMBP-1 records (consolidated top of book) become bronze rows and engine events, in one
// place for bronze and the raw record source: the rtype check, the ts_recv order check, the 0DTE selection
// by the definitions and the null-price rule (null → 0, silver.md §2.4); then a top as the quote tracker's
// two records. `run --source raw` therefore sees exactly the tops bronze writes.
//
//   source::Cmbp1Normalizer normalizer(definitions);
//   normalizer.StartFile();
//   const source::OptionMeta* meta = nullptr;
//   while (const dbn::Cmbp1Msg* row = normalizer.Next(decoder, meta)) { ... meta->underlying ... }
#pragma once

#include <cstdint>

#include "book/mbo_event.hpp"
#include "book/quote_tops.hpp"
#include "dbn/decoder.hpp"
#include "dbn/record.hpp"
#include "source/option_definitions.hpp"
#include "source/ts_recv_order.hpp"

namespace spymaster::source {

// What a normalizer read and dropped (manifest counters; the callers name them).
struct RawCmbp1Counts {
  int64_t cmbp1 = 0;         // CMBP-1 records read
  int64_t other = 0;         // records of other rtypes
  int64_t not_zero_dte = 0;  // instruments without a 0DTE definition
  int64_t null_prices = 0;   // null bid or ask prices set to 0 (one per side)
};

class Cmbp1Normalizer {
 public:
  // `definitions` must outlive the normalizer.
  explicit Cmbp1Normalizer(const OptionDefinitions& definitions) : definitions_(definitions) {}

  // A new file starts: the order check and the record index restart.
  void StartFile();
  // The decoder's next CMBP-1 record of a 0DTE instrument, its null prices set to 0, and its definition in
  // `meta`; nullptr when the decoder has nothing ready. The row stays valid until the next call. Throws
  // std::runtime_error naming the source, record index and byte offset for a record out of ts_recv order.
  const dbn::Cmbp1Msg* Next(dbn::Decoder& decoder, const OptionMeta*& meta);

  const RawCmbp1Counts& counts() const { return counts_; }

 private:
  const OptionDefinitions& definitions_;
  RawCmbp1Counts counts_;
  dbn::Cmbp1Msg row_{};
  TsRecvOrder order_;
  int64_t index_ = -1;
  uint32_t last_id_ = 0;  // rows of one instrument come in runs: the last lookup is kept
  const OptionMeta* last_meta_ = nullptr;
  bool have_last_ = false;
};

// A CMBP-1 top as the two records book::QuoteTops reads: the bid side, then the ask side (action 'Q':
// "the top of this side is now price × size"), written to out[0] and out[1].
inline void QuoteEvents(uint64_t ts_event, uint32_t instrument_id, uint32_t sequence, int64_t bid_px, uint32_t bid_sz,
                        int64_t ask_px, uint32_t ask_sz, book::MboEvent* out) {
  for (int s = 0; s < 2; ++s) {
    book::MboEvent& e = out[s];
    e = book::MboEvent{};
    e.ts_event = ts_event;
    e.instrument_id = instrument_id;
    e.sequence = sequence;
    e.action = book::kQuoteAction;
    e.side = s == 0 ? 'B' : 'A';
    e.price = s == 0 ? bid_px : ask_px;
    e.size = s == 0 ? bid_sz : ask_sz;
  }
}

}  // namespace spymaster::source
