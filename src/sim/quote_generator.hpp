// Consolidated top-of-book (OPRA CMBP-1) flow of one option: the quote tracks the option's fair value
// as the underlying moves (both sides re-quoted when it drifts a tick), sizes refresh, and occasional
// trades print at the bid or ask and deplete that side.
#pragma once

#include <cstdint>
#include <vector>

#include "dbn/record.hpp"
#include "sim/instruments.hpp"
#include "sim/market_path.hpp"
#include "sim/rng.hpp"
#include "sim/session.hpp"

namespace spymaster::sim {

class QuoteGenerator {
 public:
  QuoteGenerator(const Instrument& instrument, const MarketPath& path, const Session& session, double scale, Rng rng);

  std::uint64_t next_ts() const;
  // Appends the records of the next event (possibly none); the last carries F_LAST. Sets ts_event,
  // price, size, action, side, flags and the consolidated level; the caller fills the header and ts_recv.
  void Step(std::vector<dbn::Cmbp1Msg>& out);
  // The first two-sided quote, at the opening snapshot time.
  void Open(std::uint64_t ts, std::vector<dbn::Cmbp1Msg>& out);

  const Instrument& instrument() const { return instrument_; }

 private:
  struct Quote {
    std::int64_t bid_px, ask_px;  // kUndefPrice when that side is empty
    std::uint32_t bid_sz, ask_sz;
    std::uint16_t bid_pb, ask_pb;
  };
  Quote Target(std::uint64_t ts);
  std::uint32_t SampleSize();
  std::uint16_t SampleVenue();
  void Emit(std::vector<dbn::Cmbp1Msg>& out, std::uint64_t ts, char action, char side, std::int64_t price,
            std::uint32_t size) const;
  void ScheduleNext(std::uint64_t after);

  const Instrument& instrument_;
  const MarketPath& path_;
  const Session& session_;
  Rng rng_;
  double rate_ns_;
  Quote quote_{dbn::kUndefPrice, dbn::kUndefPrice, 0, 0, 0, 0};
  std::uint64_t next_ts_ = 0;
};

}  // namespace spymaster::sim
