#include "source/bronze_mbo_decoder.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "lake/mbo_rows.hpp"

namespace spymaster::source {

void BronzeMboDecoder::Decode(const arrow::RecordBatch& batch, std::vector<book::MboEvent>& events) {
  constexpr int64_t kU32 = std::numeric_limits<uint32_t>::max();
  const lake::MboBatchView view(batch);
  events.resize(static_cast<std::size_t>(view.size()));
  for (int64_t i = 0; i < view.size(); ++i, ++rows_) {
    const lake::MboRow r = view.Row(i);
    if (r.ts_event < prev_ts_ || (r.ts_event == prev_ts_ && r.sequence < prev_seq_)) {
      throw Error(
          ErrorKind::kData,
          fmt::format("{}: row {} is out of (ts_event, sequence) order: ({}, {}) after ({}, {}); bronze must be sorted",
                      where_, rows_, r.ts_event, r.sequence, prev_ts_, prev_seq_));
    }
    prev_ts_ = r.ts_event;
    prev_seq_ = r.sequence;
    if (r.ts_event < 0 || r.size < 0 || r.size > kU32 || r.sequence < 0 || r.sequence > kU32 || r.instrument_id < 0 ||
        r.instrument_id > kU32 || r.flags < 0 || r.flags > 255) {
      throw Error(
          ErrorKind::kData,
          fmt::format(
              "{}: row {} has a field out of range (ts_event {}, size {}, sequence {}, instrument_id {}, flags {})",
              where_, rows_, r.ts_event, r.size, r.sequence, r.instrument_id, r.flags));
    }
    book::MboEvent& e = events[static_cast<std::size_t>(i)];
    e.ts_event = static_cast<uint64_t>(r.ts_event);
    e.order_id = static_cast<uint64_t>(r.order_id);
    e.price = r.price;
    e.size = static_cast<uint32_t>(r.size);
    e.instrument_id = static_cast<uint32_t>(r.instrument_id);
    e.sequence = static_cast<uint32_t>(r.sequence);
    e.action = r.action;
    e.side = r.side;
    e.flags = static_cast<uint8_t>(r.flags);
  }
}

}  // namespace spymaster::source
