// Integer rounding helpers with Python's round() semantics (half to even), which the spec's formulas use.
#pragma once

#include <cstdint>

namespace spymaster::engine {

// round(num / den) with ties to even; den > 0.
constexpr int64_t RoundDivHalfEven(int64_t num, int64_t den) {
  int64_t q = num / den;
  int64_t r = num % den;
  if (r < 0) {  // floor division
    r += den;
    --q;
  }
  if (2 * r > den || (2 * r == den && (q & 1) != 0)) ++q;
  return q;
}

}  // namespace spymaster::engine
