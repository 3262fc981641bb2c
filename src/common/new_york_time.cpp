#include "common/new_york_time.hpp"

#include <fmt/format.h>

namespace spymaster::common {
namespace {

using namespace std::chrono;

NewYorkTime ToLocal(UtcTime t) { return NewYorkTime{t.time_since_epoch() + NewYorkUtcOffset(t)}; }

}  // namespace

bool IsNewYorkDst(UtcTime t) {
  // The switches are months away from New Year, so the UTC year is the local year.
  const year y = year_month_day{floor<days>(t)}.year();
  // 02:00 EST is 07:00 UTC (spring); 02:00 EDT is 06:00 UTC (fall).
  const sys_seconds begin = sys_days{y / March / Sunday[2]} + hours{7};
  const sys_seconds end = sys_days{y / November / Sunday[1]} + hours{6};
  return t >= begin && t < end;
}

seconds NewYorkUtcOffset(UtcTime t) { return IsNewYorkDst(t) ? hours{-4} : hours{-5}; }

UtcTime NewYorkToUtc(NewYorkTime local) {
  // Read as daylight time if that instant is in daylight time, else as standard time: this resolves the
  // skipped hour forward and the repeated hour to its first pass.
  const UtcTime as_daylight{local.time_since_epoch() + hours{4}};
  return IsNewYorkDst(as_daylight) ? as_daylight : UtcTime{local.time_since_epoch() + hours{5}};
}

Date NewYorkDate(UtcTime t) { return Date{floor<days>(ToLocal(t))}; }

std::string FormatNewYorkClock(UtcTime t) {
  const NewYorkTime local = ToLocal(t);
  const hh_mm_ss clock{floor<milliseconds>(local - floor<days>(local))};
  return fmt::format("{:02}:{:02}:{:02}.{:03}", clock.hours().count(), clock.minutes().count(), clock.seconds().count(),
                     clock.subseconds().count());
}

}  // namespace spymaster::common
