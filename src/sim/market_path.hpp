// The latent market: one common log-price factor with volatility clustering (an Ornstein–Uhlenbeck
// log-volatility) and rare jumps, sampled on a fixed grid from the opening snapshot to the close. ES, SPY
// and QQQ fair prices are functions of it (QQQ with a higher beta, both with small idiosyncratic noise);
// options are priced from these. Scenario walls reflect the factor; vacuums add a fast move.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/session.hpp"

namespace spymaster::sim {

enum class Underlier { kEs, kSpy, kQqq };

// A vacuum's fast move runs this long after its pull phase ends.
inline constexpr double kVacuumMoveSeconds = 3.0;

class MarketPath {
 public:
  static constexpr std::uint64_t kStepNs = 10'000'000;  // 10 ms grid

  MarketPath(const Session& session, std::uint64_t seed);

  // Fair price in dollars at `ts` (clamped to the grid).
  double Price(Underlier u, std::uint64_t ts) const {
    const std::size_t i = Index(ts);
    switch (u) {
      case Underlier::kEs:
        return es_[i];
      case Underlier::kSpy:
        return spy_[i];
      case Underlier::kQqq:
        return qqq_[i];
    }
    return 0;
  }
  // Event-intensity multiplier: intraday profile (peak at the open, decaying; low in the premarket)
  // times the current volatility relative to its mean.
  double Activity(std::uint64_t ts) const { return activity_[Index(ts)]; }
  // Annualised volatility implied by the factor's current state (drives option implied vol).
  double AnnualVol(std::uint64_t ts) const { return annual_vol_[Index(ts)]; }

 private:
  std::size_t Index(std::uint64_t ts) const {
    if (ts <= start_ns_) return 0;
    const std::size_t i = static_cast<std::size_t>((ts - start_ns_) / kStepNs);
    return i < es_.size() ? i : es_.size() - 1;
  }

  std::uint64_t start_ns_ = 0;
  std::vector<double> es_, spy_, qqq_, activity_, annual_vol_;
};

}  // namespace spymaster::sim
