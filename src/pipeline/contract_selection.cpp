#include "pipeline/contract_selection.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "columns/arrow_columns.hpp"
#include "common/arrow_status.hpp"
#include "common/new_york_time.hpp"
#include "lake/partition.hpp"

namespace spymaster::pipeline {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kBronzeDataset = "bronze.future_mbo.mbo";

struct DayStats {
  int64_t volume = 0;
  int64_t premarket_trades = 0;
};

std::vector<std::string> PartitionDates(const lake::DatasetRegistry& registry, const fs::path& lake_root,
                                        const std::string& symbol) {
  const auto& dataset = registry.Get(kBronzeDataset);
  const fs::path dir = lake::PartitionDir(dataset, lake_root, {symbol, "2000-01-01"}).parent_path();
  std::vector<std::string> dates;
  if (!fs::is_directory(dir)) return dates;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("dt=") && lake::IsComplete(entry.path())) dates.push_back(name.substr(3));
  }
  std::sort(dates.begin(), dates.end());
  return dates;
}

DayStats ReadDayStats(const lake::DatasetRegistry& registry, const fs::path& lake_root, const std::string& symbol,
                      const std::string& dt) {
  const auto table =
      lake::ReadPartitionColumns(registry, lake_root, kBronzeDataset, {symbol, dt}, {"ts_event", "action", "size"});
  const common::Date date = common::ParseDate(dt);
  const int64_t pre_start = common::EpochNs(common::NewYorkToUtc(date, std::chrono::hours{5}));
  const int64_t pre_end = common::EpochNs(common::NewYorkToUtc(date, std::chrono::hours{8} + std::chrono::minutes{30}));
  DayStats stats;
  for (int c = 0; c < table->column(0)->num_chunks(); ++c) {
    const auto& ts = static_cast<const arrow::Int64Array&>(*table->column(0)->chunk(c));
    const auto& action = static_cast<const arrow::StringArray&>(*table->column(1)->chunk(c));
    const auto& size = static_cast<const arrow::Int64Array&>(*table->column(2)->chunk(c));
    for (int64_t i = 0; i < ts.length(); ++i) {
      if (action.GetView(i) != "T") continue;
      stats.volume += size.Value(i);
      stats.premarket_trades += ts.Value(i) >= pre_start && ts.Value(i) < pre_end;
    }
  }
  return stats;
}

fs::path SelectionFile(const lake::DatasetRegistry& registry, const fs::path& lake_root) {
  return lake::PartitionDir(registry.Get(kSelectionDataset), lake_root, {});
}

std::vector<SelectionRow> ReadSelectionRows(const lake::DatasetRegistry& registry, const fs::path& lake_root) {
  const auto batch =
      ValueOrThrow(lake::ReadPartition(registry, lake_root, kSelectionDataset, {})->CombineChunksToBatch(),
                   [&] { return SelectionFile(registry, lake_root).string(); });
  const auto text = [&](const char* name, int64_t i) {
    return std::string(static_cast<const arrow::StringArray&>(*batch->GetColumnByName(name)).GetView(i));
  };
  const auto& prev_selected = static_cast<const arrow::Int64Array&>(*batch->GetColumnByName("prev_volume_selected"));
  const auto& prev_rank2 = static_cast<const arrow::Int64Array&>(*batch->GetColumnByName("prev_volume_rank2"));
  const auto& roll = static_cast<const arrow::Int32Array&>(*batch->GetColumnByName("roll_flag"));
  std::vector<SelectionRow> rows;
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    rows.push_back({text("session_date", i), text("selected_symbol", i), text("selected_exp_date", i),
                    text("prev_trading_date", i), prev_selected.Value(i), prev_rank2.Value(i), roll.Value(i)});
  }
  return rows;
}

}  // namespace

std::optional<std::string> EsContractExpiration(std::string_view symbol) {
  // ^ES[HMUZ]\d{1,2}$ (parsed by hand: std::regex trips GCC 12's uninitialized warnings under ASan)
  if (symbol.size() < 4 || symbol.size() > 5 || !symbol.starts_with("ES")) return std::nullopt;
  const std::string_view months = "HMUZ";
  const size_t quarter = months.find(symbol[2]);
  if (quarter == std::string_view::npos) return std::nullopt;
  int digits = 0;
  for (char c : symbol.substr(3)) {
    if (c < '0' || c > '9') return std::nullopt;
    digits = digits * 10 + (c - '0');
  }
  const int year = symbol.size() == 4 ? 2020 + digits : 2000 + digits;
  const auto month = std::chrono::month{3 * static_cast<unsigned>(quarter) + 3};
  return common::FormatDate(common::Date{std::chrono::year{year} / month / std::chrono::Friday[3]});
}

std::vector<SelectionRow> BuildSelection(const lake::DatasetRegistry& registry, const fs::path& lake_root,
                                         const std::vector<std::string>& dates) {
  if (dates.empty()) throw std::invalid_argument("select-contract: no dates given");
  const auto [min_date, max_date] = std::minmax_element(dates.begin(), dates.end());
  std::map<std::string, std::string> expiration;  // eligible symbol → expiration date
  for (const std::string& symbol : lake::ListSymbols(registry, lake_root, kBronzeDataset)) {
    if (auto exp = EsContractExpiration(symbol)) expiration[symbol] = *exp;
  }
  const fs::path bronze_dir =
      lake::PartitionDir(registry.Get(kBronzeDataset), lake_root, {"ES", "x"}).parent_path().parent_path();
  if (expiration.empty()) {
    throw std::runtime_error(
        fmt::format("select-contract: no ES outright contracts in bronze under {} (run "
                    "`spymaster run --product-type future_mbo --layer bronze --symbol ES` first)",
                    bronze_dir.string()));
  }
  std::map<std::string, std::map<std::string, int64_t>> volume;  // dt → symbol → volume
  std::map<std::string, int64_t> premarket;                      // dt → premarket trades
  for (const auto& [symbol, exp] : expiration) {
    for (const std::string& dt : PartitionDates(registry, lake_root, symbol)) {
      const DayStats stats = ReadDayStats(registry, lake_root, symbol, dt);
      volume[dt][symbol] += stats.volume;
      premarket[dt] += stats.premarket_trades;
    }
  }
  std::vector<std::string> trading;
  for (const auto& [dt, by_symbol] : volume) {
    int64_t total = 0;
    for (const auto& [s, v] : by_symbol) total += v;
    if (total > 0 && premarket[dt] > 0) trading.push_back(dt);
  }
  size_t first = trading.size();
  for (size_t i = 0; i < trading.size(); ++i) {
    if (trading[i] >= *min_date && trading[i] <= *max_date) {
      first = i;
      break;
    }
  }
  if (first == trading.size()) {
    throw std::runtime_error(fmt::format(
        "select-contract: no trading dates in {}..{} in bronze under {} (a trading date has ES trades, some "
        "of them 05:00–08:30 New York time)",
        *min_date, *max_date, bronze_dir.string()));
  }

  std::vector<SelectionRow> rows;
  std::string prev_selected;
  for (size_t i = first > 0 ? first - 1 : first; i < trading.size() && trading[i] <= *max_date; ++i) {
    const std::string& session = trading[i];
    const std::string prev = i > 0 ? trading[i - 1] : "";
    struct Candidate {
      std::string symbol;
      std::string exp;
      int64_t volume;
    };
    std::vector<Candidate> candidates;
    for (const auto& [symbol, exp] : expiration) {
      if (session >= exp) continue;
      int64_t v = 0;
      if (!prev.empty()) {
        const auto& by_symbol = volume[prev];
        if (auto it = by_symbol.find(symbol); it != by_symbol.end()) v = it->second;
      }
      candidates.push_back({symbol, exp, v});
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      if (a.volume != b.volume) return a.volume > b.volume;
      if (a.exp != b.exp) return a.exp < b.exp;
      return a.symbol < b.symbol;
    });
    SelectionRow row{session, "", "", prev, 0, 0, 0};
    if (!candidates.empty()) {
      row.selected_symbol = candidates[0].symbol;
      row.selected_exp_date = candidates[0].exp;
      row.prev_volume_selected = candidates[0].volume;
      row.prev_volume_rank2 = candidates.size() > 1 ? candidates[1].volume : 0;
    }
    row.roll_flag = !prev_selected.empty() && prev_selected != row.selected_symbol ? 1 : 0;
    prev_selected = row.selected_symbol;
    if (i >= first) rows.push_back(std::move(row));
  }
  return rows;
}

void WriteSelection(const lake::DatasetRegistry& registry, const fs::path& lake_root,
                    const std::vector<SelectionRow>& rows) {
  const auto n = static_cast<int64_t>(rows.size());
  std::vector<std::shared_ptr<arrow::Array>> columns = {
      columns::StringColumn(n, [&](int64_t i) { return std::string_view(rows[i].session_date); }),
      columns::StringColumn(n, [&](int64_t i) { return std::string_view(rows[i].selected_symbol); }),
      columns::StringColumn(n, [&](int64_t i) { return std::string_view(rows[i].selected_exp_date); }),
      columns::StringColumn(n, [&](int64_t i) { return std::string_view(rows[i].prev_trading_date); }),
      columns::Int64Column(n, [&](int64_t i) { return rows[i].prev_volume_selected; }),
      columns::Int64Column(n, [&](int64_t i) { return rows[i].prev_volume_rank2; }),
  };
  arrow::Int32Builder roll;
  for (const auto& r : rows) {
    CheckOk(roll.Append(r.roll_flag), [] { return "select-contract: column roll_flag"; });
  }
  columns.push_back(ValueOrThrow(roll.Finish(), [] { return "select-contract: column roll_flag"; }));
  const auto schema = ValueOrThrow(columns::Int64AndStringSchema({{"session_date", true},
                                                                  {"selected_symbol", true},
                                                                  {"selected_exp_date", true},
                                                                  {"prev_trading_date", true},
                                                                  {"prev_volume_selected", false},
                                                                  {"prev_volume_rank2", false}})
                                       ->AddField(6, arrow::field("roll_flag", arrow::int32(), false)),
                                   [] { return "select-contract: schema"; });
  const auto batch = arrow::RecordBatch::Make(schema, n, std::move(columns));
  lake::PartitionWriter writer(registry, lake_root, kSelectionDataset, {}, /*overwrite=*/true);
  writer.Write(*batch);
  writer.Commit(lake::StageInfo{"select_contract", {}, {{"rows", n}}});
}

std::map<std::string, std::string> LoadSelection(const lake::DatasetRegistry& registry, const fs::path& lake_root) {
  const fs::path file = SelectionFile(registry, lake_root);
  if (!fs::is_regular_file(file)) {
    throw std::runtime_error(
        fmt::format("selection map {} not found (run `spymaster select-contract --dates ...`)", file.string()));
  }
  std::map<std::string, std::string> map;
  for (const SelectionRow& row : ReadSelectionRows(registry, lake_root)) {
    if (row.selected_symbol.empty()) continue;
    if (!map.emplace(row.session_date, row.selected_symbol).second) {
      throw std::runtime_error(
          fmt::format("selection map {}: duplicate session_date {}", file.string(), row.session_date));
    }
  }
  return map;
}

std::vector<SelectionRow> SelectMissingDates(const lake::DatasetRegistry& registry, const fs::path& lake_root,
                                             const std::vector<std::string>& dates) {
  std::vector<SelectionRow> rows;
  if (fs::is_regular_file(SelectionFile(registry, lake_root))) rows = ReadSelectionRows(registry, lake_root);
  std::set<std::string> have;
  for (const SelectionRow& row : rows) {
    if (!row.selected_symbol.empty()) have.insert(row.session_date);
  }
  std::vector<std::string> missing;
  for (const std::string& dt : dates) {
    if (!have.contains(dt)) missing.push_back(dt);
  }
  if (missing.empty()) return {};
  std::vector<SelectionRow> added = BuildSelection(registry, lake_root, missing);
  std::erase_if(added, [&](const SelectionRow& r) { return have.contains(r.session_date); });
  std::set<std::string> replaced;  // rows without a contract that now have one
  for (const SelectionRow& r : added) replaced.insert(r.session_date);
  std::erase_if(rows, [&](const SelectionRow& r) { return replaced.contains(r.session_date); });
  rows.insert(rows.end(), added.begin(), added.end());
  std::sort(rows.begin(), rows.end(),
            [](const SelectionRow& a, const SelectionRow& b) { return a.session_date < b.session_date; });
  WriteSelection(registry, lake_root, rows);
  return added;
}

}  // namespace spymaster::pipeline
