// Bronze for the three MBO products. Records are collected per output partition as raw MboMsg (56
// bytes each), re-sorted only when the file order differs from (ts_event, sequence), then turned into
// Arrow columns batch by batch and written through lake::PartitionWriter.
#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "dbn/decoder.hpp"
#include "lake/partition.hpp"
#include "pipeline/arrow_columns.hpp"
#include "pipeline/bronze_stages.hpp"
#include "pipeline/option_definitions.hpp"
#include "pipeline/raw_input.hpp"
#include "sim/eastern_time.hpp"

namespace spymaster::pipeline {
namespace {

constexpr int64_t kBatchRows = 1 << 20;

struct Group {
  std::string symbol;  // partition symbol
  std::vector<dbn::MboMsg> rows;
};

enum Drop { kUnmapped, kUserDefined, kSpread, kNotZeroDte, kDropReasons };
constexpr std::array<const char*, kDropReasons> kDropCounter = {
    "unmapped_dropped", "user_defined_dropped", "spreads_dropped", "not_0dte_dropped"};

// What bronze does with one instrument_id: which group it feeds, or why it is dropped.
struct Route {
  int32_t group = -1;  // -1 = dropped
  Drop drop = kUnmapped;
};

struct Ingest {
  lake::ProductType product_type;
  std::string_view stage;
  std::string_view dataset;
  bool drop_spreads;
  const OptionDefinitions* options;  // nullptr for outrights/equities

  std::vector<Group> groups;
  std::unordered_map<std::string, int32_t> group_of_symbol;
  std::unordered_map<uint32_t, std::string> symbol_of_instrument;  // every routed instrument
  std::map<std::string, int64_t> counters;

  Route RouteFor(uint32_t instrument_id, const std::unordered_map<uint32_t, std::string>& symbols) {
    const auto sym = symbols.find(instrument_id);
    if (sym == symbols.end()) return {-1, kUnmapped};
    const std::string& symbol = sym->second;
    if (symbol.starts_with("UD:")) return {-1, kUserDefined};
    if (drop_spreads && symbol.find('-') != std::string::npos) return {-1, kSpread};
    std::string partition = symbol;
    if (options != nullptr) {
      const auto meta = options->zero_dte.find(instrument_id);
      if (meta == options->zero_dte.end()) return {-1, kNotZeroDte};
      partition = meta->second.underlying;
    }
    symbol_of_instrument[instrument_id] = symbol;
    auto [it, inserted] = group_of_symbol.try_emplace(partition, static_cast<int32_t>(groups.size()));
    if (inserted) groups.push_back(Group{partition, {}});
    return {it->second, kUnmapped};
  }

  void ReadFile(const std::filesystem::path& file, uint32_t yyyymmdd) {
    auto decoder = dbn::Decoder::FromFile(file);
    auto symbols = InstrumentSymbols(decoder.metadata(), yyyymmdd);
    std::unordered_map<uint32_t, Route> routes;
    uint32_t last_id = 0;
    Route last_route;
    bool have_last = false;
    uint64_t prev_ts_recv = 0;
    int64_t index = -1;
    int64_t mbo = 0;
    int64_t other = 0;
    int64_t zeroed = 0;
    std::array<int64_t, kDropReasons> dropped{};
    while (const dbn::RecordRef* rec = decoder.Next()) {
      ++index;
      const auto* msg = rec->Get<dbn::MboMsg>();
      if (msg == nullptr) {
        if (const auto* mapping = rec->Get<dbn::SymbolMappingMsg>()) {
          symbols[mapping->hd.instrument_id] = std::string(dbn::CStr(mapping->stype_out_symbol));
          routes.erase(mapping->hd.instrument_id);
          have_last = false;
        } else {
          ++other;
        }
        continue;
      }
      ++mbo;
      if (msg->ts_recv < prev_ts_recv) {
        throw std::runtime_error(fmt::format(
            "raw file {}: record {} at byte offset {} is out of order (ts_recv {} < previous {})", file.string(),
            index, decoder.record_offset(), msg->ts_recv, prev_ts_recv));
      }
      prev_ts_recv = msg->ts_recv;
      const uint32_t id = msg->hd.instrument_id;
      if (!have_last || id != last_id) {
        auto it = routes.find(id);
        if (it == routes.end()) it = routes.emplace(id, RouteFor(id, symbols)).first;
        last_id = id;
        last_route = it->second;
        have_last = true;
      }
      if (last_route.group < 0) {
        ++dropped[last_route.drop];
        continue;
      }
      dbn::MboMsg row = *msg;
      if (row.price == dbn::kUndefPrice) {
        if (row.action == 'A' || row.action == 'M') {
          throw std::runtime_error(fmt::format(
              "raw file {}: record {} at byte offset {}: {} action '{}' without a price (order {})", file.string(),
              index, decoder.record_offset(), "MBO", row.action, row.order_id));
        }
        row.price = 0;
        ++zeroed;
      }
      groups[last_route.group].rows.push_back(row);
    }
    counters["records_read"] += mbo;
    counters["other_records_skipped"] += other;
    counters["null_price_zeroed"] += zeroed;
    for (int d = 0; d < kDropReasons; ++d) {
      if (dropped[d] > 0) counters[kDropCounter[d]] += dropped[d];
    }
  }
};

bool Before(const dbn::MboMsg& a, const dbn::MboMsg& b) {
  return a.hd.ts_event != b.hd.ts_event ? a.hd.ts_event < b.hd.ts_event : a.sequence < b.sequence;
}

// Sorts by (ts_event, sequence), stable, only when needed; returns whether it had to.
bool SortRows(std::vector<dbn::MboMsg>& rows) {
  if (std::is_sorted(rows.begin(), rows.end(), Before)) return false;
  std::stable_sort(rows.begin(), rows.end(), Before);
  return true;
}

std::shared_ptr<arrow::RecordBatch> MakeBatch(const Ingest& ingest, const lake::DatasetSpec& dataset,
                                              const Group& group, int64_t begin, int64_t rows) {
  const dbn::MboMsg* r = group.rows.data() + begin;
  std::vector<std::shared_ptr<arrow::Array>> columns = {
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].ts_recv); }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].size); }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].hd.ts_event); }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].channel_id); }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].hd.rtype); }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].order_id); }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].hd.publisher_id); }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].flags); }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].hd.instrument_id); }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].ts_in_delta); }),
      CharColumn(rows, [&](int64_t i) { return r[i].action; }),
      Int64Column(rows, [&](int64_t i) { return static_cast<int64_t>(r[i].sequence); }),
      CharColumn(rows, [&](int64_t i) { return r[i].side; }),
  };
  if (ingest.options == nullptr) {
    columns.push_back(StringColumn(rows, [&](int64_t) { return std::string_view(group.symbol); }));
  } else {
    // Rows of one underlying cycle through many instruments; cache the last lookup.
    uint32_t last_id = 0;
    std::string_view last_symbol;
    columns.push_back(StringColumn(rows, [&](int64_t i) {
      if (last_symbol.empty() || r[i].hd.instrument_id != last_id) {
        last_id = r[i].hd.instrument_id;
        last_symbol = ingest.symbol_of_instrument.at(last_id);
      }
      return last_symbol;
    }));
  }
  columns.push_back(Int64Column(rows, [&](int64_t i) { return r[i].price; }));
  if (ingest.options != nullptr) {
    const auto& meta = ingest.options->zero_dte;
    std::vector<const OptionMeta*> m(rows);
    for (int64_t i = 0; i < rows; ++i) m[i] = &meta.at(r[i].hd.instrument_id);
    columns.push_back(StringColumn(rows, [&](int64_t i) { return std::string_view(m[i]->underlying); }));
    columns.push_back(CharColumn(rows, [&](int64_t i) { return m[i]->right; }));
    columns.push_back(Int64Column(rows, [&](int64_t i) { return m[i]->strike; }));
    columns.push_back(Int64Column(rows, [&](int64_t i) { return m[i]->expiration; }));
  }
  return arrow::RecordBatch::Make(dataset.contract.ArrowSchema(), rows, std::move(columns));
}

StageResult RunMbo(const StageContext& ctx, const Task& task, std::string_view stage, std::string_view dataset_key,
                   bool drop_spreads, bool zero_dte_options) {
  const sim::Date date = sim::ParseDate(task.dt);
  const uint32_t yyyymmdd = sim::DateAsYyyymmdd(date);
  const lake::DatasetSpec& dataset = ctx.registry.Get(dataset_key);
  if (ctx.overwrite) {
    throw std::runtime_error(fmt::format("{}: --overwrite is not allowed for bronze (bronze is never deleted)", stage));
  }
  std::optional<OptionDefinitions> options;
  std::vector<lake::InputRef> inputs;
  if (zero_dte_options) {
    const auto def_files = FindRawFiles(ctx.lake_root, task.product_type, task.symbol, "definition", task.dt);
    options = LoadZeroDteOptions(def_files, task.dt, "");
    for (const auto& f : def_files) inputs.push_back(RawInputRef(f, "definition", task.dt));
  }
  const auto files = FindRawFiles(ctx.lake_root, task.product_type, task.symbol, "mbo", task.dt);
  for (const auto& f : files) inputs.push_back(RawInputRef(f, "mbo", task.dt));

  Ingest ingest{task.product_type, stage, dataset_key, drop_spreads, options ? &*options : nullptr, {}, {}, {}, {}};
  if (options) {
    for (const auto& [k, v] : options->counters) ingest.counters["definition_" + k] = v;
  }
  for (const auto& file : files) ingest.ReadFile(file, yyyymmdd);

  int64_t kept = 0;
  for (const Group& g : ingest.groups) kept += static_cast<int64_t>(g.rows.size());
  if (kept == 0) {
    throw std::runtime_error(fmt::format("{}: no rows left for {} {} after filters ({} MBO records read from {})",
                                         stage, task.symbol, task.dt, ingest.counters["records_read"],
                                         files.front().string()));
  }

  StageResult result;
  result.stage = std::string(stage);
  std::sort(ingest.groups.begin(), ingest.groups.end(),
            [](const Group& a, const Group& b) { return a.symbol < b.symbol; });
  bool all_skipped = true;
  const lake::StageInfo info{std::string(stage), inputs, ingest.counters};  // what every manifest records
  for (Group& group : ingest.groups) {
    const lake::PartitionKey key{group.symbol, task.dt};
    if (lake::IsComplete(lake::PartitionDir(dataset, ctx.lake_root, key))) {
      ++ingest.counters["partitions_skipped"];
      continue;
    }
    all_skipped = false;
    if (SortRows(group.rows)) ++ingest.counters["partitions_resorted"];
    lake::PartitionWriter writer(ctx.registry, ctx.lake_root, dataset_key, key);
    const auto n = static_cast<int64_t>(group.rows.size());
    for (int64_t begin = 0; begin < n; begin += kBatchRows) {
      writer.Write(*MakeBatch(ingest, dataset, group, begin, std::min(kBatchRows, n - begin)));
    }
    const auto commit = writer.Commit(info);
    result.rows += commit.rows;
    ingest.counters["bytes_written"] += commit.bytes;
    ++ingest.counters["partitions_written"];
    result.datasets_written.push_back(fmt::format("{} symbol={}", dataset_key, group.symbol));
    std::vector<dbn::MboMsg>().swap(group.rows);
  }
  result.skipped = all_skipped;
  result.counters = std::move(ingest.counters);
  return result;
}

}  // namespace

StageResult RunBronzeFutureMbo(const StageContext& ctx, const Task& task) {
  return RunMbo(ctx, task, "bronze_ingest_future_mbo", "bronze.future_mbo.mbo", true, false);
}

StageResult RunBronzeFutureOptionMbo(const StageContext& ctx, const Task& task) {
  return RunMbo(ctx, task, "bronze_ingest_future_option_mbo", "bronze.future_option_mbo.mbo", true, true);
}

StageResult RunBronzeEquityMbo(const StageContext& ctx, const Task& task) {
  return RunMbo(ctx, task, "bronze_ingest_equity_mbo", "bronze.equity_mbo.mbo", false, false);
}

}  // namespace spymaster::pipeline
