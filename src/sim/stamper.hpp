// Header fields, receive time and sequence number of every record of one simulated file.
#pragma once

#include <algorithm>
#include <cstdint>

#include "sim/rng.hpp"

namespace spymaster::sim {

// ts_recv trails ts_event by a few microseconds and never goes backwards (records stay sorted by both);
// sequence numbers increase by one per record.
class Stamper {
 public:
  Stamper(std::uint16_t publisher_id, Rng rng) : publisher_id_(publisher_id), rng_(rng) {}

  template <class R>
  void Apply(R& r, std::uint32_t instrument_id) {
    r.hd.publisher_id = publisher_id_;
    r.hd.instrument_id = instrument_id;
    const std::uint64_t recv = r.hd.ts_event + 1500 + rng_.Below(6000);
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
