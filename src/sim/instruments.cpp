#include "sim/instruments.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace spymaster::sim {
namespace {

constexpr double kSecondsPerYear = 365.0 * 86400.0;
constexpr std::int64_t kScale = dbn::kFixedPriceScale;
constexpr char kMonthCodes[] = "FGHJKMNQUVXZ";

std::int64_t ToFixed(double dollars) { return static_cast<std::int64_t>(std::llround(dollars * 1e9)); }

double NormCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double BlackScholes(bool call, double s, double k, double t_years, double vol) {
  const double sd = vol * std::sqrt(t_years);
  const double d1 = (std::log(s / k) + 0.5 * sd * sd) / sd;
  const double d2 = d1 - sd;
  return call ? s * NormCdf(d1) - k * NormCdf(d2) : k * NormCdf(-d2) - s * NormCdf(-d1);
}

// A put skew: lower strikes trade at higher implied vol; 0DTE a bit richer still.
double ImpliedVol(double base, double s, double k) { return base * std::clamp(1.0 - 4.0 * std::log(k / s), 0.6, 3.0); }

std::string JobId(const Session& s, std::string_view schema) {
  return fmt::format("SIM-{}-{}", common::ToYyyymmdd(s.date), schema);
}

Job MakeJob(const Session& s, std::string_view dataset, dbn::Schema schema) {
  std::string ds(dataset);
  std::transform(ds.begin(), ds.end(), ds.begin(),
                 [](char c) { return c == '.' ? '-' : static_cast<char>(std::tolower(c)); });
  const std::string table(dbn::ToString(schema));
  return Job{table, schema, JobId(s, table), fmt::format("{}-{}.{}.dbn.zst", ds, common::ToYyyymmdd(s.date), table)};
}

// CME weekly E-mini option product for an expiry date: Mon–Thu "E<week><A–D>", Fridays "EW<week>",
// the third Friday the standard "ES".
std::string EsOptionAsset(const Date& d) {
  const int week = static_cast<int>((static_cast<unsigned>(d.day()) - 1) / 7 + 1);
  const int wd = static_cast<int>(std::chrono::weekday{std::chrono::sys_days{d}}.c_encoding());
  if (wd == 5) return week == 3 ? "ES" : fmt::format("EW{}", week);
  return fmt::format("E{}{}", week, static_cast<char>('A' + wd - 1));
}

Date NextWeekday(const Date& d) {
  Date n = common::AddDays(d, 1);
  while (common::IsWeekend(n)) n = common::AddDays(n, 1);
  return n;
}

// Third Friday of a month at 09:30 ET: quarterly ES futures expiry.
std::uint64_t EsFutureExpiry(int year, int month) {
  const Date d{std::chrono::year{year} / static_cast<unsigned>(month) / std::chrono::Friday[3]};
  return DbnNs(common::NewYorkToUtc(d, std::chrono::hours{9} + std::chrono::minutes{30}));
}

std::uint64_t OptionExpiry(const Date& d) { return DbnNs(common::NewYorkToUtc(d, std::chrono::hours{16})); }

Instrument Future(std::uint32_t id, std::string symbol, int year, int month, double carry, FlowParams flow) {
  Instrument in;
  in.instrument_id = id;
  in.raw_symbol = std::move(symbol);
  in.instrument_class = 'F';
  in.asset = "ES";
  in.expiration = EsFutureExpiry(year, month);
  in.tick = kScale / 4;
  in.model = {PriceKind::kOutright, Underlier::kEs, carry, 0, 0, 0};
  in.flow = flow;
  return in;
}

ProductPlan FutureMboPlan(const Session& s) {
  ProductPlan p{ProductType::kFutureMbo, "ES", "GLBX.MDP3", 1, dbn::SType::kParent, {"ES.FUT"}, {}, {}};
  constexpr double kCarry = 1.0066;  // ESM6 over ESH6: three months of financing net of dividends
  Instrument front = Future(42140878, "ESH6", 2026, 3, 1.0, {200, 700, 1, 1.5, 250, 0.025, 40, 0.55});
  front.primary = true;
  p.instruments.push_back(front);
  p.instruments.push_back(Future(42140864, "ESM6", 2026, 6, kCarry, {22, 200, 1, 1.6, 100, 0.03, 20}));
  Instrument spread = Future(42018017, "ESH6-ESM6", 2026, 3, kCarry, {6, 60, 1, 1.6, 100, 0.03, 20});
  spread.instrument_class = 'S';
  spread.tick = kScale / 20;
  spread.model.kind = PriceKind::kCalendarSpread;
  p.instruments.push_back(spread);
  p.jobs.push_back(MakeJob(s, p.dataset, dbn::Schema::kMbo));
  return p;
}

Instrument EsOption(const Session& s, const MarketPath& path, std::uint32_t id, const Date& expiry, bool call,
                    double strike, double spot, double rate_scale) {
  Instrument in;
  in.instrument_id = id;
  in.asset = EsOptionAsset(expiry);
  in.raw_symbol = fmt::format("{}{}{} {}{}", in.asset, kMonthCodes[static_cast<unsigned>(expiry.month()) - 1],
                              static_cast<int>(expiry.year()) % 10, call ? 'C' : 'P', static_cast<int>(strike));
  in.instrument_class = call ? 'C' : 'P';
  in.underlying = "ESH6";
  in.underlying_id = 42140878;
  in.strike_price = ToFixed(strike);
  in.expiration = OptionExpiry(expiry);
  in.model = {call ? PriceKind::kCall : PriceKind::kPut, Underlier::kEs, 1.0, strike, 0, in.expiration};
  // CME E-mini options: 0.05 below a premium of 5.00, 0.25 above.
  in.tick = FairPrice(path, in.model, s.snapshot_ns) < 5.0 ? kScale / 20 : kScale / 4;
  const double moneyness = std::abs(strike - spot);
  in.flow = {rate_scale * std::exp(-moneyness / 40.0) + 0.12, 40, 1, 1.7, 60, 0.02, 15, 0.92};
  return in;
}

ProductPlan FutureOptionPlan(const Session& s, const MarketPath& path) {
  ProductPlan p{ProductType::kFutureOptionMbo, "ES", "GLBX.MDP3", 1, dbn::SType::kParent, {}, {}, {}};
  const double spot = path.Price(Underlier::kEs, s.snapshot_ns);
  const double atm = std::round(spot / 5.0) * 5.0;
  std::uint32_t id = 42500000;
  // 0DTE: every $5 within ±$100.
  for (double k = atm - 100; k <= atm + 100; k += 5) {
    for (bool call : {true, false}) p.instruments.push_back(EsOption(s, path, id++, s.date, call, k, spot, 3.0));
  }
  p.instruments[p.instruments.size() / 2].primary = true;
  // Later expiries that the 0DTE selection must drop: the next weekday's weekly and next week's.
  id = 42600000;
  const Date next = NextWeekday(s.date);
  const Date next_week = common::AddDays(s.date, 7);
  for (const Date& d : {next, next_week}) {
    for (double k = atm - 50; k <= atm + 50; k += 10) {
      for (bool call : {true, false}) p.instruments.push_back(EsOption(s, path, id++, d, call, k, spot, 0.6));
    }
  }
  // A user-defined vertical call spread (UD:...), which bronze must drop as well.
  Instrument ud = EsOption(s, path, 42700001, s.date, true, atm, spot, 0.2);
  ud.raw_symbol = fmt::format("UD:1V: VT {:02}{:02} {}", static_cast<unsigned>(s.date.month()),
                              static_cast<unsigned>(s.date.day()), 9'000'000 + static_cast<int>(atm));
  ud.instrument_class = 'T';
  ud.user_defined = true;
  ud.strike_price = dbn::kUndefPrice;
  ud.model.kind = PriceKind::kCallVertical;
  ud.model.strike2 = atm + 25;
  ud.tick = kScale / 20;
  p.instruments.push_back(ud);
  for (const auto& in : p.instruments) {
    const std::string parent = in.asset + ".OPT";
    if (!in.user_defined &&
        std::find(p.query_symbols.begin(), p.query_symbols.end(), parent) == p.query_symbols.end()) {
      p.query_symbols.push_back(parent);
    }
  }
  p.jobs.push_back(MakeJob(s, p.dataset, dbn::Schema::kMbo));
  p.jobs.push_back(MakeJob(s, p.dataset, dbn::Schema::kDefinition));
  p.jobs.push_back(MakeJob(s, p.dataset, dbn::Schema::kStatistics));
  return p;
}

ProductPlan EquityPlan(const Session& s, std::string symbol, std::uint32_t id, Underlier u, double rate) {
  ProductPlan p{ProductType::kEquityMbo, symbol, "XNAS.ITCH", 2, dbn::SType::kRawSymbol, {symbol}, {}, {}};
  Instrument in;
  in.instrument_id = id;
  in.raw_symbol = symbol;
  in.instrument_class = 'K';
  in.asset = symbol;
  in.tick = kScale / 100;
  in.primary = true;
  in.model = {PriceKind::kOutright, u, 1.0, 0, 0, 0};
  in.flow = {rate, 600, 100, 1.8, 40, 0.02, 40, 0.9};
  p.instruments.push_back(in);
  p.jobs.push_back(MakeJob(s, p.dataset, dbn::Schema::kMbo));
  return p;
}

Instrument EquityOption(const std::string& root, Underlier u, std::uint32_t id, const Date& expiry, bool call,
                        double strike, double spot, double rate_scale) {
  Instrument in;
  in.instrument_id = id;
  // OSI: root padded to 6, YYMMDD, C/P, strike × 1000 in 8 digits.
  in.raw_symbol = fmt::format("{:<6}{:02}{:02}{:02}{}{:08}", root, static_cast<int>(expiry.year()) % 100,
                              static_cast<unsigned>(expiry.month()), static_cast<unsigned>(expiry.day()),
                              call ? 'C' : 'P', static_cast<long>(std::llround(strike * 1000)));
  in.instrument_class = call ? 'C' : 'P';
  in.asset = root;
  in.underlying = root;
  in.strike_price = ToFixed(strike);
  in.expiration = OptionExpiry(expiry);
  in.tick = kScale / 100;
  in.model = {call ? PriceKind::kCall : PriceKind::kPut, u, 1.0, strike, 0, in.expiration};
  in.flow = {rate_scale * std::exp(-std::abs(strike - spot) / 5.0) + 0.1, 0, 1, 1.6, 500, 0.08, 0};
  return in;
}

ProductPlan EquityOptionPlan(const Session& s, const MarketPath& path, const std::string& root, Underlier u,
                             std::uint32_t first_id) {
  ProductPlan p{ProductType::kEquityOptionMbo, root, "OPRA.PILLAR", 30, dbn::SType::kParent, {root + ".OPT"}, {}, {}};
  const double spot = path.Price(u, s.snapshot_ns);
  const double atm = std::round(spot);
  std::uint32_t id = first_id;
  for (double k = atm - 30; k <= atm + 30; k += 1) {
    for (bool call : {true, false}) p.instruments.push_back(EquityOption(root, u, id++, s.date, call, k, spot, 1.5));
  }
  p.instruments[p.instruments.size() / 2].primary = true;
  for (const Date& d : {NextWeekday(s.date), common::AddDays(s.date, 7)}) {
    for (double k = atm - 10; k <= atm + 10; k += 1) {
      for (bool call : {true, false}) p.instruments.push_back(EquityOption(root, u, id++, d, call, k, spot, 0.5));
    }
  }
  p.jobs.push_back(MakeJob(s, p.dataset, dbn::Schema::kCmbp1));
  p.jobs.push_back(MakeJob(s, p.dataset, dbn::Schema::kDefinition));
  p.jobs.push_back(MakeJob(s, p.dataset, dbn::Schema::kStatistics));
  return p;
}

}  // namespace

double FairPrice(const MarketPath& path, const PriceModel& m, std::uint64_t ts) {
  const double s = path.Price(m.underlier, ts);
  switch (m.kind) {
    case PriceKind::kOutright:
      return s * m.carry;
    case PriceKind::kCalendarSpread:
      return s * (1.0 - m.carry);
    case PriceKind::kCall:
    case PriceKind::kPut:
    case PriceKind::kCallVertical: {
      // At least a minute to expiry keeps the price finite; the simulated session ends well before.
      const double t =
          std::max(60.0, static_cast<double>(m.expiry_ns > ts ? m.expiry_ns - ts : 0) / 1e9) / kSecondsPerYear;
      const double base = path.AnnualVol(ts);
      double v = BlackScholes(m.kind != PriceKind::kPut, s, m.strike, t, ImpliedVol(base, s, m.strike));
      if (m.kind == PriceKind::kCallVertical) v -= BlackScholes(true, s, m.strike2, t, ImpliedVol(base, s, m.strike2));
      return std::max(v, 0.01);
    }
  }
  return s;
}

std::vector<ProductPlan> PlanDay(const Session& session, const MarketPath& path,
                                 const std::vector<ProductType>& products) {
  if (common::IsWeekend(session.date)) {
    const bool sunday = std::chrono::weekday{std::chrono::sys_days{session.date}} == std::chrono::Sunday;
    throw std::invalid_argument(fmt::format("--dt {} is a {}: there is no trading session to simulate",
                                            common::FormatDate(session.date), sunday ? "Sunday" : "Saturday"));
  }
  auto wanted = [&](ProductType p) { return std::find(products.begin(), products.end(), p) != products.end(); };
  std::vector<ProductPlan> plans;
  if (wanted(ProductType::kFutureMbo)) plans.push_back(FutureMboPlan(session));
  if (wanted(ProductType::kFutureOptionMbo)) plans.push_back(FutureOptionPlan(session, path));
  if (wanted(ProductType::kEquityMbo)) {
    plans.push_back(EquityPlan(session, "SPY", 15144, Underlier::kSpy, 90));
    plans.push_back(EquityPlan(session, "QQQ", 13340, Underlier::kQqq, 75));
  }
  if (wanted(ProductType::kEquityOptionMbo)) {
    plans.push_back(EquityOptionPlan(session, path, "SPY", Underlier::kSpy, 1'100'000'000));
    plans.push_back(EquityOptionPlan(session, path, "QQQ", Underlier::kQqq, 1'200'000'000));
  }
  return plans;
}

}  // namespace spymaster::sim
