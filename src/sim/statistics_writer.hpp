// The statistics file of an option product, written alongside its market data: the prior session's
// settlement (CME) or close (OPRA), open interest and cleared volume at the opening snapshot, then the
// opening price and each new session high and low as trades print.
#pragma once

#include <cstdint>
#include <vector>

#include "dbn/encoder.hpp"
#include "sim/instruments.hpp"
#include "sim/market_path.hpp"
#include "sim/rng.hpp"
#include "sim/session.hpp"
#include "sim/stamper.hpp"

namespace spymaster::sim {

class StatisticsWriter {
 public:
  StatisticsWriter(const ProductPlan& plan, const MarketPath& path, const Session& session, dbn::Encoder* encoder,
                   Rng values, Rng stamps);

  // Prior-session statistics of every instrument, at the opening snapshot time.
  void Opening(std::uint64_t ts);
  // A trade of instrument `index` (in plan order) at `price`; only session trades set open/high/low.
  void Trade(std::uint64_t ts, std::size_t index, std::int64_t price);
  std::uint64_t records() const { return records_; }

 private:
  struct State {
    bool opened = false;
    std::int64_t high = 0, low = 0;
  };

  void Write(std::uint64_t ts, std::size_t index, std::uint16_t type, std::int64_t price, std::int64_t qty,
             std::uint64_t ts_ref, std::uint8_t stat_flags);

  const ProductPlan& plan_;
  const MarketPath& path_;
  const Session& session_;
  dbn::Encoder* encoder_;
  Rng rng_;
  Stamper stamper_;
  std::vector<State> state_;
  std::uint64_t records_ = 0;
};

}  // namespace spymaster::sim
