#include "source/mbo_routing.hpp"

#include <charconv>

namespace spymaster::source {

std::unordered_map<uint32_t, std::string> InstrumentSymbols(const dbn::Metadata& metadata, uint32_t yyyymmdd) {
  // With stype_in instrument_id the roles flip: the mapping key is the id, the interval the symbol.
  const bool ids_in = metadata.stype_in == dbn::SType::kInstrumentId;
  std::unordered_map<uint32_t, std::string> symbols;
  for (const dbn::SymbolMapping& mapping : metadata.mappings) {
    for (const dbn::MappingInterval& interval : mapping.intervals) {
      if (interval.start_date > yyyymmdd || yyyymmdd >= interval.end_date) continue;
      const std::string& id_text = ids_in ? mapping.raw_symbol : interval.symbol;
      uint32_t id = 0;
      const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
      if (ec == std::errc() && end == id_text.data() + id_text.size()) {
        symbols[id] = ids_in ? interval.symbol : mapping.raw_symbol;
      }
    }
  }
  return symbols;
}

std::optional<Drop> DroppedBySymbol(std::string_view symbol, bool drop_spreads) {
  if (symbol.starts_with("UD:")) return kUserDefined;
  if (drop_spreads && symbol.find('-') != std::string_view::npos) return kSpread;
  return std::nullopt;
}

void MboRouter::StartFile(const dbn::Metadata& metadata, uint32_t yyyymmdd) {
  symbols_ = InstrumentSymbols(metadata, yyyymmdd);
  routes_.clear();
  have_last_ = false;
}

void MboRouter::OnSymbolMapping(const dbn::SymbolMappingMsg& mapping) {
  symbols_[mapping.hd.instrument_id] = std::string(dbn::CStr(mapping.stype_out_symbol));
  routes_.erase(mapping.hd.instrument_id);
  have_last_ = false;
}

Route MboRouter::Resolve(uint32_t instrument_id) {
  const auto sym = symbols_.find(instrument_id);
  if (sym == symbols_.end()) return {-1, kUnmapped};
  const std::string& symbol = sym->second;
  if (const auto drop = DroppedBySymbol(symbol, rules_.drop_spreads)) return {-1, *drop};
  std::string partition = symbol;
  if (rules_.options != nullptr) {
    const auto meta = rules_.options->zero_dte.find(instrument_id);
    if (meta == rules_.options->zero_dte.end()) return {-1, kNotZeroDte};
    partition = meta->second.underlying;
  }
  kept_symbols_[instrument_id] = symbol;
  auto [it, inserted] = partition_index_.try_emplace(partition, static_cast<int32_t>(partitions_.size()));
  if (inserted) partitions_.push_back(partition);
  return {it->second, kUnmapped};
}

}  // namespace spymaster::source
