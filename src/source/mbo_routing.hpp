// How raw Databento MBO records become bronze rows and engine events: which partition an instrument
// feeds (or why it is dropped), and the null-price rule (silver.md §2.0–2.3). Bronze and the raw record
// source both route through here, so a raw-driven engine sees exactly the records bronze keeps.
//
//   source::MboRouter router({.drop_spreads = true});
//   router.StartFile(decoder.metadata(), 20260106);
//   ... on a SymbolMappingMsg: router.OnSymbolMapping(*msg);
//   const source::Route r = router.RouteOf(mbo->hd.instrument_id);   // r.partition ≥ 0: kept
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dbn/metadata.hpp"
#include "dbn/record.hpp"
#include "source/option_definitions.hpp"

namespace spymaster::source {

enum Drop : uint8_t { kUnmapped, kUserDefined, kSpread, kNotZeroDte, kDropReasons };
// Manifest counter names of the drop reasons, indexed by Drop.
inline constexpr std::array<const char*, kDropReasons> kDropCounter = {"unmapped_dropped", "user_defined_dropped",
                                                                       "spreads_dropped", "not_0dte_dropped"};

struct RoutingRules {
  bool drop_spreads = false;                   // futures: calendar spreads (symbols with '-') are dropped
  const OptionDefinitions* options = nullptr;  // options: keep 0DTE instruments, partitioned by underlying
};

struct Route {
  int32_t partition = -1;  // index into MboRouter::partitions(); -1 = dropped
  Drop drop = kUnmapped;
};

// instrument_id → symbol from the metadata's symbol mappings valid on `yyyymmdd`. With stype_out
// instrument_id the mapping's raw_symbol is the symbol (as databento's InstrumentMap does).
std::unordered_map<uint32_t, std::string> InstrumentSymbols(const dbn::Metadata& metadata, uint32_t yyyymmdd);

// Instruments dropped by their symbol alone: user-defined ones, and spreads when the rules say so.
std::optional<Drop> DroppedBySymbol(std::string_view symbol, bool drop_spreads);

class MboRouter {
 public:
  explicit MboRouter(RoutingRules rules) : rules_(rules) {}

  // A new file: its metadata's mappings replace the instrument symbols (partitions keep their indices).
  void StartFile(const dbn::Metadata& metadata, uint32_t yyyymmdd);
  // A symbol mapping record in the stream remaps one instrument from here on.
  void OnSymbolMapping(const dbn::SymbolMappingMsg& mapping);

  Route RouteOf(uint32_t instrument_id) {
    if (instrument_id == last_id_ && have_last_) return last_route_;
    auto it = routes_.find(instrument_id);
    if (it == routes_.end()) it = routes_.emplace(instrument_id, Resolve(instrument_id)).first;
    last_id_ = instrument_id;
    last_route_ = it->second;
    have_last_ = true;
    return last_route_;
  }

  // Partition names (contract, ticker or underlying) in order of first appearance.
  const std::vector<std::string>& partitions() const { return partitions_; }
  // The instrument's own symbol (an option's raw symbol); only for instruments routed to a partition.
  const std::string& SymbolOf(uint32_t instrument_id) const { return kept_symbols_.at(instrument_id); }

 private:
  Route Resolve(uint32_t instrument_id);

  RoutingRules rules_;
  std::unordered_map<uint32_t, std::string> symbols_;
  std::unordered_map<uint32_t, Route> routes_;
  std::unordered_map<std::string, int32_t> partition_index_;
  std::vector<std::string> partitions_;
  std::unordered_map<uint32_t, std::string> kept_symbols_;
  uint32_t last_id_ = 0;
  Route last_route_;
  bool have_last_ = false;
};

// Databento's null price on an MBO record: 0 for actions that carry no price (C/R/T/F/N); an add or
// modify without a price is bad data.
enum class PriceCheck : uint8_t { kOk, kZeroed, kMissing };
inline PriceCheck NormalizePrice(dbn::MboMsg& msg) {
  if (msg.price != dbn::kUndefPrice) return PriceCheck::kOk;
  if (msg.action == 'A' || msg.action == 'M') return PriceCheck::kMissing;
  msg.price = 0;
  return PriceCheck::kZeroed;
}

}  // namespace spymaster::source
