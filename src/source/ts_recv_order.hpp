// Raw Databento day files come in ts_recv order; a record whose ts_recv goes back is corrupt input (a
// damaged zstd frame, more often than not). The check both raw passes (MboNormalizer, Cmbp1Normalizer) run.
#pragma once

#include <cstdint>

#include "dbn/decoder.hpp"

namespace spymaster::source {

class TsRecvOrder {
 public:
  // A new file starts.
  void Restart() { prev_ = 0; }
  // Record `index` of the decoder (the one it returned last) has this ts_recv. Throws std::runtime_error
  // naming the source, record index and byte offset when it is lower than the previous record's.
  void Check(dbn::Decoder& decoder, int64_t index, uint64_t ts_recv) {
    if (ts_recv < prev_) [[unlikely]] {
      Throw(decoder, index, ts_recv);
    }
    prev_ = ts_recv;
  }

 private:
  [[noreturn]] void Throw(dbn::Decoder& decoder, int64_t index, uint64_t ts_recv) const;

  uint64_t prev_ = 0;
};

}  // namespace spymaster::source
