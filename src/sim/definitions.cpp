#include "sim/definitions.hpp"

#include <algorithm>
#include <string_view>

namespace spymaster::sim {
namespace {

template <std::size_t N>
void CopyText(std::array<char, N>& dst, std::string_view text) {
  dst.fill('\0');
  std::copy_n(text.begin(), std::min(text.size(), N - 1), dst.begin());
}

}  // namespace

dbn::InstrumentDefMsg MakeDefinition(const ProductPlan& plan, const Instrument& in, const Session& session,
                                     std::uint64_t ts) {
  const bool cme = plan.dataset == "GLBX.MDP3";
  dbn::InstrumentDefMsg d;
  d.hd.publisher_id = plan.publisher_id;
  d.hd.instrument_id = in.instrument_id;
  d.hd.ts_event = ts;
  d.ts_recv = ts + 2000;
  d.min_price_increment = in.tick;
  d.display_factor = dbn::kFixedPriceScale;
  d.expiration = in.expiration;
  d.activation = session.day_start_ns - 30 * 86'400 * kNsPerSecond;
  d.strike_price = in.strike_price;
  d.raw_instrument_id = in.instrument_id;
  d.underlying_id = in.underlying_id;
  d.contract_multiplier = cme ? 1 : 100;  // one ES future per option; 100 shares per equity option
  d.min_lot_size = 1;
  d.min_lot_size_round_lot = 1;
  d.channel_id = 0;
  d.market_depth = cme ? 10 : 1;
  d.maturity_year = static_cast<std::uint16_t>(static_cast<int>(session.date.year()));
  CopyText(d.currency, "USD");
  CopyText(d.settl_currency, "USD");
  CopyText(d.strike_price_currency, in.strike_price == dbn::kUndefPrice ? "" : "USD");
  CopyText(d.raw_symbol, in.raw_symbol);
  CopyText(d.group, cme ? "ES" : in.asset);
  CopyText(d.exchange, cme ? "XCME" : "OPRA");
  CopyText(d.asset, in.asset);
  CopyText(d.cfi, in.instrument_class == 'C' ? "OCAFPS" : in.instrument_class == 'P' ? "OPAFPS" : "OMXXXX");
  CopyText(d.security_type, cme ? (in.user_defined ? "MLEG" : "OOF") : "OSTK");
  CopyText(d.underlying, in.underlying);
  d.instrument_class = in.instrument_class;
  d.match_algorithm = cme ? 'F' : ' ';
  d.security_update_action = 'A';
  d.user_defined_instrument = in.user_defined ? 'Y' : 'N';
  if (in.user_defined) d.leg_count = 2;
  return d;
}

}  // namespace spymaster::sim
