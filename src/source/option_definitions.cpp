#include "source/option_definitions.hpp"

#include <fmt/format.h>

#include <cctype>
#include <optional>
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

// The instrument's OptionMeta when it is a 0DTE call or put (on `underlying_filter`, when given); otherwise
// counts why not under `counters` and returns nothing.
std::optional<OptionMeta> ZeroDte(const dbn::InstrumentDefMsg& def, const common::Date& session_date,
                                  std::string_view underlying_filter, std::map<std::string, int64_t>& counters) {
  if (def.instrument_class != 'C' && def.instrument_class != 'P') {
    ++counters["not_option_dropped"];
    return std::nullopt;
  }
  if (def.user_defined_instrument == 'Y') {
    ++counters["user_defined_dropped"];
    return std::nullopt;
  }
  std::string underlying(dbn::CStr(def.underlying));
  if (!underlying_filter.empty() && !EqualsIgnoreCase(underlying, underlying_filter)) {
    ++counters["other_underlying_dropped"];
    return std::nullopt;
  }
  if (def.expiration == dbn::kUndefTimestamp || def.strike_price == dbn::kUndefPrice) {
    ++counters["no_expiration_or_strike_dropped"];
    return std::nullopt;
  }
  if (common::NewYorkDate(common::FromEpochNs(static_cast<int64_t>(def.expiration))) != session_date) {
    ++counters["not_0dte_dropped"];
    return std::nullopt;
  }
  return OptionMeta{
      std::move(underlying),
      def.instrument_class,
      def.strike_price,
      static_cast<int64_t>(def.expiration),
      std::string(dbn::CStr(def.raw_symbol)),
      def.min_price_increment > 0 && def.min_price_increment != dbn::kUndefPrice ? def.min_price_increment : 0};
}

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
    if (auto meta = ZeroDte(entry.def, session_date, underlying_filter, out.counters)) {
      out.zero_dte.emplace(id, std::move(*meta));
    }
  }
  out.counters["zero_dte_instruments"] = static_cast<int64_t>(out.zero_dte.size());
  return out;
}

ZeroDteFeed::ZeroDteFeed(std::string_view dt, std::string underlying_filter)
    : session_date_(common::ParseDate(dt)), underlying_filter_(std::move(underlying_filter)) {}

const OptionMeta* ZeroDteFeed::OnDefinition(const dbn::InstrumentDefMsg& def) {
  ++out_.counters["definitions_read"];
  const uint32_t id = def.hd.instrument_id;
  auto [it, inserted] = latest_ts_.try_emplace(id, def.hd.ts_event);
  if (!inserted) {
    if (def.hd.ts_event < it->second) return nullptr;  // an older definition than the one kept
    it->second = def.hd.ts_event;
  }
  out_.counters["instruments"] = static_cast<int64_t>(latest_ts_.size());
  auto meta = ZeroDte(def, session_date_, underlying_filter_, out_.counters);
  const OptionMeta* kept = nullptr;
  if (meta) {
    kept = &(out_.zero_dte.insert_or_assign(id, std::move(*meta)).first->second);
  } else {
    out_.zero_dte.erase(id);
  }
  out_.counters["zero_dte_instruments"] = static_cast<int64_t>(out_.zero_dte.size());
  return kept;
}

}  // namespace spymaster::source
