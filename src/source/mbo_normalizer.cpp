#include "source/mbo_normalizer.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace spymaster::source {

void MboNormalizer::StartFile(const dbn::Decoder& decoder, uint32_t yyyymmdd) {
  router_.StartFile(decoder.metadata(), yyyymmdd);
  order_.Restart();
  index_ = -1;
}

const dbn::MboMsg* MboNormalizer::Next(dbn::Decoder& decoder, int32_t& partition) {
  while (const dbn::RecordRef* rec = decoder.Next()) {
    ++index_;
    const auto* msg = rec->Get<dbn::MboMsg>();
    if (msg == nullptr) {
      if (const auto* mapping = rec->Get<dbn::SymbolMappingMsg>()) {
        router_.OnSymbolMapping(*mapping);
      } else {
        ++counts_.other;
      }
      continue;
    }
    ++counts_.mbo;
    order_.Check(decoder, index_, msg->ts_recv);
    const Route route = router_.RouteOf(msg->hd.instrument_id);
    if (route.partition < 0) {
      ++counts_.dropped[route.drop];
      continue;
    }
    row_ = *msg;
    switch (NormalizePrice(row_)) {
      case PriceCheck::kOk:
        break;
      case PriceCheck::kZeroed:
        ++counts_.zeroed;
        break;
      case PriceCheck::kMissing:
        decoder.VerifyRest();
        throw std::runtime_error(
            fmt::format("raw file {}: record {} at byte offset {}: MBO action '{}' without a price (order {})",
                        decoder.source_name(), index_, decoder.record_offset(), row_.action, row_.order_id));
    }
    partition = route.partition;
    return &row_;
  }
  return nullptr;
}

}  // namespace spymaster::source
