#include "source/ts_recv_order.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace spymaster::source {

void TsRecvOrder::Throw(dbn::Decoder& decoder, int64_t index, uint64_t ts_recv) const {
  decoder.VerifyRest();  // a corrupt zstd frame is the likelier cause, and the better message
  throw std::runtime_error(
      fmt::format("raw file {}: record {} at byte offset {} is out of order (ts_recv {} < "
                  "previous {})",
                  decoder.source_name(), index, decoder.record_offset(), ts_recv, prev_));
}

}  // namespace spymaster::source
