// Header fields, receive time and sequence number of every record of one simulated file.
#pragma once

#include <algorithm>
#include <cstdint>

#include "dbn/record.hpp"
#include "sim/rng.hpp"

namespace spymaster::sim {

// ts_recv trails the record's arrival at the gateway by a few microseconds and never goes backwards;
// sequence numbers increase by one per record. The arrival is ts_event, except for a record stamped late
// (its ts_event lags): the generator then puts its arrival time in ts_recv. Records stay sorted by
// ts_recv, and by ts_event too unless some are stamped late.
class Stamper {
 public:
  Stamper(std::uint16_t publisher_id, Rng rng) : publisher_id_(publisher_id), rng_(rng) {}

  template <class R>
  void Apply(R& r, std::uint32_t instrument_id) {
    r.hd.publisher_id = publisher_id_;
    r.hd.instrument_id = instrument_id;
    const std::uint64_t arrival = r.ts_recv != dbn::kUndefTimestamp ? r.ts_recv : r.hd.ts_event;
    const std::uint64_t recv = arrival + 1500 + rng_.Below(6000);
    last_recv_ = std::max(last_recv_, recv);
    r.ts_recv = last_recv_;
    r.ts_in_delta = static_cast<std::int32_t>(800 + rng_.Below(12000));
    if constexpr (requires { r.sequence; }) r.sequence = sequence_++;
    if constexpr (requires { r.channel_id; }) r.channel_id = 0;
  }

 private:
  std::uint16_t publisher_id_;
  Rng rng_;
  std::uint64_t last_recv_ = 0;
  std::uint32_t sequence_ = 1'000'000;
};

}  // namespace spymaster::sim
