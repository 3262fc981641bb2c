#include "dbn/enums.hpp"

#include <array>
#include <utility>

namespace spymaster::dbn {
namespace {

constexpr std::array<std::string_view, 20> kSchemaNames = {
    "mbo",      "mbp-1",    "mbp-10",     "tbbo",       "trades", "ohlcv-1s",  "ohlcv-1m",
    "ohlcv-1h", "ohlcv-1d", "definition", "statistics", "status", "imbalance", "ohlcv-eod",
    "cmbp-1",   "cbbo-1s",  "cbbo-1m",    "tcbbo",      "bbo-1s", "bbo-1m"};

constexpr std::array<std::string_view, 13> kSTypeNames = {
    "instrument_id", "raw_symbol", "smart",       "continuous",      "parent", "nasdaq_symbol", "cms_symbol",
    "isin",          "us_code",    "bbg_comp_id", "bbg_comp_ticker", "figi",   "figi_ticker"};

constexpr std::array<std::pair<RType, std::string_view>, 23> kRTypeNames = {{
    {RType::kMbp0, "mbp-0"},
    {RType::kMbp1, "mbp-1"},
    {RType::kMbp10, "mbp-10"},
    {RType::kOhlcvDeprecated, "ohlcv-deprecated"},
    {RType::kStatus, "status"},
    {RType::kInstrumentDef, "instrument-def"},
    {RType::kImbalance, "imbalance"},
    {RType::kError, "error"},
    {RType::kSymbolMapping, "symbol-mapping"},
    {RType::kSystem, "system"},
    {RType::kStatistics, "statistics"},
    {RType::kOhlcv1S, "ohlcv-1s"},
    {RType::kOhlcv1M, "ohlcv-1m"},
    {RType::kOhlcv1H, "ohlcv-1h"},
    {RType::kOhlcv1D, "ohlcv-1d"},
    {RType::kOhlcvEod, "ohlcv-eod"},
    {RType::kMbo, "mbo"},
    {RType::kCmbp1, "cmbp-1"},
    {RType::kCbbo1S, "cbbo-1s"},
    {RType::kCbbo1M, "cbbo-1m"},
    {RType::kTcbbo, "tcbbo"},
    {RType::kBbo1S, "bbo-1s"},
    {RType::kBbo1M, "bbo-1m"},
}};

constexpr std::array<RType, 20> kSchemaRTypes = {
    RType::kMbo,        RType::kMbp1,    RType::kMbp10,     RType::kMbp1,     RType::kMbp0,
    RType::kOhlcv1S,    RType::kOhlcv1M, RType::kOhlcv1H,   RType::kOhlcv1D,  RType::kInstrumentDef,
    RType::kStatistics, RType::kStatus,  RType::kImbalance, RType::kOhlcvEod, RType::kCmbp1,
    RType::kCbbo1S,     RType::kCbbo1M,  RType::kTcbbo,     RType::kBbo1S,    RType::kBbo1M};

}  // namespace

std::string_view ToString(Schema schema) {
  const auto i = static_cast<std::size_t>(schema);
  return i < kSchemaNames.size() ? kSchemaNames[i] : std::string_view{};
}

std::string_view ToString(SType stype) {
  const auto i = static_cast<std::size_t>(stype);
  return i < kSTypeNames.size() ? kSTypeNames[i] : std::string_view{};
}

std::string_view ToString(RType rtype) {
  for (const auto& [value, name] : kRTypeNames) {
    if (value == rtype) return name;
  }
  return {};
}

std::optional<Schema> SchemaFromString(std::string_view text) {
  for (std::size_t i = 0; i < kSchemaNames.size(); ++i) {
    if (kSchemaNames[i] == text) return static_cast<Schema>(i);
  }
  return std::nullopt;
}

std::optional<SType> STypeFromString(std::string_view text) {
  for (std::size_t i = 0; i < kSTypeNames.size(); ++i) {
    if (kSTypeNames[i] == text) return static_cast<SType>(i);
  }
  if (text == "product_id") return SType::kInstrumentId;
  if (text == "native") return SType::kRawSymbol;
  if (text == "nasdaq") return SType::kNasdaqSymbol;
  if (text == "cms") return SType::kCmsSymbol;
  return std::nullopt;
}

RType RTypeOf(Schema schema) { return kSchemaRTypes.at(static_cast<std::size_t>(schema)); }

}  // namespace spymaster::dbn
