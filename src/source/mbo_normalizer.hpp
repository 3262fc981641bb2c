// The one pass over a raw MBO decoder that bronze and the raw record source share: symbol mapping
// records, routing (mbo_routing.hpp), the ts_recv order check and the null-price rule. Both call Next, so
// `run --source raw` keeps exactly the records bronze writes, in the same form.
//
//   source::MboNormalizer normalizer({.drop_spreads = true});
//   normalizer.StartFile(decoder, 20260106);
//   int32_t partition = -1;
//   while (const dbn::MboMsg* row = normalizer.Next(decoder, partition)) { ... }
#pragma once

#include <array>
#include <cstdint>

#include "dbn/decoder.hpp"
#include "dbn/record.hpp"
#include "source/mbo_routing.hpp"
#include "source/ts_recv_order.hpp"

namespace spymaster::source {

// What a normalizer read and dropped (manifest counters; the callers name them).
struct RawMboCounts {
  int64_t mbo = 0;     // MBO records read
  int64_t other = 0;   // records of other schemas (symbol mappings excluded)
  int64_t zeroed = 0;  // null prices set to 0 (C/R/T/F/N)
  std::array<int64_t, kDropReasons> dropped{};
};

class MboNormalizer {
 public:
  explicit MboNormalizer(RoutingRules rules) : router_(rules) {}

  // A new file (or stream) starts: its metadata's mappings, and the order check and record index restart.
  void StartFile(const dbn::Decoder& decoder, uint32_t yyyymmdd);
  // The decoder's next routed MBO record with its price normalized, and its router partition in
  // `partition`; nullptr when the decoder has nothing ready. The row stays valid until the next call.
  // Throws std::runtime_error naming the source, record index and byte offset for a record out of
  // ts_recv order or an add/modify without a price.
  const dbn::MboMsg* Next(dbn::Decoder& decoder, int32_t& partition);

  const MboRouter& router() const { return router_; }
  const RawMboCounts& counts() const { return counts_; }

 private:
  MboRouter router_;
  RawMboCounts counts_;
  dbn::MboMsg row_{};
  TsRecvOrder order_;
  int64_t index_ = -1;
};

}  // namespace spymaster::source
