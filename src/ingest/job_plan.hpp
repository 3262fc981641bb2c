// Which batch jobs a download needs (spec silver.md §7.2): per date and symbol, first the underlying's
// MBO (futures only with --include-futures) and the options' definitions; once the definitions are on
// disk, one job per requested options schema for the 0DTE option parents found in them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/calendar.hpp"
#include "lake/product_type.hpp"

namespace spymaster::ingest {

enum class Market { kFutures, kEquities };

struct DownloadRequest {
  Market market = Market::kFutures;
  std::vector<std::string> dates;            // YYYY-MM-DD trading days (weekends dropped)
  std::vector<std::string> symbols;          // roots: ES; SPY, QQQ
  bool include_futures = false;              // futures: also the futures MBO job
  std::vector<std::string> options_schemas;  // "definition" first when non-empty
};

struct JobSpec {
  std::string dataset;  // GLBX.MDP3, XNAS.ITCH, OPRA.PILLAR
  std::string schema;   // mbo, definition, statistics, cmbp-1
  std::string stype_in;
  std::vector<std::string> symbols;  // what the job asks for: ES.FUT, E1A.OPT, SPY, SPY.OPT
  std::string date;                  // YYYY-MM-DD; the job covers [date, date + 1 day)
  std::string root;                  // the lake's symbol= partition: ES, SPY
  lake::ProductType product_type = lake::ProductType::kFutureMbo;

  // "dataset|schema|symbol|date|product_type", the job tracker's key.
  std::string Key() const;
  std::string EndDate() const;  // date + 1 day
};

// Parses and checks the command line's values: dates (inclusive range, weekends dropped), symbols
// (futures: known roots only; equities: ticker syntax), options schemas (per market; "none" for none).
// Throws UsageError naming the parameter.
DownloadRequest MakeRequest(Market market, const std::string& start, const std::string& end, const std::string& symbols,
                            bool include_futures, const std::string& options_schemas);

// The jobs that need nothing downloaded first.
std::vector<JobSpec> FirstStageJobs(const DownloadRequest& request);

// ES option definition parents of a date: the third Friday ES.OPT; other Fridays EW.OPT, EW1..EW4.OPT;
// Monday to Thursday E1..E5.OPT and E{1..5}{A..E}.OPT.
std::vector<std::string> EsDefinitionParents(common::Date date);

// The 0DTE option products (`asset` values) in a definition job's files: class C or P, underlying
// starting with the root (equities: equal to it), expiring on the date (futures: in Etc/GMT+5, equities:
// America/New_York), ES assets only from the known standard/weekly/daily families. Sorted, unique.
std::vector<std::string> ZeroDteAssets(const JobSpec& definition_job, const std::vector<std::filesystem::path>& files);

// The option jobs for `schemas` (definition skipped) with parents {asset}.OPT.
std::vector<JobSpec> OptionJobs(const std::vector<std::string>& schemas, const JobSpec& definition_job,
                                const std::vector<std::string>& assets);

}  // namespace spymaster::ingest
