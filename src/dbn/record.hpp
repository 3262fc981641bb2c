// DBN record structs with the exact on-disk layout (little-endian, natural alignment, explicit padding).
// Field names follow databento-cpp. Unqualified names are the current (v3) layouts; older layouts that differ
// live in namespaces v1 and v2. Default member values are the reference "null" values (spec §6), so
// `MboMsg msg;` is a valid record with a correct header length and rtype; set the fields you need.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

#include "dbn/enums.hpp"

namespace spymaster::dbn {

struct RecordHeader {
  std::uint8_t length;  // record size in 4-byte words, header and ts_out suffix included
  RType rtype;
  std::uint16_t publisher_id;
  std::uint32_t instrument_id;
  std::uint64_t ts_event;

  std::size_t Size() const { return static_cast<std::size_t>(length) * 4; }
};

// Header default for record type R: correct length and rtype, everything else zero.
template <class R>
constexpr RecordHeader HeaderFor(RType rtype) {
  return RecordHeader{static_cast<std::uint8_t>(sizeof(R) / 4), rtype, 0, 0, 0};
}

// Text of a fixed-size NUL-padded char array, up to the first NUL.
template <std::size_t N>
std::string_view CStr(const std::array<char, N>& chars) {
  std::size_t n = 0;
  while (n < N && chars[n] != '\0') ++n;
  return {chars.data(), n};
}

struct BidAskPair {
  std::int64_t bid_px = kUndefPrice;
  std::int64_t ask_px = kUndefPrice;
  std::uint32_t bid_sz = 0;
  std::uint32_t ask_sz = 0;
  std::uint32_t bid_ct = 0;
  std::uint32_t ask_ct = 0;
};

struct ConsolidatedBidAskPair {
  std::int64_t bid_px = kUndefPrice;
  std::int64_t ask_px = kUndefPrice;
  std::uint32_t bid_sz = 0;
  std::uint32_t ask_sz = 0;
  std::uint16_t bid_pb = 0;
  std::array<std::uint8_t, 2> reserved1{};
  std::uint16_t ask_pb = 0;
  std::array<std::uint8_t, 2> reserved2{};
};

struct MboMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kMbo; }
  RecordHeader hd = HeaderFor<MboMsg>(RType::kMbo);
  std::uint64_t order_id = 0;
  std::int64_t price = kUndefPrice;
  std::uint32_t size = kUndefOrderSize;
  std::uint8_t flags = 0;
  std::uint8_t channel_id = 255;
  char action = 'N';
  char side = 'N';
  std::uint64_t ts_recv = kUndefTimestamp;
  std::int32_t ts_in_delta = 0;
  std::uint32_t sequence = 0;
};

struct TradeMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kMbp0; }
  RecordHeader hd = HeaderFor<TradeMsg>(RType::kMbp0);
  std::int64_t price = kUndefPrice;
  std::uint32_t size = 0;
  char action = 'N';
  char side = 'N';
  std::uint8_t flags = 0;
  std::uint8_t depth = 0;
  std::uint64_t ts_recv = kUndefTimestamp;
  std::int32_t ts_in_delta = 0;
  std::uint32_t sequence = 0;
};

struct Mbp1Msg {  // also TbboMsg
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kMbp1; }
  RecordHeader hd = HeaderFor<Mbp1Msg>(RType::kMbp1);
  std::int64_t price = kUndefPrice;
  std::uint32_t size = 0;
  char action = 'N';
  char side = 'N';
  std::uint8_t flags = 0;
  std::uint8_t depth = 0;
  std::uint64_t ts_recv = kUndefTimestamp;
  std::int32_t ts_in_delta = 0;
  std::uint32_t sequence = 0;
  std::array<BidAskPair, 1> levels{};
};
using TbboMsg = Mbp1Msg;

struct Mbp10Msg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kMbp10; }
  RecordHeader hd = HeaderFor<Mbp10Msg>(RType::kMbp10);
  std::int64_t price = kUndefPrice;
  std::uint32_t size = 0;
  char action = 'N';
  char side = 'N';
  std::uint8_t flags = 0;
  std::uint8_t depth = 0;
  std::uint64_t ts_recv = kUndefTimestamp;
  std::int32_t ts_in_delta = 0;
  std::uint32_t sequence = 0;
  std::array<BidAskPair, 10> levels{};
};

struct BboMsg {  // bbo-1s, bbo-1m
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kBbo1S || rtype == RType::kBbo1M; }
  RecordHeader hd = HeaderFor<BboMsg>(RType::kBbo1S);
  std::int64_t price = kUndefPrice;
  std::uint32_t size = 0;
  std::uint8_t reserved1 = 0;
  char side = 'N';
  std::uint8_t flags = 0;
  std::uint8_t reserved2 = 0;
  std::uint64_t ts_recv = kUndefTimestamp;
  std::array<std::uint8_t, 4> reserved3{};
  std::uint32_t sequence = 0;
  std::array<BidAskPair, 1> levels{};
};

struct Cmbp1Msg {  // cmbp-1, also TcbboMsg
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kCmbp1 || rtype == RType::kTcbbo; }
  RecordHeader hd = HeaderFor<Cmbp1Msg>(RType::kCmbp1);
  std::int64_t price = kUndefPrice;
  std::uint32_t size = 0;
  char action = 'N';
  char side = 'N';
  std::uint8_t flags = 0;
  std::array<std::uint8_t, 1> reserved1{};
  std::uint64_t ts_recv = kUndefTimestamp;
  std::int32_t ts_in_delta = 0;
  std::array<std::uint8_t, 4> reserved2{};
  std::array<ConsolidatedBidAskPair, 1> levels{};
};
using TcbboMsg = Cmbp1Msg;

struct CbboMsg {  // cbbo-1s, cbbo-1m
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kCbbo1S || rtype == RType::kCbbo1M; }
  RecordHeader hd = HeaderFor<CbboMsg>(RType::kCbbo1S);
  std::int64_t price = kUndefPrice;
  std::uint32_t size = 0;
  std::uint8_t reserved1 = 0;
  char side = 'N';
  std::uint8_t flags = 0;
  std::uint8_t reserved2 = 0;
  std::uint64_t ts_recv = kUndefTimestamp;
  std::array<std::uint8_t, 8> reserved3{};
  std::array<ConsolidatedBidAskPair, 1> levels{};
};

struct OhlcvMsg {
  static constexpr bool HasRType(RType rtype) {
    return rtype == RType::kOhlcvDeprecated || (rtype >= RType::kOhlcv1S && rtype <= RType::kOhlcvEod);
  }
  RecordHeader hd = HeaderFor<OhlcvMsg>(RType::kOhlcv1S);
  std::int64_t open = kUndefPrice;
  std::int64_t high = kUndefPrice;
  std::int64_t low = kUndefPrice;
  std::int64_t close = kUndefPrice;
  std::uint64_t volume = 0;
};

struct StatusMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kStatus; }
  RecordHeader hd = HeaderFor<StatusMsg>(RType::kStatus);
  std::uint64_t ts_recv = kUndefTimestamp;
  std::uint16_t action = 0;
  std::uint16_t reason = 0;
  std::uint16_t trading_event = 0;
  char is_trading = '~';
  char is_quoting = '~';
  char is_short_sell_restricted = '~';
  std::array<std::uint8_t, 7> reserved{};
};

struct ImbalanceMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kImbalance; }
  RecordHeader hd = HeaderFor<ImbalanceMsg>(RType::kImbalance);
  std::uint64_t ts_recv = kUndefTimestamp;
  std::int64_t ref_price = kUndefPrice;
  std::uint64_t auction_time = 0;
  std::int64_t cont_book_clr_price = kUndefPrice;
  std::int64_t auct_interest_clr_price = kUndefPrice;
  std::int64_t ssr_filling_price = kUndefPrice;
  std::int64_t ind_match_price = kUndefPrice;
  std::int64_t upper_collar = kUndefPrice;
  std::int64_t lower_collar = kUndefPrice;
  std::uint32_t paired_qty = kUndefOrderSize;
  std::uint32_t total_imbalance_qty = kUndefOrderSize;
  std::uint32_t market_imbalance_qty = kUndefOrderSize;
  std::uint32_t unpaired_qty = kUndefOrderSize;
  char auction_type = '~';
  char side = 'N';
  std::uint8_t auction_status = 0;
  std::uint8_t freeze_status = 0;
  std::uint8_t num_extensions = 0;
  char unpaired_side = 'N';
  char significant_imbalance = '~';
  std::array<std::uint8_t, 1> reserved{};
};

// v3 instrument definition.
struct InstrumentDefMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kInstrumentDef; }
  RecordHeader hd = HeaderFor<InstrumentDefMsg>(RType::kInstrumentDef);
  std::uint64_t ts_recv = kUndefTimestamp;
  std::int64_t min_price_increment = kUndefPrice;
  std::int64_t display_factor = kUndefPrice;
  std::uint64_t expiration = kUndefTimestamp;
  std::uint64_t activation = kUndefTimestamp;
  std::int64_t high_limit_price = kUndefPrice;
  std::int64_t low_limit_price = kUndefPrice;
  std::int64_t max_price_variation = kUndefPrice;
  std::int64_t unit_of_measure_qty = kUndefPrice;
  std::int64_t min_price_increment_amount = kUndefPrice;
  std::int64_t price_ratio = kUndefPrice;
  std::int64_t strike_price = kUndefPrice;
  std::uint64_t raw_instrument_id = 0;
  std::int64_t leg_price = kUndefPrice;
  std::int64_t leg_delta = kUndefPrice;
  std::int32_t inst_attrib_value = std::numeric_limits<std::int32_t>::max();
  std::uint32_t underlying_id = 0;
  std::int32_t market_depth_implied = std::numeric_limits<std::int32_t>::max();
  std::int32_t market_depth = std::numeric_limits<std::int32_t>::max();
  std::uint32_t market_segment_id = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t max_trade_vol = std::numeric_limits<std::uint32_t>::max();
  std::int32_t min_lot_size = std::numeric_limits<std::int32_t>::max();
  std::int32_t min_lot_size_block = std::numeric_limits<std::int32_t>::max();
  std::int32_t min_lot_size_round_lot = std::numeric_limits<std::int32_t>::max();
  std::uint32_t min_trade_vol = std::numeric_limits<std::uint32_t>::max();
  std::int32_t contract_multiplier = std::numeric_limits<std::int32_t>::max();
  std::int32_t decay_quantity = std::numeric_limits<std::int32_t>::max();
  std::int32_t original_contract_size = std::numeric_limits<std::int32_t>::max();
  std::uint32_t leg_instrument_id = 0;
  std::int32_t leg_ratio_price_numerator = 0;
  std::int32_t leg_ratio_price_denominator = 0;
  std::int32_t leg_ratio_qty_numerator = 0;
  std::int32_t leg_ratio_qty_denominator = 0;
  std::uint32_t leg_underlying_id = 0;
  std::int16_t appl_id = std::numeric_limits<std::int16_t>::max();
  std::uint16_t maturity_year = std::numeric_limits<std::uint16_t>::max();
  std::uint16_t decay_start_date = std::numeric_limits<std::uint16_t>::max();
  std::uint16_t channel_id = std::numeric_limits<std::uint16_t>::max();
  std::uint16_t leg_count = 0;
  std::uint16_t leg_index = 0;
  std::array<char, 4> currency{};
  std::array<char, 4> settl_currency{};
  std::array<char, 6> secsubtype{};
  std::array<char, 71> raw_symbol{};
  std::array<char, 21> group{};
  std::array<char, 5> exchange{};
  std::array<char, 11> asset{};
  std::array<char, 7> cfi{};
  std::array<char, 7> security_type{};
  std::array<char, 31> unit_of_measure{};
  std::array<char, 21> underlying{};
  std::array<char, 4> strike_price_currency{};
  std::array<char, 71> leg_raw_symbol{};
  char instrument_class = 0;
  char match_algorithm = ' ';
  std::uint8_t main_fraction = 255;
  std::uint8_t price_display_format = 255;
  std::uint8_t sub_fraction = 255;
  std::uint8_t underlying_product = 255;
  char security_update_action = 'A';
  std::uint8_t maturity_month = 255;
  std::uint8_t maturity_day = 255;
  std::uint8_t maturity_week = 255;
  char user_defined_instrument = 'N';
  std::int8_t contract_multiplier_unit = 127;
  std::int8_t flow_schedule_type = 127;
  std::uint8_t tick_rule = 255;
  char leg_instrument_class = 0;
  char leg_side = 'N';
  std::array<std::uint8_t, 17> reserved{};
};

// v3 statistics.
struct StatMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kStatistics; }
  RecordHeader hd = HeaderFor<StatMsg>(RType::kStatistics);
  std::uint64_t ts_recv = kUndefTimestamp;
  std::uint64_t ts_ref = kUndefTimestamp;
  std::int64_t price = kUndefPrice;
  std::int64_t quantity = kUndefStatQuantity;
  std::uint32_t sequence = 0;
  std::int32_t ts_in_delta = 0;
  std::uint16_t stat_type = 0;
  std::uint16_t channel_id = std::numeric_limits<std::uint16_t>::max();
  std::uint8_t update_action = 1;
  std::uint8_t stat_flags = 0;
  std::array<std::uint8_t, 18> reserved{};
};

// v2/v3 live-gateway error.
struct ErrorMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kError; }
  RecordHeader hd = HeaderFor<ErrorMsg>(RType::kError);
  std::array<char, 302> err{};
  std::uint8_t code = 255;
  std::uint8_t is_last = 255;
};

// v2/v3 live-gateway symbol mapping.
struct SymbolMappingMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kSymbolMapping; }
  RecordHeader hd = HeaderFor<SymbolMappingMsg>(RType::kSymbolMapping);
  std::uint8_t stype_in = 255;
  std::array<char, 71> stype_in_symbol{};
  std::uint8_t stype_out = 255;
  std::array<char, 71> stype_out_symbol{};
  std::uint64_t start_ts = kUndefTimestamp;
  std::uint64_t end_ts = kUndefTimestamp;
};

// v2/v3 live-gateway system message (heartbeat, subscription ack, ...).
struct SystemMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kSystem; }
  RecordHeader hd = HeaderFor<SystemMsg>(RType::kSystem);
  std::array<char, 303> msg{};
  std::uint8_t code = 255;
};

namespace v2 {

struct InstrumentDefMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kInstrumentDef; }
  RecordHeader hd = HeaderFor<InstrumentDefMsg>(RType::kInstrumentDef);
  std::uint64_t ts_recv = kUndefTimestamp;
  std::int64_t min_price_increment = kUndefPrice;
  std::int64_t display_factor = kUndefPrice;
  std::uint64_t expiration = kUndefTimestamp;
  std::uint64_t activation = kUndefTimestamp;
  std::int64_t high_limit_price = kUndefPrice;
  std::int64_t low_limit_price = kUndefPrice;
  std::int64_t max_price_variation = kUndefPrice;
  std::int64_t trading_reference_price = kUndefPrice;
  std::int64_t unit_of_measure_qty = kUndefPrice;
  std::int64_t min_price_increment_amount = kUndefPrice;
  std::int64_t price_ratio = kUndefPrice;
  std::int64_t strike_price = kUndefPrice;
  std::int32_t inst_attrib_value = std::numeric_limits<std::int32_t>::max();
  std::uint32_t underlying_id = 0;
  std::uint32_t raw_instrument_id = 0;
  std::int32_t market_depth_implied = std::numeric_limits<std::int32_t>::max();
  std::int32_t market_depth = std::numeric_limits<std::int32_t>::max();
  std::uint32_t market_segment_id = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t max_trade_vol = std::numeric_limits<std::uint32_t>::max();
  std::int32_t min_lot_size = std::numeric_limits<std::int32_t>::max();
  std::int32_t min_lot_size_block = std::numeric_limits<std::int32_t>::max();
  std::int32_t min_lot_size_round_lot = std::numeric_limits<std::int32_t>::max();
  std::uint32_t min_trade_vol = std::numeric_limits<std::uint32_t>::max();
  std::int32_t contract_multiplier = std::numeric_limits<std::int32_t>::max();
  std::int32_t decay_quantity = std::numeric_limits<std::int32_t>::max();
  std::int32_t original_contract_size = std::numeric_limits<std::int32_t>::max();
  std::uint16_t trading_reference_date = std::numeric_limits<std::uint16_t>::max();
  std::int16_t appl_id = std::numeric_limits<std::int16_t>::max();
  std::uint16_t maturity_year = std::numeric_limits<std::uint16_t>::max();
  std::uint16_t decay_start_date = std::numeric_limits<std::uint16_t>::max();
  std::uint16_t channel_id = std::numeric_limits<std::uint16_t>::max();
  std::array<char, 4> currency{};
  std::array<char, 4> settl_currency{};
  std::array<char, 6> secsubtype{};
  std::array<char, 71> raw_symbol{};
  std::array<char, 21> group{};
  std::array<char, 5> exchange{};
  std::array<char, 7> asset{};
  std::array<char, 7> cfi{};
  std::array<char, 7> security_type{};
  std::array<char, 31> unit_of_measure{};
  std::array<char, 21> underlying{};
  std::array<char, 4> strike_price_currency{};
  char instrument_class = 0;
  char match_algorithm = ' ';
  std::uint8_t md_security_trading_status = 255;
  std::uint8_t main_fraction = 255;
  std::uint8_t price_display_format = 255;
  std::uint8_t settl_price_type = 255;
  std::uint8_t sub_fraction = 255;
  std::uint8_t underlying_product = 255;
  char security_update_action = 'A';
  std::uint8_t maturity_month = 255;
  std::uint8_t maturity_day = 255;
  std::uint8_t maturity_week = 255;
  char user_defined_instrument = 'N';
  std::int8_t contract_multiplier_unit = 127;
  std::int8_t flow_schedule_type = 127;
  std::uint8_t tick_rule = 255;
  std::array<std::uint8_t, 10> reserved{};
};

// v1 and v2 statistics share one layout (quantity is i32).
struct StatMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kStatistics; }
  RecordHeader hd = HeaderFor<StatMsg>(RType::kStatistics);
  std::uint64_t ts_recv = kUndefTimestamp;
  std::uint64_t ts_ref = kUndefTimestamp;
  std::int64_t price = kUndefPrice;
  std::int32_t quantity = kUndefStatQuantityV1;
  std::uint32_t sequence = 0;
  std::int32_t ts_in_delta = 0;
  std::uint16_t stat_type = 0;
  std::uint16_t channel_id = std::numeric_limits<std::uint16_t>::max();
  std::uint8_t update_action = 1;
  std::uint8_t stat_flags = 0;
  std::array<std::uint8_t, 6> reserved{};
};

using ErrorMsg = dbn::ErrorMsg;
using SymbolMappingMsg = dbn::SymbolMappingMsg;
using SystemMsg = dbn::SystemMsg;

}  // namespace v2

namespace v1 {

struct InstrumentDefMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kInstrumentDef; }
  RecordHeader hd = HeaderFor<InstrumentDefMsg>(RType::kInstrumentDef);
  std::uint64_t ts_recv = kUndefTimestamp;
  std::int64_t min_price_increment = kUndefPrice;
  std::int64_t display_factor = kUndefPrice;
  std::uint64_t expiration = kUndefTimestamp;
  std::uint64_t activation = kUndefTimestamp;
  std::int64_t high_limit_price = kUndefPrice;
  std::int64_t low_limit_price = kUndefPrice;
  std::int64_t max_price_variation = kUndefPrice;
  std::int64_t trading_reference_price = kUndefPrice;
  std::int64_t unit_of_measure_qty = kUndefPrice;
  std::int64_t min_price_increment_amount = kUndefPrice;
  std::int64_t price_ratio = kUndefPrice;
  std::int32_t inst_attrib_value = std::numeric_limits<std::int32_t>::max();
  std::uint32_t underlying_id = 0;
  std::uint32_t raw_instrument_id = 0;
  std::int32_t market_depth_implied = std::numeric_limits<std::int32_t>::max();
  std::int32_t market_depth = std::numeric_limits<std::int32_t>::max();
  std::uint32_t market_segment_id = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t max_trade_vol = std::numeric_limits<std::uint32_t>::max();
  std::int32_t min_lot_size = std::numeric_limits<std::int32_t>::max();
  std::int32_t min_lot_size_block = std::numeric_limits<std::int32_t>::max();
  std::int32_t min_lot_size_round_lot = std::numeric_limits<std::int32_t>::max();
  std::uint32_t min_trade_vol = std::numeric_limits<std::uint32_t>::max();
  std::array<std::uint8_t, 4> reserved2{};
  std::int32_t contract_multiplier = std::numeric_limits<std::int32_t>::max();
  std::int32_t decay_quantity = std::numeric_limits<std::int32_t>::max();
  std::int32_t original_contract_size = std::numeric_limits<std::int32_t>::max();
  std::array<std::uint8_t, 4> reserved3{};
  std::uint16_t trading_reference_date = std::numeric_limits<std::uint16_t>::max();
  std::int16_t appl_id = std::numeric_limits<std::int16_t>::max();
  std::uint16_t maturity_year = std::numeric_limits<std::uint16_t>::max();
  std::uint16_t decay_start_date = std::numeric_limits<std::uint16_t>::max();
  std::uint16_t channel_id = std::numeric_limits<std::uint16_t>::max();
  std::array<char, 4> currency{};
  std::array<char, 4> settl_currency{};
  std::array<char, 6> secsubtype{};
  std::array<char, 22> raw_symbol{};
  std::array<char, 21> group{};
  std::array<char, 5> exchange{};
  std::array<char, 7> asset{};
  std::array<char, 7> cfi{};
  std::array<char, 7> security_type{};
  std::array<char, 31> unit_of_measure{};
  std::array<char, 21> underlying{};
  std::array<char, 4> strike_price_currency{};
  char instrument_class = 0;
  std::array<std::uint8_t, 2> reserved4{};
  std::int64_t strike_price = kUndefPrice;
  std::array<std::uint8_t, 6> reserved5{};
  char match_algorithm = ' ';
  std::uint8_t md_security_trading_status = 255;
  std::uint8_t main_fraction = 255;
  std::uint8_t price_display_format = 255;
  std::uint8_t settl_price_type = 255;
  std::uint8_t sub_fraction = 255;
  std::uint8_t underlying_product = 255;
  char security_update_action = 'A';
  std::uint8_t maturity_month = 255;
  std::uint8_t maturity_day = 255;
  std::uint8_t maturity_week = 255;
  char user_defined_instrument = 'N';
  std::int8_t contract_multiplier_unit = 127;
  std::int8_t flow_schedule_type = 127;
  std::uint8_t tick_rule = 255;
  std::array<std::uint8_t, 3> dummy{};
};

using StatMsg = v2::StatMsg;

struct ErrorMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kError; }
  RecordHeader hd = HeaderFor<ErrorMsg>(RType::kError);
  std::array<char, 64> err{};
};

struct SymbolMappingMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kSymbolMapping; }
  RecordHeader hd = HeaderFor<SymbolMappingMsg>(RType::kSymbolMapping);
  std::array<char, 22> stype_in_symbol{};
  std::array<char, 22> stype_out_symbol{};
  std::array<std::uint8_t, 4> dummy{};
  std::uint64_t start_ts = kUndefTimestamp;
  std::uint64_t end_ts = kUndefTimestamp;
};

struct SystemMsg {
  static constexpr bool HasRType(RType rtype) { return rtype == RType::kSystem; }
  RecordHeader hd = HeaderFor<SystemMsg>(RType::kSystem);
  std::array<char, 64> msg{};
};

}  // namespace v1

namespace v3 {
using dbn::ErrorMsg;
using dbn::InstrumentDefMsg;
using dbn::StatMsg;
using dbn::SymbolMappingMsg;
using dbn::SystemMsg;
}  // namespace v3

}  // namespace spymaster::dbn
