#include "dbn/upgrade.hpp"

#include <cstring>
#include <string_view>

namespace spymaster::dbn {
namespace {

template <class To>
RecordHeader NewHeader(const RecordHeader& old, bool ts_out) {
  RecordHeader hd = old;
  hd.length = static_cast<std::uint8_t>((sizeof(To) + (ts_out ? 8 : 0)) / 4);
  return hd;
}

// Copies the whole old (narrower) array into the prefix of the new one; the rest stays NUL.
template <std::size_t N, std::size_t M>
void CopyPrefix(std::array<char, N>& to, const std::array<char, M>& from) {
  static_assert(M <= N);
  std::memcpy(to.data(), from.data(), M);
}

// Text up to the first NUL, or nullopt-like empty view + false when there is no NUL (reference: not a C string).
bool CText(const char* chars, std::size_t n, std::string_view* out) {
  const void* nul = std::memchr(chars, 0, n);
  if (nul == nullptr) return false;
  *out = std::string_view{chars, static_cast<std::size_t>(static_cast<const char*>(nul) - chars)};
  return true;
}

// Fields shared by v1 and v2 definitions, copied into a v2 or v3 definition.
template <class To, class From>
void CopyCommonDef(To& to, const From& from) {
  to.ts_recv = from.ts_recv;
  to.min_price_increment = from.min_price_increment;
  to.display_factor = from.display_factor;
  to.expiration = from.expiration;
  to.activation = from.activation;
  to.high_limit_price = from.high_limit_price;
  to.low_limit_price = from.low_limit_price;
  to.max_price_variation = from.max_price_variation;
  to.unit_of_measure_qty = from.unit_of_measure_qty;
  to.min_price_increment_amount = from.min_price_increment_amount;
  to.price_ratio = from.price_ratio;
  to.strike_price = from.strike_price;
  to.inst_attrib_value = from.inst_attrib_value;
  to.underlying_id = from.underlying_id;
  to.raw_instrument_id = from.raw_instrument_id;
  to.market_depth_implied = from.market_depth_implied;
  to.market_depth = from.market_depth;
  to.market_segment_id = from.market_segment_id;
  to.max_trade_vol = from.max_trade_vol;
  to.min_lot_size = from.min_lot_size;
  to.min_lot_size_block = from.min_lot_size_block;
  to.min_lot_size_round_lot = from.min_lot_size_round_lot;
  to.min_trade_vol = from.min_trade_vol;
  to.contract_multiplier = from.contract_multiplier;
  to.decay_quantity = from.decay_quantity;
  to.original_contract_size = from.original_contract_size;
  to.appl_id = from.appl_id;
  to.maturity_year = from.maturity_year;
  to.decay_start_date = from.decay_start_date;
  to.channel_id = from.channel_id;
  to.currency = from.currency;
  to.settl_currency = from.settl_currency;
  to.secsubtype = from.secsubtype;
  CopyPrefix(to.raw_symbol, from.raw_symbol);
  to.group = from.group;
  to.exchange = from.exchange;
  CopyPrefix(to.asset, from.asset);
  to.cfi = from.cfi;
  to.security_type = from.security_type;
  to.unit_of_measure = from.unit_of_measure;
  to.underlying = from.underlying;
  to.strike_price_currency = from.strike_price_currency;
  to.instrument_class = from.instrument_class;
  to.match_algorithm = from.match_algorithm;
  to.main_fraction = from.main_fraction;
  to.price_display_format = from.price_display_format;
  to.sub_fraction = from.sub_fraction;
  to.underlying_product = from.underlying_product;
  to.security_update_action = from.security_update_action;
  to.maturity_month = from.maturity_month;
  to.maturity_day = from.maturity_day;
  to.maturity_week = from.maturity_week;
  to.user_defined_instrument = from.user_defined_instrument;
  to.contract_multiplier_unit = from.contract_multiplier_unit;
  to.flow_schedule_type = from.flow_schedule_type;
  to.tick_rule = from.tick_rule;
}

v2::InstrumentDefMsg ToV2(const v1::InstrumentDefMsg& old, bool ts_out) {
  v2::InstrumentDefMsg res;
  res.hd = NewHeader<v2::InstrumentDefMsg>(old.hd, ts_out);
  CopyCommonDef(res, old);
  res.trading_reference_price = old.trading_reference_price;
  res.trading_reference_date = old.trading_reference_date;
  res.md_security_trading_status = old.md_security_trading_status;
  res.settl_price_type = old.settl_price_type;
  return res;
}

template <class From>
InstrumentDefMsg ToV3(const From& old, bool ts_out) {
  InstrumentDefMsg res;
  res.hd = NewHeader<InstrumentDefMsg>(old.hd, ts_out);
  CopyCommonDef(res, old);
  return res;
}

StatMsg ToV3(const v1::StatMsg& old, bool ts_out) {
  StatMsg res;
  res.hd = NewHeader<StatMsg>(old.hd, ts_out);
  res.ts_recv = old.ts_recv;
  res.ts_ref = old.ts_ref;
  res.price = old.price;
  res.quantity = old.quantity == kUndefStatQuantityV1 ? kUndefStatQuantity : old.quantity;
  res.sequence = old.sequence;
  res.ts_in_delta = old.ts_in_delta;
  res.stat_type = old.stat_type;
  res.channel_id = old.channel_id;
  res.update_action = old.update_action;
  res.stat_flags = old.stat_flags;
  return res;
}

SymbolMappingMsg ToV2(const v1::SymbolMappingMsg& old, bool ts_out) {
  SymbolMappingMsg res;
  res.hd = NewHeader<SymbolMappingMsg>(old.hd, ts_out);
  CopyPrefix(res.stype_in_symbol, old.stype_in_symbol);
  CopyPrefix(res.stype_out_symbol, old.stype_out_symbol);
  res.start_ts = old.start_ts;
  res.end_ts = old.end_ts;
  return res;
}

ErrorMsg ToV2(const v1::ErrorMsg& old, bool ts_out) {
  ErrorMsg res;
  res.hd = NewHeader<ErrorMsg>(old.hd, ts_out);
  std::string_view err;
  if (CText(old.err.data(), old.err.size(), &err)) {
    if (err == "User or API key deactivated") {
      res.code = 2;
    } else if (err == "User has reached their open connection limit") {
      res.code = 3;
    } else if (err.starts_with("Failed to resolve symbol")) {
      res.code = 4;
    } else if (err == "Internal error") {
      res.code = 6;
    } else if (err.starts_with("Slow client detected for ")) {
      res.code = 7;
    }
  }
  CopyPrefix(res.err, old.err);
  return res;
}

SystemMsg ToV2(const v1::SystemMsg& old, bool ts_out) {
  SystemMsg res;
  res.hd = NewHeader<SystemMsg>(old.hd, ts_out);
  std::string_view msg;
  if (CText(old.msg.data(), old.msg.size(), &msg)) {
    if (msg == "Heartbeat") {
      res.code = 0;
    } else if (msg.starts_with("End of interval for ")) {
      res.code = 4;
    } else if (msg.starts_with("Subscription request ") && msg.ends_with(" succeeded")) {
      res.code = 1;
    } else if (msg.starts_with("Warning: slow reading")) {
      res.code = 2;
    } else if (msg.starts_with("Finished ") && msg.ends_with(" replay")) {
      res.code = 3;
    }
  }
  CopyPrefix(res.msg, old.msg);
  return res;
}

template <class From>
const From& As(const RecordHeader& record) {
  return *reinterpret_cast<const From*>(&record);
}

template <class To>
std::size_t Emit(const To& converted, const RecordHeader& old, bool ts_out, std::byte* out) {
  std::memcpy(out, &converted, sizeof(To));
  if (!ts_out) return sizeof(To);
  std::memcpy(out + sizeof(To), reinterpret_cast<const std::byte*>(&old) + old.Size() - 8, 8);
  return sizeof(To) + 8;
}

}  // namespace

bool NeedsUpgrade(RType rtype, std::uint8_t from, std::uint8_t to) {
  if (to <= from) return false;
  switch (rtype) {
    case RType::kInstrumentDef:
      return true;
    case RType::kStatistics:
      return to >= 3;
    case RType::kSymbolMapping:
    case RType::kError:
    case RType::kSystem:
      return from == 1;
    default:
      return false;
  }
}

std::size_t UpgradeRecord(const RecordHeader& record, std::uint8_t from, std::uint8_t to, bool ts_out, std::byte* out) {
  switch (record.rtype) {
    case RType::kInstrumentDef:
      if (from == 1 && to == 2) return Emit(ToV2(As<v1::InstrumentDefMsg>(record), ts_out), record, ts_out, out);
      if (from == 1) return Emit(ToV3(As<v1::InstrumentDefMsg>(record), ts_out), record, ts_out, out);
      return Emit(ToV3(As<v2::InstrumentDefMsg>(record), ts_out), record, ts_out, out);
    case RType::kStatistics:
      return Emit(ToV3(As<v1::StatMsg>(record), ts_out), record, ts_out, out);
    case RType::kSymbolMapping:
      return Emit(ToV2(As<v1::SymbolMappingMsg>(record), ts_out), record, ts_out, out);
    case RType::kError:
      return Emit(ToV2(As<v1::ErrorMsg>(record), ts_out), record, ts_out, out);
    case RType::kSystem:
      return Emit(ToV2(As<v1::SystemMsg>(record), ts_out), record, ts_out, out);
    default:
      std::memcpy(out, &record, record.Size());
      return record.Size();
  }
}

}  // namespace spymaster::dbn
