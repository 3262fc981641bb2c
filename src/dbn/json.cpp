#include "dbn/json.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "common/calendar.hpp"

namespace spymaster::dbn {
namespace {

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    const unsigned c = p[i];
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// json-writer's string escaping: control characters, '"', '\\' and '/'.
void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '/':
        out += "\\/";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

template <class Int>
void AppendInt(std::string& out, Int value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

// Mirrors json-writer's compact and pretty (4-space) layouts.
class JsonObject {
 public:
  JsonObject(std::string& out, bool pretty, int depth) : out_{out}, pretty_{pretty}, depth_{depth + 1} {
    out_.push_back('{');
  }
  void End() {
    --depth_;
    if (!first_ && pretty_) Newline();
    out_.push_back('}');
  }

  void Key(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    if (pretty_) Newline();
    AppendString(out_, key);
    out_ += pretty_ ? ": " : ":";
  }
  void Null(std::string_view key) {
    Key(key);
    out_ += "null";
  }
  void Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendString(out_, value);
  }
  void Bool(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
  }
  template <class Int>
  void Num(std::string_view key, Int value) {
    Key(key);
    AppendInt(out_, value);
  }
  template <class Int>
  void Int64(std::string_view key, Int value) {
    Key(key);
    out_.push_back('"');
    AppendInt(out_, value);
    out_.push_back('"');
  }
  void Ts(std::string_view key, std::uint64_t ts) {
    if (!pretty_) return Int64(key, ts);
    if (ts == 0 || ts == kUndefTimestamp) return Null(key);
    Str(key, FormatTimestamp(ts));
  }
  void Px(std::string_view key, std::int64_t px) {
    if (!pretty_) return Int64(key, px);
    if (px == kUndefPrice) return Null(key);
    Str(key, FormatPrice(px));
  }
  // c_char fields: NUL is null; otherwise Rust's ascii::escape_default, written without JSON escaping.
  void Char(std::string_view key, char ch) {
    if (ch == '\0') return Null(key);
    Key(key);
    static constexpr char kHex[] = "0123456789abcdef";
    const auto c = static_cast<unsigned char>(ch);
    out_.push_back('"');
    switch (c) {
      case '\t':
        out_ += "\\t";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\'':
        out_ += "\\'";
        break;
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      default:
        if (c >= 0x20 && c < 0x7F) {
          out_.push_back(ch);
        } else {
          out_ += "\\x";
          out_.push_back(kHex[c >> 4]);
          out_.push_back(kHex[c & 0xF]);
        }
    }
    out_.push_back('"');
  }
  // Enum-typed chars (v1 security_update_action, user_defined_instrument): one byte, JSON-escaped. The
  // reference converts the enum to a char assuming an ASCII value, so other bytes come out raw as well.
  void EnumChar(std::string_view key, char ch) { Str(key, std::string_view{&ch, 1}); }
  template <std::size_t N>
  void CStr(std::string_view key, const std::array<char, N>& chars) {
    const void* nul = std::memchr(chars.data(), 0, N);
    std::string_view text;
    if (nul != nullptr) {
      text = {chars.data(), static_cast<std::size_t>(static_cast<const char*>(nul) - chars.data())};
      if (!IsValidUtf8(text)) text = {};
    }
    Str(key, text);
  }
  void Header(std::string_view key, const RecordHeader& hd) {
    Key(key);
    JsonObject o{out_, pretty_, depth_};
    o.Ts("ts_event", hd.ts_event);
    o.Num("rtype", static_cast<unsigned>(hd.rtype));
    o.Num("publisher_id", hd.publisher_id);
    o.Num("instrument_id", hd.instrument_id);
    o.End();
  }
  template <std::size_t N>
  void Levels(std::string_view key, const std::array<BidAskPair, N>& levels) {
    BeginArray(key);
    for (std::size_t i = 0; i < N; ++i) {
      ArrayItem(i == 0);
      JsonObject o{out_, pretty_, depth_};
      o.Px("bid_px", levels[i].bid_px);
      o.Px("ask_px", levels[i].ask_px);
      o.Num("bid_sz", levels[i].bid_sz);
      o.Num("ask_sz", levels[i].ask_sz);
      o.Num("bid_ct", levels[i].bid_ct);
      o.Num("ask_ct", levels[i].ask_ct);
      o.End();
    }
    EndArray(N == 0);
  }
  template <std::size_t N>
  void Levels(std::string_view key, const std::array<ConsolidatedBidAskPair, N>& levels) {
    BeginArray(key);
    for (std::size_t i = 0; i < N; ++i) {
      ArrayItem(i == 0);
      JsonObject o{out_, pretty_, depth_};
      o.Px("bid_px", levels[i].bid_px);
      o.Px("ask_px", levels[i].ask_px);
      o.Num("bid_sz", levels[i].bid_sz);
      o.Num("ask_sz", levels[i].ask_sz);
      o.Num("bid_pb", levels[i].bid_pb);
      o.Num("ask_pb", levels[i].ask_pb);
      o.End();
    }
    EndArray(N == 0);
  }
  void Strings(std::string_view key, const std::vector<std::string>& values) {
    BeginArray(key);
    for (std::size_t i = 0; i < values.size(); ++i) {
      ArrayItem(i == 0);
      AppendString(out_, values[i]);
    }
    EndArray(values.empty());
  }
  void Mappings(std::string_view key, const std::vector<SymbolMapping>& mappings) {
    BeginArray(key);
    for (std::size_t i = 0; i < mappings.size(); ++i) {
      ArrayItem(i == 0);
      JsonObject m{out_, pretty_, depth_};
      m.Str("raw_symbol", mappings[i].raw_symbol);
      m.BeginArray("intervals");
      const auto& intervals = mappings[i].intervals;
      for (std::size_t j = 0; j < intervals.size(); ++j) {
        m.ArrayItem(j == 0);
        JsonObject o{out_, pretty_, m.depth_};
        o.Date("start_date", intervals[j].start_date);
        o.Date("end_date", intervals[j].end_date);
        o.Str("symbol", intervals[j].symbol);
        o.End();
      }
      m.EndArray(intervals.empty());
      m.End();
    }
    EndArray(mappings.empty());
  }
  void Date(std::string_view key, std::uint32_t yyyymmdd) {
    if (!pretty_) return Num(key, yyyymmdd);
    Str(key, common::FormatDate(common::FromYyyymmdd(yyyymmdd)));  // metadata decoding checked the date
  }

 private:
  void Newline() {
    out_.push_back('\n');
    for (int i = 0; i < depth_; ++i) out_ += "    ";
  }
  void BeginArray(std::string_view key) {
    Key(key);
    out_.push_back('[');
    ++depth_;
  }
  void ArrayItem(bool first) {
    if (!first) out_.push_back(',');
    if (pretty_) Newline();
  }
  void EndArray(bool empty) {
    --depth_;
    if (!empty && pretty_) Newline();
    out_.push_back(']');
  }

  std::string& out_;
  bool pretty_;
  int depth_;
  bool first_ = true;
};

// Field order and encodings below are generated from the dbn 0.72 crate's #[dbn(...)] attributes
// (encode_order, unix_nanos, fixed_price, c_char) and checked against the CLI by the oracle tests.
void Fields(JsonObject& o, const TradeMsg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Char("action", r.action);
  o.Char("side", r.side);
  o.Num("depth", r.depth);
  o.Px("price", r.price);
  o.Num("size", r.size);
  o.Num("flags", r.flags);
  o.Num("ts_in_delta", r.ts_in_delta);
  o.Num("sequence", r.sequence);
}

void Fields(JsonObject& o, const Mbp1Msg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Char("action", r.action);
  o.Char("side", r.side);
  o.Num("depth", r.depth);
  o.Px("price", r.price);
  o.Num("size", r.size);
  o.Num("flags", r.flags);
  o.Num("ts_in_delta", r.ts_in_delta);
  o.Num("sequence", r.sequence);
  o.Levels("levels", r.levels);
}

void Fields(JsonObject& o, const Mbp10Msg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Char("action", r.action);
  o.Char("side", r.side);
  o.Num("depth", r.depth);
  o.Px("price", r.price);
  o.Num("size", r.size);
  o.Num("flags", r.flags);
  o.Num("ts_in_delta", r.ts_in_delta);
  o.Num("sequence", r.sequence);
  o.Levels("levels", r.levels);
}

void Fields(JsonObject& o, const BboMsg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Char("side", r.side);
  o.Px("price", r.price);
  o.Num("size", r.size);
  o.Num("flags", r.flags);
  o.Num("sequence", r.sequence);
  o.Levels("levels", r.levels);
}

void Fields(JsonObject& o, const Cmbp1Msg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Char("action", r.action);
  o.Char("side", r.side);
  o.Px("price", r.price);
  o.Num("size", r.size);
  o.Num("flags", r.flags);
  o.Num("ts_in_delta", r.ts_in_delta);
  o.Levels("levels", r.levels);
}

void Fields(JsonObject& o, const CbboMsg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Char("side", r.side);
  o.Px("price", r.price);
  o.Num("size", r.size);
  o.Num("flags", r.flags);
  o.Levels("levels", r.levels);
}

void Fields(JsonObject& o, const OhlcvMsg& r) {
  o.Header("hd", r.hd);
  o.Px("open", r.open);
  o.Px("high", r.high);
  o.Px("low", r.low);
  o.Px("close", r.close);
  o.Int64("volume", r.volume);
}

void Fields(JsonObject& o, const StatusMsg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Num("action", r.action);
  o.Num("reason", r.reason);
  o.Num("trading_event", r.trading_event);
  o.Char("is_trading", r.is_trading);
  o.Char("is_quoting", r.is_quoting);
  o.Char("is_short_sell_restricted", r.is_short_sell_restricted);
}

void Fields(JsonObject& o, const ImbalanceMsg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Px("ref_price", r.ref_price);
  o.Ts("auction_time", r.auction_time);
  o.Px("cont_book_clr_price", r.cont_book_clr_price);
  o.Px("auct_interest_clr_price", r.auct_interest_clr_price);
  o.Px("ssr_filling_price", r.ssr_filling_price);
  o.Px("ind_match_price", r.ind_match_price);
  o.Px("upper_collar", r.upper_collar);
  o.Px("lower_collar", r.lower_collar);
  o.Num("paired_qty", r.paired_qty);
  o.Num("total_imbalance_qty", r.total_imbalance_qty);
  o.Num("market_imbalance_qty", r.market_imbalance_qty);
  o.Num("unpaired_qty", r.unpaired_qty);
  o.Char("auction_type", r.auction_type);
  o.Char("side", r.side);
  o.Num("auction_status", r.auction_status);
  o.Num("freeze_status", r.freeze_status);
  o.Num("num_extensions", r.num_extensions);
  o.Char("unpaired_side", r.unpaired_side);
  o.Char("significant_imbalance", r.significant_imbalance);
}

void Fields(JsonObject& o, const InstrumentDefMsg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.CStr("raw_symbol", r.raw_symbol);
  o.Char("security_update_action", r.security_update_action);
  o.Char("instrument_class", r.instrument_class);
  o.Px("min_price_increment", r.min_price_increment);
  o.Px("display_factor", r.display_factor);
  o.Ts("expiration", r.expiration);
  o.Ts("activation", r.activation);
  o.Px("high_limit_price", r.high_limit_price);
  o.Px("low_limit_price", r.low_limit_price);
  o.Px("max_price_variation", r.max_price_variation);
  o.Px("unit_of_measure_qty", r.unit_of_measure_qty);
  o.Px("min_price_increment_amount", r.min_price_increment_amount);
  o.Px("price_ratio", r.price_ratio);
  o.Num("inst_attrib_value", r.inst_attrib_value);
  o.Num("underlying_id", r.underlying_id);
  o.Int64("raw_instrument_id", r.raw_instrument_id);
  o.Num("market_depth_implied", r.market_depth_implied);
  o.Num("market_depth", r.market_depth);
  o.Num("market_segment_id", r.market_segment_id);
  o.Num("max_trade_vol", r.max_trade_vol);
  o.Num("min_lot_size", r.min_lot_size);
  o.Num("min_lot_size_block", r.min_lot_size_block);
  o.Num("min_lot_size_round_lot", r.min_lot_size_round_lot);
  o.Num("min_trade_vol", r.min_trade_vol);
  o.Num("contract_multiplier", r.contract_multiplier);
  o.Num("decay_quantity", r.decay_quantity);
  o.Num("original_contract_size", r.original_contract_size);
  o.Num("appl_id", r.appl_id);
  o.Num("maturity_year", r.maturity_year);
  o.Num("decay_start_date", r.decay_start_date);
  o.Num("channel_id", r.channel_id);
  o.CStr("currency", r.currency);
  o.CStr("settl_currency", r.settl_currency);
  o.CStr("secsubtype", r.secsubtype);
  o.CStr("group", r.group);
  o.CStr("exchange", r.exchange);
  o.CStr("asset", r.asset);
  o.CStr("cfi", r.cfi);
  o.CStr("security_type", r.security_type);
  o.CStr("unit_of_measure", r.unit_of_measure);
  o.CStr("underlying", r.underlying);
  o.CStr("strike_price_currency", r.strike_price_currency);
  o.Px("strike_price", r.strike_price);
  o.Char("match_algorithm", r.match_algorithm);
  o.Num("main_fraction", r.main_fraction);
  o.Num("price_display_format", r.price_display_format);
  o.Num("sub_fraction", r.sub_fraction);
  o.Num("underlying_product", r.underlying_product);
  o.Num("maturity_month", r.maturity_month);
  o.Num("maturity_day", r.maturity_day);
  o.Num("maturity_week", r.maturity_week);
  o.Char("user_defined_instrument", r.user_defined_instrument);
  o.Num("contract_multiplier_unit", r.contract_multiplier_unit);
  o.Num("flow_schedule_type", r.flow_schedule_type);
  o.Num("tick_rule", r.tick_rule);
  o.Num("leg_count", r.leg_count);
  o.Num("leg_index", r.leg_index);
  o.Num("leg_instrument_id", r.leg_instrument_id);
  o.CStr("leg_raw_symbol", r.leg_raw_symbol);
  o.Char("leg_instrument_class", r.leg_instrument_class);
  o.Char("leg_side", r.leg_side);
  o.Px("leg_price", r.leg_price);
  o.Px("leg_delta", r.leg_delta);
  o.Num("leg_ratio_price_numerator", r.leg_ratio_price_numerator);
  o.Num("leg_ratio_price_denominator", r.leg_ratio_price_denominator);
  o.Num("leg_ratio_qty_numerator", r.leg_ratio_qty_numerator);
  o.Num("leg_ratio_qty_denominator", r.leg_ratio_qty_denominator);
  o.Num("leg_underlying_id", r.leg_underlying_id);
}

// v1 and v2 definitions print the same fields; only v1 spells security_update_action as an enum.
template <class Def>
void V1V2DefinitionFields(JsonObject& o, const Def& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.CStr("raw_symbol", r.raw_symbol);
  if constexpr (std::is_same_v<Def, v1::InstrumentDefMsg>) {
    o.EnumChar("security_update_action", r.security_update_action);
  } else {
    o.Char("security_update_action", r.security_update_action);
  }
  o.Char("instrument_class", r.instrument_class);
  o.Px("min_price_increment", r.min_price_increment);
  o.Px("display_factor", r.display_factor);
  o.Ts("expiration", r.expiration);
  o.Ts("activation", r.activation);
  o.Px("high_limit_price", r.high_limit_price);
  o.Px("low_limit_price", r.low_limit_price);
  o.Px("max_price_variation", r.max_price_variation);
  o.Px("trading_reference_price", r.trading_reference_price);
  o.Px("unit_of_measure_qty", r.unit_of_measure_qty);
  o.Px("min_price_increment_amount", r.min_price_increment_amount);
  o.Px("price_ratio", r.price_ratio);
  o.Num("inst_attrib_value", r.inst_attrib_value);
  o.Num("underlying_id", r.underlying_id);
  o.Num("raw_instrument_id", r.raw_instrument_id);
  o.Num("market_depth_implied", r.market_depth_implied);
  o.Num("market_depth", r.market_depth);
  o.Num("market_segment_id", r.market_segment_id);
  o.Num("max_trade_vol", r.max_trade_vol);
  o.Num("min_lot_size", r.min_lot_size);
  o.Num("min_lot_size_block", r.min_lot_size_block);
  o.Num("min_lot_size_round_lot", r.min_lot_size_round_lot);
  o.Num("min_trade_vol", r.min_trade_vol);
  o.Num("contract_multiplier", r.contract_multiplier);
  o.Num("decay_quantity", r.decay_quantity);
  o.Num("original_contract_size", r.original_contract_size);
  o.Num("trading_reference_date", r.trading_reference_date);
  o.Num("appl_id", r.appl_id);
  o.Num("maturity_year", r.maturity_year);
  o.Num("decay_start_date", r.decay_start_date);
  o.Num("channel_id", r.channel_id);
  o.CStr("currency", r.currency);
  o.CStr("settl_currency", r.settl_currency);
  o.CStr("secsubtype", r.secsubtype);
  o.CStr("group", r.group);
  o.CStr("exchange", r.exchange);
  o.CStr("asset", r.asset);
  o.CStr("cfi", r.cfi);
  o.CStr("security_type", r.security_type);
  o.CStr("unit_of_measure", r.unit_of_measure);
  o.CStr("underlying", r.underlying);
  o.CStr("strike_price_currency", r.strike_price_currency);
  o.Px("strike_price", r.strike_price);
  o.Char("match_algorithm", r.match_algorithm);
  o.Num("md_security_trading_status", r.md_security_trading_status);
  o.Num("main_fraction", r.main_fraction);
  o.Num("price_display_format", r.price_display_format);
  o.Num("settl_price_type", r.settl_price_type);
  o.Num("sub_fraction", r.sub_fraction);
  o.Num("underlying_product", r.underlying_product);
  o.Num("maturity_month", r.maturity_month);
  o.Num("maturity_day", r.maturity_day);
  o.Num("maturity_week", r.maturity_week);
  o.EnumChar("user_defined_instrument", r.user_defined_instrument);
  o.Num("contract_multiplier_unit", r.contract_multiplier_unit);
  o.Num("flow_schedule_type", r.flow_schedule_type);
  o.Num("tick_rule", r.tick_rule);
}

void Fields(JsonObject& o, const v2::InstrumentDefMsg& r) { V1V2DefinitionFields(o, r); }

void Fields(JsonObject& o, const v1::InstrumentDefMsg& r) { V1V2DefinitionFields(o, r); }

// v1/v2 and v3 statistics print the same fields; v3's quantity is an i64, which JSON gets as a string.
template <class Stat>
void StatFields(JsonObject& o, const Stat& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Ts("ts_ref", r.ts_ref);
  o.Px("price", r.price);
  if constexpr (std::is_same_v<Stat, v1::StatMsg>) {
    o.Num("quantity", r.quantity);
  } else {
    o.Int64("quantity", r.quantity);
  }
  o.Num("sequence", r.sequence);
  o.Num("ts_in_delta", r.ts_in_delta);
  o.Num("stat_type", r.stat_type);
  o.Num("channel_id", r.channel_id);
  o.Num("update_action", r.update_action);
  o.Num("stat_flags", r.stat_flags);
}

void Fields(JsonObject& o, const StatMsg& r) { StatFields(o, r); }

void Fields(JsonObject& o, const v1::StatMsg& r) { StatFields(o, r); }

void Fields(JsonObject& o, const ErrorMsg& r) {
  o.Header("hd", r.hd);
  o.CStr("err", r.err);
  o.Num("code", r.code);
  o.Num("is_last", r.is_last);
}

void Fields(JsonObject& o, const v1::ErrorMsg& r) {
  o.Header("hd", r.hd);
  o.CStr("err", r.err);
}

void Fields(JsonObject& o, const SymbolMappingMsg& r) {
  o.Header("hd", r.hd);
  o.Num("stype_in", r.stype_in);
  o.CStr("stype_in_symbol", r.stype_in_symbol);
  o.Num("stype_out", r.stype_out);
  o.CStr("stype_out_symbol", r.stype_out_symbol);
  o.Ts("start_ts", r.start_ts);
  o.Ts("end_ts", r.end_ts);
}

void Fields(JsonObject& o, const v1::SymbolMappingMsg& r) {
  o.Header("hd", r.hd);
  o.CStr("stype_in_symbol", r.stype_in_symbol);
  o.CStr("stype_out_symbol", r.stype_out_symbol);
  o.Ts("start_ts", r.start_ts);
  o.Ts("end_ts", r.end_ts);
}

void Fields(JsonObject& o, const SystemMsg& r) {
  o.Header("hd", r.hd);
  o.CStr("msg", r.msg);
  o.Num("code", r.code);
}

void Fields(JsonObject& o, const v1::SystemMsg& r) {
  o.Header("hd", r.hd);
  o.CStr("msg", r.msg);
}

void Fields(JsonObject& o, const MboMsg& r) {
  o.Ts("ts_recv", r.ts_recv);
  o.Header("hd", r.hd);
  o.Char("action", r.action);
  o.Char("side", r.side);
  o.Px("price", r.price);
  o.Num("size", r.size);
  o.Num("channel_id", r.channel_id);
  o.Int64("order_id", r.order_id);
  o.Num("flags", r.flags);
  o.Num("ts_in_delta", r.ts_in_delta);
  o.Num("sequence", r.sequence);
}

template <class T>
void Write(JsonObject& o, const RecordRef& record) {
  Fields(o, *reinterpret_cast<const T*>(record.data()));
}

void WriteRecord(JsonObject& o, const RecordRef& record) {
  const std::size_t size = record.size();
  switch (record.rtype()) {
    case RType::kMbp0:
      return Write<TradeMsg>(o, record);
    case RType::kMbp1:
      return Write<Mbp1Msg>(o, record);
    case RType::kMbp10:
      return Write<Mbp10Msg>(o, record);
    case RType::kOhlcvDeprecated:
    case RType::kOhlcv1S:
    case RType::kOhlcv1M:
    case RType::kOhlcv1H:
    case RType::kOhlcv1D:
    case RType::kOhlcvEod:
      return Write<OhlcvMsg>(o, record);
    case RType::kImbalance:
      return Write<ImbalanceMsg>(o, record);
    case RType::kStatus:
      return Write<StatusMsg>(o, record);
    case RType::kInstrumentDef:
      if (size < sizeof(v2::InstrumentDefMsg)) return Write<v1::InstrumentDefMsg>(o, record);
      if (size < sizeof(InstrumentDefMsg)) return Write<v2::InstrumentDefMsg>(o, record);
      return Write<InstrumentDefMsg>(o, record);
    case RType::kSymbolMapping:
      if (size < sizeof(SymbolMappingMsg)) return Write<v1::SymbolMappingMsg>(o, record);
      return Write<SymbolMappingMsg>(o, record);
    case RType::kError:
      if (size < sizeof(ErrorMsg)) return Write<v1::ErrorMsg>(o, record);
      return Write<ErrorMsg>(o, record);
    case RType::kSystem:
      if (size < sizeof(SystemMsg)) return Write<v1::SystemMsg>(o, record);
      return Write<SystemMsg>(o, record);
    case RType::kStatistics:
      if (size < sizeof(StatMsg)) return Write<v1::StatMsg>(o, record);
      return Write<StatMsg>(o, record);
    case RType::kMbo:
      return Write<MboMsg>(o, record);
    case RType::kCmbp1:
    case RType::kTcbbo:
      return Write<Cmbp1Msg>(o, record);
    case RType::kBbo1S:
    case RType::kBbo1M:
      return Write<BboMsg>(o, record);
    case RType::kCbbo1S:
    case RType::kCbbo1M:
      return Write<CbboMsg>(o, record);
  }
  throw std::invalid_argument(fmt::format("no JSON form for rtype 0x{:02x}", static_cast<unsigned>(record.rtype())));
}

}  // namespace

std::string FormatTimestamp(std::uint64_t ts) {
  // Days first: a u64 timestamp past 2262 does not fit std::chrono's signed nanoseconds.
  constexpr std::uint64_t kNsPerDay = 86'400'000'000'000ULL;
  const std::chrono::sys_days day{std::chrono::days{static_cast<std::int64_t>(ts / kNsPerDay)}};
  const std::uint64_t ns_of_day = ts % kNsPerDay;
  const std::uint64_t secs = ns_of_day / 1'000'000'000;
  return fmt::format("{}T{:02}:{:02}:{:02}.{:09}Z", common::FormatDate(common::Date{day}), secs / 3600, secs / 60 % 60,
                     secs % 60, ns_of_day % 1'000'000'000);
}

std::string FormatPrice(std::int64_t px) {
  if (px == kUndefPrice) return "UNDEF_PRICE";
  // Rust computes -px with wrapping arithmetic; i64::MIN therefore prints as two negative parts.
  if (px == std::numeric_limits<std::int64_t>::min()) return "--9223372036.-854775808";
  const bool negative = px < 0;
  const std::int64_t abs = negative ? -px : px;
  return fmt::format("{}{}.{:09}", negative ? "-" : "", abs / kFixedPriceScale, abs % kFixedPriceScale);
}

void AppendJson(std::string& out, const RecordRef& record, bool pretty, const std::string* const* symbol) {
  const std::size_t start = out.size();
  JsonObject o{out, pretty, 0};
  try {
    WriteRecord(o, record);
  } catch (...) {
    out.resize(start);
    throw;
  }
  if (record.has_ts_out()) o.Ts("ts_out", record.ts_out());
  if (symbol != nullptr) {
    if (*symbol != nullptr) {
      o.Str("symbol", **symbol);
    } else {
      o.Null("symbol");
    }
  }
  o.End();
  out.push_back('\n');
}

void AppendJson(std::string& out, const Metadata& m, bool pretty) {
  JsonObject o{out, pretty, 0};
  o.Num("version", static_cast<unsigned>(m.version));
  o.Str("dataset", m.dataset);
  if (m.schema) {
    o.Str("schema", ToString(*m.schema));
  } else {
    o.Null("schema");
  }
  o.Ts("start", m.start);
  if (m.end == kUndefTimestamp || m.end == 0) {
    o.Null("end");
  } else {
    o.Ts("end", m.end);
  }
  if (m.limit == 0) {
    o.Null("limit");
  } else {
    o.Int64("limit", m.limit);
  }
  if (m.stype_in) {
    o.Str("stype_in", ToString(*m.stype_in));
  } else {
    o.Null("stype_in");
  }
  o.Str("stype_out", ToString(m.stype_out));
  o.Bool("ts_out", m.ts_out);
  o.Num("symbol_cstr_len", m.symbol_cstr_len);
  o.Strings("symbols", m.symbols);
  o.Strings("partial", m.partial);
  o.Strings("not_found", m.not_found);
  o.Mappings("mappings", m.mappings);
  o.End();
  out.push_back('\n');
}

}  // namespace spymaster::dbn
