// instrument_id → symbol over time, built from metadata mappings (as the reference TsSymbolMap).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "dbn/decoder.hpp"
#include "dbn/metadata.hpp"

namespace spymaster::dbn {

// Nanoseconds since the epoch of midnight UTC of a YYYYMMDD date.
std::uint64_t DateToTs(std::uint32_t yyyymmdd);

// The timestamp a record is indexed by: ts_recv when the record has one, else hd.ts_event.
std::uint64_t IndexTs(const RecordRef& record);

class TsSymbolMap {
 public:
  // Throws std::invalid_argument when neither stype_in nor stype_out is instrument_id, or an id is not a number.
  static TsSymbolMap FromMetadata(const Metadata& metadata);

  // Maps `instrument_id` to `symbol` on [start_ts, end_ts), overriding overlapping intervals.
  void Insert(std::uint32_t instrument_id, std::uint64_t start_ts, std::uint64_t end_ts, std::string symbol);
  // nullptr when unmapped at `ts`.
  const std::string* Find(std::uint64_t ts, std::uint32_t instrument_id) const;
  const std::string* Find(const RecordRef& record) const {
    return Find(IndexTs(record), record.header().instrument_id);
  }

 private:
  struct Interval {
    std::uint64_t start_ts;
    std::uint64_t end_ts;
    std::string symbol;
  };
  std::unordered_map<std::uint32_t, std::vector<Interval>> intervals_;
};

}  // namespace spymaster::dbn
