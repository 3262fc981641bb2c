// 0DTE option selection from instrument definitions: the latest definition per instrument_id, calls
// and puts only, not user-defined, whose expiration falls on the session date in New York.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/calendar.hpp"
#include "dbn/record.hpp"

namespace spymaster::source {

struct OptionMeta {
  std::string underlying;  // ESH6, SPY
  char right;              // 'C' or 'P'
  int64_t strike;          // 1e-9 fixed point
  int64_t expiration;      // ns since epoch
  std::string raw_symbol;
  int64_t tick = 0;  // min_price_increment (1e-9); 0 when the definition has none
};

struct OptionDefinitions {
  std::unordered_map<uint32_t, OptionMeta> zero_dte;  // by instrument_id
  std::map<std::string, int64_t> counters;            // definitions_read, instruments, not_0dte, ...
};

// Reads every definition file; `underlying_filter` (case-insensitive, empty = any) keeps only options
// on that underlying (equity options). Throws std::runtime_error naming the file on bad input.
OptionDefinitions LoadZeroDteOptions(const std::vector<std::filesystem::path>& files, std::string_view dt,
                                     std::string_view underlying_filter);

// The push form (Live): definitions as they arrive, each one replacing an instrument's entry when its
// ts_event is not older than the entry's (the latest definition wins, as above).
class ZeroDteFeed {
 public:
  ZeroDteFeed(std::string_view dt, std::string underlying_filter);
  // Returns the instrument's 0DTE entry after this definition, or nullptr when it is not (or no longer) one.
  const OptionMeta* OnDefinition(const dbn::InstrumentDefMsg& def);
  const OptionDefinitions& definitions() const { return out_; }

 private:
  common::Date session_date_;
  std::string underlying_filter_;
  std::unordered_map<uint32_t, uint64_t> latest_ts_;  // by instrument_id
  OptionDefinitions out_;
};

}  // namespace spymaster::source
