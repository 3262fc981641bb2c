// The stream query: defaults, every parameter, and the refusals (message names the parameter).
#include "serve/stream_params.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spymaster::serve {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(std::string_view query) {
  try {
    ParseStreamQuery(query);
  } catch (const ParamError& e) {
    return e.what();
  }
  return "";
}

TEST(StreamParamsTest, DefaultsPerSpec) {
  const StreamParams p = ParseStreamQuery("");
  EXPECT_EQ(p.symbol, "ESH6");
  EXPECT_EQ(p.dt, "2026-01-06");
  EXPECT_EQ(p.speed, 1.0);
  EXPECT_EQ(p.skip_minutes, 0);
  EXPECT_FALSE(p.start_ns || p.end_ns);
  EXPECT_EQ(p.surfaces.size(), 4u);
  EXPECT_EQ(p.origin, StreamOrigin::kReplay);
}

TEST(StreamParamsTest, EveryParameter) {
  const StreamParams p = ParseStreamQuery(
      "symbol=ES&dt=2026-01-06&speed=max&skip_minutes=5&start=09%3A31&end=09:40:30&surfaces=forecast,snap&"
      "source=compute");
  EXPECT_EQ(p.symbol, "ES");
  EXPECT_FALSE(p.speed.has_value());
  EXPECT_EQ(p.skip_minutes, 5);
  // 2026-01-06 is EST (UTC-5): 09:31 New York = 14:31 UTC.
  EXPECT_EQ(*p.start_ns, 1767709860LL * 1'000'000'000);
  EXPECT_EQ(*p.end_ns, 1767710430LL * 1'000'000'000);
  EXPECT_EQ(p.surfaces, (std::vector<Surface>{Surface::kSnap, Surface::kForecast}));  // canonical order
  EXPECT_EQ(p.origin, StreamOrigin::kCompute);
  EXPECT_EQ(ParseStreamQuery("source=raw").origin, StreamOrigin::kRaw);
  EXPECT_EQ(ParseStreamQuery("source=live").origin, StreamOrigin::kLive);
  EXPECT_EQ(ParseStreamQuery("speed=10000").speed, 10000.0);
  EXPECT_EQ(ParseStreamQuery("speed=0.25").speed, 0.25);
}

TEST(StreamParamsTest, RefusalsNameTheParameter) {
  EXPECT_THAT(ErrorOf("symbol=../gold"), HasSubstr("symbol '../gold'"));
  EXPECT_THAT(ErrorOf("symbol=%2e%2e%2Fx"), HasSubstr("symbol '../x'"));
  EXPECT_THAT(ErrorOf("dt=2026-02-30"), HasSubstr("dt '2026-02-30'"));
  for (const char* bad : {"0", "-1", "nan", "inf", "1e400", "10000.01", "", "1x"}) {
    const std::string q = std::string("speed=") + bad;
    EXPECT_THAT(ErrorOf(q), HasSubstr(*bad ? "speed" : "empty")) << q;
  }
  EXPECT_THAT(ErrorOf("skip_minutes=1441"), HasSubstr("skip_minutes"));
  EXPECT_THAT(ErrorOf("skip_minutes=99999999999999999999"), HasSubstr("skip_minutes"));
  EXPECT_THAT(ErrorOf("surfaces=snap,bogus"), HasSubstr("'bogus' is not a surface"));
  EXPECT_THAT(ErrorOf("start=10:00&end=09:30"), HasSubstr("not before end"));
  EXPECT_THAT(ErrorOf("bogus=1"), HasSubstr("unknown parameter 'bogus'"));
  EXPECT_THAT(ErrorOf("source=bronze"), HasSubstr("source 'bronze' is not valid"));
  EXPECT_THAT(ErrorOf("symbol=A&symbol=B"), HasSubstr("twice"));
  EXPECT_THAT(ErrorOf("symbol=%4"), HasSubstr("escape"));
  EXPECT_THAT(ErrorOf(std::string("symbol=") + std::string(100, 'A')), HasSubstr("longer than"));
}

TEST(StreamParamsTest, UrlDecode) {
  EXPECT_EQ(UrlDecode("a%20b+c%2C"), "a b c,");
  EXPECT_THROW(UrlDecode("%G0"), ParamError);
  EXPECT_THROW(UrlDecode("%"), ParamError);
}

}  // namespace
}  // namespace spymaster::serve
