// FixedDivisor against plain integer division (an independent implementation: the C++ operators, floored
// by hand), over the price ranges the book sees and the int64 extremes.
#include "book/fixed_divisor.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace spymaster::book {
namespace {

void Expect(const FixedDivisor& f, int64_t n) {
  const int64_t d = f.divisor();
  int64_t want_q = n / d, want_r = n % d;
  if (want_r < 0) {
    want_r += d;
    --want_q;
  }
  int64_t q, r;
  f.FloorDivMod(n, q, r);
  ASSERT_EQ(q, want_q) << n << " / " << d;
  ASSERT_EQ(r, want_r) << n << " % " << d;
  // Ties to even, spelled out: the nearer of q and q+1, the even one on a tie.
  const int64_t twice = 2 * want_r;
  const int64_t rounded = twice < d ? want_q : twice > d ? want_q + 1 : (want_q % 2 == 0 ? want_q : want_q + 1);
  ASSERT_EQ(f.RoundHalfEven(n), rounded) << n << " / " << d;
  ASSERT_EQ(f.Divides(n), want_r == 0) << n;
}

TEST(FixedDivisorTest, MatchesIntegerDivisionOnPricesAndExtremes) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (int64_t d : {int64_t{1}, int64_t{3}, int64_t{10'000'000}, int64_t{250'000'000}, int64_t{500'000'000},
                    int64_t{5'000'000'000}, int64_t{1} << 40}) {
    const FixedDivisor f(d);
    for (int64_t n :
         {int64_t{0}, int64_t{1}, int64_t{-1}, d, -d, d / 2, -d / 2, d + d / 2, -(d + d / 2), kMax, kMin, kMax - 1,
          kMin + 1, (int64_t{1} << 52) - 1, -(int64_t{1} << 52) + 1, int64_t{1} << 52, -(int64_t{1} << 52)}) {
      Expect(f, n);
    }
    std::mt19937_64 rng(d);
    for (int i = 0; i < 200'000; ++i) {
      // Near multiples and half multiples of d, where rounding errors would show, at every magnitude.
      const int64_t k = static_cast<int64_t>(rng() % 2'000'001) - 1'000'000;
      const int64_t jitter = static_cast<int64_t>(rng() % 5) - 2;
      const int64_t base = k * d + (rng() % 2 == 0 ? 0 : d / 2);
      Expect(f, base + jitter);
      Expect(f, static_cast<int64_t>(rng()));
    }
  }
}

}  // namespace
}  // namespace spymaster::book
