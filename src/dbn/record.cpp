// Compile-time proof that every record struct has the exact on-disk layout of spec §4.
#include "dbn/record.hpp"

#include <cstddef>

namespace spymaster::dbn {
namespace {

#define SPYMASTER_LAYOUT(T, field, offset) static_assert(offsetof(T, field) == (offset), #T "::" #field)

template <class T>
constexpr bool kIsPlainRecord = std::is_standard_layout_v<T>&& std::is_trivially_copyable_v<T> && alignof(T) == 8 &&
                                sizeof(T) % 8 == 0;

static_assert(sizeof(RecordHeader) == 16);
SPYMASTER_LAYOUT(RecordHeader, rtype, 1);
SPYMASTER_LAYOUT(RecordHeader, publisher_id, 2);
SPYMASTER_LAYOUT(RecordHeader, instrument_id, 4);
SPYMASTER_LAYOUT(RecordHeader, ts_event, 8);

static_assert(sizeof(BidAskPair) == 32 && sizeof(ConsolidatedBidAskPair) == 32);
SPYMASTER_LAYOUT(ConsolidatedBidAskPair, bid_pb, 24);
SPYMASTER_LAYOUT(ConsolidatedBidAskPair, ask_pb, 28);

static_assert(sizeof(MboMsg) == 56 && kIsPlainRecord<MboMsg>);
SPYMASTER_LAYOUT(MboMsg, order_id, 16);
SPYMASTER_LAYOUT(MboMsg, price, 24);
SPYMASTER_LAYOUT(MboMsg, size, 32);
SPYMASTER_LAYOUT(MboMsg, flags, 36);
SPYMASTER_LAYOUT(MboMsg, channel_id, 37);
SPYMASTER_LAYOUT(MboMsg, action, 38);
SPYMASTER_LAYOUT(MboMsg, side, 39);
SPYMASTER_LAYOUT(MboMsg, ts_recv, 40);
SPYMASTER_LAYOUT(MboMsg, ts_in_delta, 48);
SPYMASTER_LAYOUT(MboMsg, sequence, 52);

static_assert(sizeof(TradeMsg) == 48 && kIsPlainRecord<TradeMsg>);
SPYMASTER_LAYOUT(TradeMsg, action, 28);
SPYMASTER_LAYOUT(TradeMsg, depth, 31);
SPYMASTER_LAYOUT(TradeMsg, ts_recv, 32);
SPYMASTER_LAYOUT(TradeMsg, sequence, 44);

static_assert(sizeof(Mbp1Msg) == 80 && kIsPlainRecord<Mbp1Msg>);
SPYMASTER_LAYOUT(Mbp1Msg, sequence, 44);
SPYMASTER_LAYOUT(Mbp1Msg, levels, 48);
static_assert(sizeof(Mbp10Msg) == 368 && kIsPlainRecord<Mbp10Msg>);
static_assert(sizeof(BboMsg) == 80 && kIsPlainRecord<BboMsg>);
SPYMASTER_LAYOUT(BboMsg, side, 29);
SPYMASTER_LAYOUT(BboMsg, sequence, 44);

static_assert(sizeof(Cmbp1Msg) == 80 && kIsPlainRecord<Cmbp1Msg>);
SPYMASTER_LAYOUT(Cmbp1Msg, flags, 30);
SPYMASTER_LAYOUT(Cmbp1Msg, ts_recv, 32);
SPYMASTER_LAYOUT(Cmbp1Msg, ts_in_delta, 40);
SPYMASTER_LAYOUT(Cmbp1Msg, levels, 48);
static_assert(sizeof(CbboMsg) == 80 && kIsPlainRecord<CbboMsg>);
SPYMASTER_LAYOUT(CbboMsg, levels, 48);

static_assert(sizeof(OhlcvMsg) == 56 && kIsPlainRecord<OhlcvMsg>);
SPYMASTER_LAYOUT(OhlcvMsg, volume, 48);

static_assert(sizeof(StatusMsg) == 40 && kIsPlainRecord<StatusMsg>);
SPYMASTER_LAYOUT(StatusMsg, action, 24);
SPYMASTER_LAYOUT(StatusMsg, is_trading, 30);
SPYMASTER_LAYOUT(StatusMsg, is_short_sell_restricted, 32);

static_assert(sizeof(ImbalanceMsg) == 112 && kIsPlainRecord<ImbalanceMsg>);
SPYMASTER_LAYOUT(ImbalanceMsg, paired_qty, 88);
SPYMASTER_LAYOUT(ImbalanceMsg, auction_type, 104);
SPYMASTER_LAYOUT(ImbalanceMsg, significant_imbalance, 110);

static_assert(sizeof(InstrumentDefMsg) == 520 && kIsPlainRecord<InstrumentDefMsg>);
SPYMASTER_LAYOUT(InstrumentDefMsg, raw_instrument_id, 112);
SPYMASTER_LAYOUT(InstrumentDefMsg, leg_delta, 128);
SPYMASTER_LAYOUT(InstrumentDefMsg, inst_attrib_value, 136);
SPYMASTER_LAYOUT(InstrumentDefMsg, leg_underlying_id, 208);
SPYMASTER_LAYOUT(InstrumentDefMsg, appl_id, 212);
SPYMASTER_LAYOUT(InstrumentDefMsg, leg_index, 222);
SPYMASTER_LAYOUT(InstrumentDefMsg, currency, 224);
SPYMASTER_LAYOUT(InstrumentDefMsg, raw_symbol, 238);
SPYMASTER_LAYOUT(InstrumentDefMsg, asset, 335);
SPYMASTER_LAYOUT(InstrumentDefMsg, leg_raw_symbol, 416);
SPYMASTER_LAYOUT(InstrumentDefMsg, instrument_class, 487);
SPYMASTER_LAYOUT(InstrumentDefMsg, tick_rule, 500);
SPYMASTER_LAYOUT(InstrumentDefMsg, leg_side, 502);
SPYMASTER_LAYOUT(InstrumentDefMsg, reserved, 503);

static_assert(sizeof(v2::InstrumentDefMsg) == 400 && kIsPlainRecord<v2::InstrumentDefMsg>);
SPYMASTER_LAYOUT(v2::InstrumentDefMsg, strike_price, 112);
SPYMASTER_LAYOUT(v2::InstrumentDefMsg, raw_instrument_id, 128);
SPYMASTER_LAYOUT(v2::InstrumentDefMsg, trading_reference_date, 176);
SPYMASTER_LAYOUT(v2::InstrumentDefMsg, channel_id, 184);
SPYMASTER_LAYOUT(v2::InstrumentDefMsg, raw_symbol, 200);
SPYMASTER_LAYOUT(v2::InstrumentDefMsg, asset, 297);
SPYMASTER_LAYOUT(v2::InstrumentDefMsg, instrument_class, 374);
SPYMASTER_LAYOUT(v2::InstrumentDefMsg, tick_rule, 389);

static_assert(sizeof(v1::InstrumentDefMsg) == 360 && kIsPlainRecord<v1::InstrumentDefMsg>);
SPYMASTER_LAYOUT(v1::InstrumentDefMsg, inst_attrib_value, 112);
SPYMASTER_LAYOUT(v1::InstrumentDefMsg, contract_multiplier, 160);
SPYMASTER_LAYOUT(v1::InstrumentDefMsg, trading_reference_date, 176);
SPYMASTER_LAYOUT(v1::InstrumentDefMsg, raw_symbol, 200);
SPYMASTER_LAYOUT(v1::InstrumentDefMsg, group, 222);
SPYMASTER_LAYOUT(v1::InstrumentDefMsg, instrument_class, 325);
SPYMASTER_LAYOUT(v1::InstrumentDefMsg, strike_price, 328);
SPYMASTER_LAYOUT(v1::InstrumentDefMsg, match_algorithm, 342);
SPYMASTER_LAYOUT(v1::InstrumentDefMsg, tick_rule, 356);

static_assert(sizeof(StatMsg) == 80 && kIsPlainRecord<StatMsg>);
SPYMASTER_LAYOUT(StatMsg, quantity, 40);
SPYMASTER_LAYOUT(StatMsg, sequence, 48);
SPYMASTER_LAYOUT(StatMsg, stat_type, 56);
SPYMASTER_LAYOUT(StatMsg, stat_flags, 61);
static_assert(sizeof(v1::StatMsg) == 64 && kIsPlainRecord<v1::StatMsg>);
SPYMASTER_LAYOUT(v1::StatMsg, quantity, 40);
SPYMASTER_LAYOUT(v1::StatMsg, stat_type, 52);
SPYMASTER_LAYOUT(v1::StatMsg, stat_flags, 57);

static_assert(sizeof(ErrorMsg) == 320 && kIsPlainRecord<ErrorMsg>);
SPYMASTER_LAYOUT(ErrorMsg, code, 318);
SPYMASTER_LAYOUT(ErrorMsg, is_last, 319);
static_assert(sizeof(SystemMsg) == 320 && kIsPlainRecord<SystemMsg>);
SPYMASTER_LAYOUT(SystemMsg, code, 319);
static_assert(sizeof(SymbolMappingMsg) == 176 && kIsPlainRecord<SymbolMappingMsg>);
SPYMASTER_LAYOUT(SymbolMappingMsg, stype_in_symbol, 17);
SPYMASTER_LAYOUT(SymbolMappingMsg, stype_out, 88);
SPYMASTER_LAYOUT(SymbolMappingMsg, stype_out_symbol, 89);
SPYMASTER_LAYOUT(SymbolMappingMsg, start_ts, 160);
static_assert(sizeof(v1::ErrorMsg) == 80 && kIsPlainRecord<v1::ErrorMsg>);
static_assert(sizeof(v1::SystemMsg) == 80 && kIsPlainRecord<v1::SystemMsg>);
static_assert(sizeof(v1::SymbolMappingMsg) == 80 && kIsPlainRecord<v1::SymbolMappingMsg>);
SPYMASTER_LAYOUT(v1::SymbolMappingMsg, stype_out_symbol, 38);
SPYMASTER_LAYOUT(v1::SymbolMappingMsg, start_ts, 64);

#undef SPYMASTER_LAYOUT

}  // namespace
}  // namespace spymaster::dbn
