#include "ingest/job_plan.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <regex>
#include <set>

#include "common/error.hpp"
#include "common/new_york_time.hpp"
#include "dbn/decoder.hpp"

namespace spymaster::ingest {
namespace {

using lake::ProductType;

// Futures roots whose options and lake products we know how to request.
constexpr std::string_view kFuturesRoots[] = {"ES"};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    std::string part = text.substr(pos, comma - pos);
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    if (!part.empty()) out.push_back(part);
    pos = comma + 1;
  }
  return out;
}

std::string Str(const char* chars, std::size_t n) { return std::string(chars, strnlen(chars, n)); }

bool IsEsFamilyAsset(const std::string& asset) {
  // Standard ES, weekly EW and EW1-EW4, daily E1-E5 with an optional weekday letter A-E.
  static const std::regex family("^(ES|EW[1-4]?|E[1-5][A-E]?)$");
  return std::regex_match(asset, family);
}

}  // namespace

std::string JobSpec::Key() const {
  return fmt::format("{}|{}|{}|{}|{}", dataset, schema, root, date, lake::ToString(product_type));
}

std::string JobSpec::EndDate() const { return common::FormatDate(common::AddDays(common::ParseDate(date), 1)); }

DownloadRequest MakeRequest(Market market, const std::string& start, const std::string& end, const std::string& symbols,
                            bool include_futures, const std::string& options_schemas) {
  DownloadRequest r;
  r.market = market;
  if (start.empty()) throw UsageError("--start: required (YYYY-MM-DD)");
  const std::string last = end.empty() ? start : end;
  const auto all = WithUsageErrors("--start/--end", [&] { return common::ExpandDateRange(start, last); });
  for (const std::string& d : all) {
    if (!common::IsWeekend(common::ParseDate(d))) r.dates.push_back(d);
  }
  if (r.dates.empty()) throw UsageError(fmt::format("--start/--end: {}..{} has no weekday", start, last));

  r.symbols = SplitList(symbols);
  if (r.symbols.empty()) throw UsageError("--symbols: required (futures: ES; equities: e.g. SPY,QQQ)");
  static const std::regex ticker("^[A-Z]{1,5}(\\.[A-Z])?$");
  for (const std::string& s : r.symbols) {
    if (market == Market::kFutures) {
      if (std::find(std::begin(kFuturesRoots), std::end(kFuturesRoots), s) == std::end(kFuturesRoots)) {
        throw UsageError(fmt::format("--symbols: unknown futures root '{}' (known: ES)", s));
      }
    } else if (!std::regex_match(s, ticker)) {
      throw UsageError(fmt::format("--symbols: '{}' is not an equity ticker (1-5 capital letters, e.g. SPY)", s));
    }
  }
  if (include_futures && market == Market::kEquities) {
    throw UsageError("--include-futures: only for `download futures` (equities always get the equity MBO job)");
  }
  r.include_futures = include_futures;

  const std::string schemas_text =
      options_schemas.empty()
          ? (market == Market::kFutures ? "definition,mbo,statistics" : "definition,cmbp-1,statistics")
          : options_schemas;
  if (schemas_text != "none") {
    const std::set<std::string> allowed = market == Market::kFutures
                                              ? std::set<std::string>{"definition", "mbo", "statistics"}
                                              : std::set<std::string>{"definition", "cmbp-1", "statistics"};
    bool has_definition = false;
    for (const std::string& s : SplitList(schemas_text)) {
      if (!allowed.count(s)) {
        throw UsageError(
            fmt::format("--options-schemas: '{}' is not one of {} (or 'none')", s, fmt::join(allowed, ",")));
      }
      if (s == "definition") {
        has_definition = true;
      } else if (std::find(r.options_schemas.begin(), r.options_schemas.end(), s) == r.options_schemas.end()) {
        r.options_schemas.push_back(s);
      }
    }
    if (!has_definition) {
      throw UsageError("--options-schemas: must include 'definition' (the 0DTE parents come from the definitions)");
    }
    r.options_schemas.insert(r.options_schemas.begin(), "definition");
  }
  if (market == Market::kFutures && !r.include_futures && r.options_schemas.empty()) {
    throw UsageError("--options-schemas none without --include-futures: nothing to download");
  }
  return r;
}

std::vector<std::string> EsDefinitionParents(common::Date date) {
  const std::chrono::weekday wd{std::chrono::sys_days{date}};
  const unsigned day = static_cast<unsigned>(date.day());
  if (wd == std::chrono::Friday) {
    if (day >= 15 && day <= 21) return {"ES.OPT"};
    return {"EW.OPT", "EW1.OPT", "EW2.OPT", "EW3.OPT", "EW4.OPT"};
  }
  std::vector<std::string> parents;
  for (int n = 1; n <= 5; ++n) {
    parents.push_back(fmt::format("E{}.OPT", n));
    for (char c = 'A'; c <= 'E'; ++c) parents.push_back(fmt::format("E{}{}.OPT", n, c));
  }
  return parents;
}

std::vector<JobSpec> FirstStageJobs(const DownloadRequest& r) {
  std::vector<JobSpec> jobs;
  for (const std::string& date : r.dates) {
    for (const std::string& sym : r.symbols) {
      if (r.market == Market::kFutures) {
        if (r.include_futures) {
          jobs.push_back({"GLBX.MDP3", "mbo", "parent", {sym + ".FUT"}, date, sym, ProductType::kFutureMbo});
        }
        if (!r.options_schemas.empty()) {
          const auto parents =
              sym == "ES" ? EsDefinitionParents(common::ParseDate(date)) : std::vector<std::string>{sym + ".OPT"};
          jobs.push_back({"GLBX.MDP3", "definition", "parent", parents, date, sym, ProductType::kFutureOptionMbo});
        }
      } else {
        jobs.push_back({"XNAS.ITCH", "mbo", "raw_symbol", {sym}, date, sym, ProductType::kEquityMbo});
        if (!r.options_schemas.empty()) {
          jobs.push_back(
              {"OPRA.PILLAR", "definition", "parent", {sym + ".OPT"}, date, sym, ProductType::kEquityOptionMbo});
        }
      }
    }
  }
  return jobs;
}

std::vector<std::string> ZeroDteAssets(const JobSpec& job, const std::vector<std::filesystem::path>& files) {
  const common::Date date = common::ParseDate(job.date);
  const bool futures = job.dataset == "GLBX.MDP3";
  struct Latest {
    std::uint64_t ts = 0;
    std::string asset;
    bool keep = false;
  };
  std::map<std::uint32_t, Latest> by_instrument;  // the latest definition per instrument counts
  for (const auto& path : files) {
    auto decoder = dbn::Decoder::FromFile(path);
    while (const dbn::RecordRef* rec = decoder.Next()) {
      const auto* def = rec->Get<dbn::InstrumentDefMsg>();
      if (def == nullptr) continue;
      Latest& l = by_instrument[def->hd.instrument_id];
      if (def->hd.ts_event < l.ts) continue;
      l.ts = def->hd.ts_event;
      l.asset = Str(def->asset.data(), def->asset.size());
      const std::string underlying = Str(def->underlying.data(), def->underlying.size());
      const bool is_option = def->instrument_class == 'C' || def->instrument_class == 'P';
      const bool underlying_ok = futures ? underlying.rfind(job.root, 0) == 0 : underlying == job.root;
      bool expires_today = false;
      if (def->expiration != dbn::kUndefTimestamp) {
        const auto t = common::FromEpochNs(static_cast<std::int64_t>(def->expiration));
        // Futures options: the reference's fixed UTC-5 (Etc/GMT+5); equity options: New York time.
        const common::Date d = futures ? common::Date{std::chrono::floor<std::chrono::days>(t - std::chrono::hours{5})}
                                       : common::NewYorkDate(t);
        expires_today = d == date;
      }
      l.keep = is_option && underlying_ok && expires_today && !l.asset.empty();
    }
  }
  std::set<std::string> assets;
  for (const auto& [id, l] : by_instrument) {
    if (!l.keep) continue;
    if (job.root == "ES" && !IsEsFamilyAsset(l.asset)) {
      spdlog::warn("{}: 0DTE option product '{}' is not an ES standard/weekly/daily family; skipped", job.Key(),
                   l.asset);
      continue;
    }
    assets.insert(l.asset);
  }
  return {assets.begin(), assets.end()};
}

std::vector<JobSpec> OptionJobs(const std::vector<std::string>& schemas, const JobSpec& def,
                                const std::vector<std::string>& assets) {
  std::vector<JobSpec> jobs;
  if (assets.empty()) return jobs;
  std::vector<std::string> parents;
  for (const std::string& a : assets) parents.push_back(a + ".OPT");
  for (const std::string& schema : schemas) {
    if (schema == "definition") continue;
    jobs.push_back({def.dataset, schema, "parent", parents, def.date, def.root, def.product_type});
  }
  return jobs;
}

}  // namespace spymaster::ingest
