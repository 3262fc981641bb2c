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

}  // namespace spymaster::source
