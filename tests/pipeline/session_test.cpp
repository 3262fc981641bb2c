// Session windows in America/New_York with DST.
#include "pipeline/session.hpp"

#include <gtest/gtest.h>

namespace spymaster::pipeline {
namespace {

constexpr int64_t kS = 1'000'000'000;

TEST(SessionBounds, WinterSessionIsUtcMinusFive) {
  const auto b = SessionBoundsNs("2026-01-06", 9 * 60 + 30, 10 * 60 + 30);
  EXPECT_EQ(b.start_ns, 1'767'709'800 * kS);  // 2026-01-06T14:30:00Z
  EXPECT_EQ(b.end_ns, 1'767'713'400 * kS);    // 15:30:00Z
}

TEST(SessionBounds, SummerSessionIsUtcMinusFour) {
  EXPECT_EQ(SessionBoundsNs("2026-07-06", 570, 630).start_ns, 1'783'344'600 * kS);  // 13:30:00Z
}

TEST(SessionBounds, SpringForwardSundayAndTheDayBefore) {
  // 2026-03-08 is the second Sunday of March: 09:30 is already EDT; on the 7th it is EST.
  EXPECT_EQ(SessionBoundsNs("2026-03-08", 570, 630).start_ns, 1'772'976'600 * kS);
  EXPECT_EQ(SessionBoundsNs("2026-03-07", 570, 630).start_ns, 1'772'893'800 * kS);
}

TEST(SessionBounds, FallBackSundayIsStandardTime) {
  // 2026-11-01 is the first Sunday of November: 09:30 EST = 14:30Z. The day before: EDT, 13:30Z.
  EXPECT_EQ(SessionBoundsNs("2026-11-01", 570, 630).start_ns, (1'793'491'200 + 52'200) * kS);
  EXPECT_EQ(SessionBoundsNs("2026-10-31", 570, 630).start_ns, (1'793'404'800 + 48'600) * kS);
}

TEST(SessionBounds, BadInputIsRejected) {
  EXPECT_THROW(SessionBoundsNs("2026-02-30", 570, 630), std::invalid_argument);
  EXPECT_THROW(SessionBoundsNs("2026-01-06", 630, 570), std::invalid_argument);
  EXPECT_EQ(ParseMinuteOfDay("09:30"), 570);
  EXPECT_THROW(ParseMinuteOfDay("9h30"), std::invalid_argument);
  EXPECT_THROW(ParseMinuteOfDay("09:30:15"), std::invalid_argument);
}

}  // namespace
}  // namespace spymaster::pipeline
