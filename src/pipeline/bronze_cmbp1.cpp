// Bronze for equity options: OPRA CMBP-1 (consolidated top of book) of the 0DTE options on the task's
// underlying, joined with their definitions, sorted by (ts_event, ts_recv), one partition per underlying.
// Records are read through source::Cmbp1Normalizer, the pass the raw record source makes too.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "columns/arrow_columns.hpp"
#include "common/calendar.hpp"
#include "dbn/decoder.hpp"
#include "lake/partition.hpp"
#include "pipeline/bronze_stages.hpp"
#include "source/cmbp1_normalizer.hpp"
#include "source/option_definitions.hpp"
#include "source/raw_input.hpp"

namespace spymaster::pipeline {
namespace {

constexpr std::string_view kStage = "bronze_ingest_equity_option_cmbp_1";
constexpr std::string_view kDataset = "bronze.equity_option_mbo.cmbp_1";
constexpr int64_t kBatchRows = 1 << 20;

std::shared_ptr<arrow::Schema> Cmbp1Schema() {
  constexpr bool kStr = true, kLong = false;
  static const auto schema = columns::Int64AndStringSchema({{"ts_recv", kLong},
                                                            {"ts_event", kLong},
                                                            {"publisher_id", kLong},
                                                            {"instrument_id", kLong},
                                                            {"bid_px_00", kLong},
                                                            {"ask_px_00", kLong},
                                                            {"bid_sz_00", kLong},
                                                            {"ask_sz_00", kLong},
                                                            {"underlying", kStr},
                                                            {"right", kStr},
                                                            {"strike", kLong},
                                                            {"expiration", kLong}});
  return schema;
}

bool Before(const dbn::Cmbp1Msg& a, const dbn::Cmbp1Msg& b) {
  return a.hd.ts_event != b.hd.ts_event ? a.hd.ts_event < b.hd.ts_event : a.ts_recv < b.ts_recv;
}

}  // namespace

StageResult RunBronzeEquityOptionCmbp1(const StageContext& ctx, const Task& task) {
  if (ctx.overwrite) {
    throw std::runtime_error(
        fmt::format("{}: --overwrite is not allowed for bronze (bronze is never deleted)", kStage));
  }
  common::ParseDate(task.dt);
  const lake::DatasetSpec& dataset = ctx.registry.Get(kDataset);
  const auto def_files =
      source::FindRawFiles(ctx.lake_root, task.product_type, task.symbol, "definition", task.dt, ctx.raw_jobs);
  const source::OptionDefinitions options = source::LoadZeroDteOptions(source::Paths(def_files), task.dt, task.symbol);
  const auto files =
      source::FindRawFiles(ctx.lake_root, task.product_type, task.symbol, "cmbp-1", task.dt, ctx.raw_jobs);
  std::vector<lake::InputRef> inputs;
  for (const auto& f : def_files) inputs.push_back(source::RawInputRef(ctx.lake_root, f, "definition", task.dt));
  for (const auto& f : files) inputs.push_back(source::RawInputRef(ctx.lake_root, f, "cmbp-1", task.dt));

  std::map<std::string, int64_t> counters;
  for (const auto& [k, v] : options.counters) counters["definition_" + k] = v;
  std::map<std::string, std::vector<dbn::Cmbp1Msg>> groups;  // by underlying
  source::Cmbp1Normalizer normalizer(options);
  for (const auto& file : files) {
    auto decoder = dbn::Decoder::FromFile(file.path);
    normalizer.StartFile();
    const source::OptionMeta* last_meta = nullptr;
    std::vector<dbn::Cmbp1Msg>* last_group = nullptr;
    const source::OptionMeta* meta = nullptr;
    while (const dbn::Cmbp1Msg* row = normalizer.Next(decoder, meta)) {
      if (meta != last_meta) {
        last_meta = meta;
        last_group = &groups[meta->underlying];
      }
      last_group->push_back(*row);
    }
  }
  const source::RawCmbp1Counts& read = normalizer.counts();
  counters["records_read"] = read.cmbp1;
  counters["other_records_skipped"] = read.other;
  counters["not_0dte_dropped"] = read.not_zero_dte;
  counters["null_price_zeroed"] = read.null_prices;
  int64_t kept = 0;
  for (const auto& [u, rows] : groups) kept += static_cast<int64_t>(rows.size());
  if (kept == 0) {
    throw std::runtime_error(
        fmt::format("{}: no 0DTE CMBP-1 rows for {} {} ({} records read from {}, {} 0DTE "
                    "instruments in the definitions)",
                    kStage, task.symbol, task.dt, read.cmbp1, files.front().path.string(), options.zero_dte.size()));
  }

  StageResult result;
  result.stage = std::string(kStage);
  bool all_skipped = true;
  const lake::StageInfo info{std::string(kStage), inputs, counters};  // what every manifest records
  for (auto& [underlying, rows] : groups) {
    const lake::PartitionKey key{underlying, task.dt};
    if (lake::IsComplete(lake::PartitionDir(dataset, ctx.lake_root, key))) {
      ++counters["partitions_skipped"];
      continue;
    }
    all_skipped = false;
    if (!std::is_sorted(rows.begin(), rows.end(), Before)) {
      std::stable_sort(rows.begin(), rows.end(), Before);
      ++counters["partitions_resorted"];
    }
    lake::PartitionWriter writer(ctx.registry, ctx.lake_root, kDataset, key);
    const auto n = static_cast<int64_t>(rows.size());
    for (int64_t begin = 0; begin < n; begin += kBatchRows) {
      const int64_t count = std::min(kBatchRows, n - begin);
      const dbn::Cmbp1Msg* r = rows.data() + begin;
      std::vector<const source::OptionMeta*> m(count);
      for (int64_t i = 0; i < count; ++i) m[i] = &options.zero_dte.at(r[i].hd.instrument_id);
      std::vector<std::shared_ptr<arrow::Array>> columns = {
          columns::Int64Column(count, [&](int64_t i) { return static_cast<int64_t>(r[i].ts_recv); }),
          columns::Int64Column(count, [&](int64_t i) { return static_cast<int64_t>(r[i].hd.ts_event); }),
          columns::Int64Column(count, [&](int64_t i) { return static_cast<int64_t>(r[i].hd.publisher_id); }),
          columns::Int64Column(count, [&](int64_t i) { return static_cast<int64_t>(r[i].hd.instrument_id); }),
          columns::Int64Column(count, [&](int64_t i) { return r[i].levels[0].bid_px; }),
          columns::Int64Column(count, [&](int64_t i) { return r[i].levels[0].ask_px; }),
          columns::Int64Column(count, [&](int64_t i) { return static_cast<int64_t>(r[i].levels[0].bid_sz); }),
          columns::Int64Column(count, [&](int64_t i) { return static_cast<int64_t>(r[i].levels[0].ask_sz); }),
          columns::StringColumn(count, [&](int64_t i) { return std::string_view(m[i]->underlying); }),
          columns::CharColumn(count, [&](int64_t i) { return m[i]->right; }),
          columns::Int64Column(count, [&](int64_t i) { return m[i]->strike; }),
          columns::Int64Column(count, [&](int64_t i) { return m[i]->expiration; }),
      };
      writer.Write(*arrow::RecordBatch::Make(Cmbp1Schema(), count, std::move(columns)));
    }
    const auto commit = writer.Commit(info);
    result.rows += commit.rows;
    counters["bytes_written"] += commit.bytes;
    ++counters["partitions_written"];
    result.datasets_written.push_back(fmt::format("{} symbol={}", kDataset, underlying));
  }
  result.skipped = all_skipped;
  result.counters = std::move(counters);
  return result;
}

}  // namespace spymaster::pipeline
