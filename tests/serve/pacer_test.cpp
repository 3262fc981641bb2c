// Pacing on a fake clock: due times follow window time / speed from the previous due time.
#include "serve/pacer.hpp"

#include <gtest/gtest.h>

namespace spymaster::serve {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(PacerTest, FirstWindowAtOnceThenGapOverSpeed) {
  Pacer p(2.0);
  EXPECT_EQ(p.Due(100 * kSec, 5), 5);
  p.Sent(100 * kSec, 5);
  EXPECT_EQ(p.Due(101 * kSec, 7), 5 + kSec / 2);
  p.Sent(101 * kSec, 5 + kSec / 2);
  // A three-second gap in the data waits three windows' worth.
  EXPECT_EQ(p.Due(104 * kSec, 0), 5 + kSec / 2 + 3 * kSec / 2);
}

TEST(PacerTest, LateServerCatchesUpInsteadOfDrifting) {
  Pacer p(1.0);
  p.Sent(10 * kSec, 0);
  // Sent late (at 1.5 s); the next window is still due at 2 s, not 2.5 s.
  EXPECT_EQ(p.Due(11 * kSec, 3 * kSec / 2), kSec);
  p.Sent(11 * kSec, kSec);
  EXPECT_EQ(p.Due(12 * kSec, 3 * kSec / 2), 2 * kSec);
}

TEST(PacerTest, MaxSpeedIsAlwaysDue) {
  Pacer p(std::nullopt);
  p.Sent(1 * kSec, 0);
  EXPECT_EQ(p.Due(1000 * kSec, 42), 42);
}

TEST(PacerTest, SpeedChangeAppliesFromNow) {
  Pacer p(1.0);
  p.Sent(10 * kSec, 0);
  p.SetSpeed(4.0, 300);
  EXPECT_EQ(p.Due(12 * kSec, 300), 300 + kSec / 2);
  p.SetSpeed(std::nullopt, 400);
  EXPECT_EQ(p.Due(12 * kSec, 400), 400);
}

TEST(PacerTest, RestartMakesTheNextWindowDueAtOnce) {
  Pacer p(1.0);
  p.Sent(10 * kSec, 0);
  p.Restart();  // resume after a pause, or a seek
  EXPECT_EQ(p.Due(50 * kSec, 9 * kSec), 9 * kSec);
  p.Sent(50 * kSec, 9 * kSec);
  EXPECT_EQ(p.Due(51 * kSec, 9 * kSec), 10 * kSec);
}

}  // namespace
}  // namespace spymaster::serve
