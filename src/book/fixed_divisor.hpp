// Division by a divisor fixed for a book's life (a tick, a silver cell) without a 64-bit integer
// division per event: a multiply by the reciprocal gives the quotient within ±2 for |n| < 2^52, and a
// multiply-subtract with at most two corrections makes it exact. Larger |n| (garbage prices only) take
// the plain division, so every int64 is handled.
#pragma once

#include <cstdint>

namespace spymaster::book {

class FixedDivisor {
 public:
  // d > 0.
  explicit FixedDivisor(int64_t d) : d_(d), inv_(1.0 / static_cast<double>(d)) {}

  int64_t divisor() const { return d_; }

  // q = floor(n / d), r = n − q·d in [0, d).
  void FloorDivMod(int64_t n, int64_t& q, int64_t& r) const {
    constexpr int64_t kExact = int64_t{1} << 52;
    if (n >= kExact || n <= -kExact) [[unlikely]] {
      q = n / d_;
      r = n % d_;
      if (r < 0) {
        r += d_;
        --q;
      }
      return;
    }
    q = static_cast<int64_t>(static_cast<double>(n) * inv_);
    r = n - q * d_;
    while (r < 0) {
      --q;
      r += d_;
    }
    while (r >= d_) {
      ++q;
      r -= d_;
    }
  }

  // round(n / d) with ties to even (Python's round, which the spec's formulas use).
  int64_t RoundHalfEven(int64_t n) const {
    int64_t q, r;
    FloorDivMod(n, q, r);
    if (2 * r > d_ || (2 * r == d_ && (q & 1) != 0)) ++q;
    return q;
  }

  bool Divides(int64_t n) const {
    int64_t q, r;
    FloorDivMod(n, q, r);
    return r == 0;
  }

 private:
  int64_t d_;
  double inv_;
};

}  // namespace spymaster::book
