#include "source/option_definitions.hpp"

#include <fmt/format.h>

#include <cctype>
#include <stdexcept>

#include "common/new_york_time.hpp"
#include "dbn/decoder.hpp"

namespace spymaster::source {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

struct Latest {
  uint64_t ts_event;
  dbn::InstrumentDefMsg def;
};

}  // namespace

OptionDefinitions LoadZeroDteOptions(const std::vector<std::filesystem::path>& files, std::string_view dt,
                                     std::string_view underlying_filter) {
  const common::Date session_date = common::ParseDate(dt);
  std::unordered_map<uint32_t, Latest> latest;
  OptionDefinitions out;
  for (const auto& file : files) {
    auto decoder = dbn::Decoder::FromFile(file);
    while (const dbn::RecordRef* rec = decoder.Next()) {
      const auto* def = rec->Get<dbn::InstrumentDefMsg>();
      if (def == nullptr) continue;
      ++out.counters["definitions_read"];
      auto [it, inserted] = latest.try_emplace(def->hd.instrument_id, Latest{def->hd.ts_event, *def});
      if (!inserted && def->hd.ts_event >= it->second.ts_event) it->second = Latest{def->hd.ts_event, *def};
    }
  }
  out.counters["instruments"] = static_cast<int64_t>(latest.size());
  for (const auto& [id, entry] : latest) {
    const dbn::InstrumentDefMsg& def = entry.def;
    if (def.instrument_class != 'C' && def.instrument_class != 'P') {
      ++out.counters["not_option_dropped"];
      continue;
    }
    if (def.user_defined_instrument == 'Y') {
      ++out.counters["user_defined_dropped"];
      continue;
    }
    const std::string underlying(dbn::CStr(def.underlying));
    if (!underlying_filter.empty() && !EqualsIgnoreCase(underlying, underlying_filter)) {
      ++out.counters["other_underlying_dropped"];
      continue;
    }
    if (def.expiration == dbn::kUndefTimestamp || def.strike_price == dbn::kUndefPrice) {
      ++out.counters["no_expiration_or_strike_dropped"];
      continue;
    }
    if (common::NewYorkDate(common::FromEpochNs(static_cast<int64_t>(def.expiration))) != session_date) {
      ++out.counters["not_0dte_dropped"];
      continue;
    }
    out.zero_dte.emplace(id, OptionMeta{underlying, def.instrument_class, def.strike_price,
                                        static_cast<int64_t>(def.expiration), std::string(dbn::CStr(def.raw_symbol)),
                                        def.min_price_increment > 0 && def.min_price_increment != dbn::kUndefPrice
                                            ? def.min_price_increment
                                            : 0});
  }
  out.counters["zero_dte_instruments"] = static_cast<int64_t>(out.zero_dte.size());
  return out;
}

}  // namespace spymaster::source
