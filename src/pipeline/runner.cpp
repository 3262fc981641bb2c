#include "pipeline/runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <ostream>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/calendar.hpp"
#include "lake/commit_journal.hpp"
#include "lake/interrupt.hpp"
#include "lake/partition.hpp"
#include "pipeline/bronze_silver_tee.hpp"
#include "pipeline/contract_selection.hpp"
#include "source/raw_input.hpp"

namespace spymaster::pipeline {
namespace {

bool ResolvesThroughSelection(ProductType product_type, Layer layer, const std::string& symbol) {
  return layer != Layer::kBronze && symbol == "ES" &&
         (product_type == ProductType::kFutureMbo || product_type == ProductType::kFutureOptionMbo);
}

// The run's dates as --dates takes them: one date, a range "a:b" when they are one, else "a,b,c".
std::string DatesArgument(const std::vector<std::string>& dates) {
  if (dates.size() > 1 && common::ExpandDates(dates.front() + ":" + dates.back()) == dates) {
    return dates.front() + ":" + dates.back();
  }
  std::string joined;
  for (const auto& d : dates) joined += (joined.empty() ? "" : ",") + d;
  return joined;
}

std::string SelectContractCommand(const RunOptions& options) {
  return fmt::format("spymaster select-contract --dates {} --lake {}", DatesArgument(options.dates),
                     options.lake_root.string());
}

std::vector<Task> BuildTasks(const RunOptions& options, Layer layer, const lake::DatasetRegistry& registry,
                             std::ostream& out) {
  std::vector<Task> tasks;
  if (!ResolvesThroughSelection(options.product_type, layer, options.symbol)) {
    for (const auto& dt : options.dates) tasks.push_back({options.product_type, options.symbol, dt});
    return tasks;
  }
  if (!lake::IsComplete(lake::PartitionDir(registry.Get(kSelectionDataset), options.lake_root, {}))) {
    throw std::runtime_error(fmt::format(
        "{} resolves through the front-month selection map, and {} has none: run `{}` (after bronze future_mbo "
        "of those dates), or include bronze in this run (--layer all)",
        options.symbol, options.lake_root.string(), SelectContractCommand(options)));
  }
  const auto selection = LoadSelection(registry, options.lake_root);
  int skipped = 0;
  for (const auto& dt : options.dates) {
    if (auto it = selection.find(dt); it != selection.end()) {
      tasks.push_back({options.product_type, it->second, dt});
    } else {
      ++skipped;
    }
  }
  if (skipped > 0) out << fmt::format("Skipping {} dates not in selection map\n", skipped);
  if (tasks.empty()) {
    throw std::runtime_error(
        fmt::format("none of the dates is in the selection map; run `{}`", SelectContractCommand(options)));
  }
  const std::string_view bronze =
      options.product_type == ProductType::kFutureMbo ? "bronze.future_mbo.mbo" : "bronze.future_option_mbo.mbo";
  const auto present = lake::ListSymbols(registry, options.lake_root, bronze);
  for (const Task& t : tasks) {
    if (std::find(present.begin(), present.end(), t.symbol) == present.end()) {
      throw std::runtime_error(fmt::format("selected contract {} for {} has no {} partitions in lake {}", t.symbol,
                                           t.dt, bronze, options.lake_root.string()));
    }
  }
  return tasks;
}

class Progress {
 public:
  Progress(bool enabled, size_t total, std::string label) : enabled_(enabled), total_(total), label_(std::move(label)) {
    Draw("");
  }
  void Done(const Task& task, bool ok) {
    std::lock_guard lock(mutex_);
    ++done_;
    Draw(fmt::format("{} {} {}", task.symbol, task.dt, ok ? "ok" : "FAILED"));
    if (enabled_ && done_ == total_) std::fputc('\n', stderr);
  }

 private:
  void Draw(const std::string& last) {
    if (!enabled_) return;
    constexpr size_t kWidth = 30;
    const size_t filled = total_ == 0 ? kWidth : done_ * kWidth / total_;
    std::fprintf(stderr, "\r%s [%s%s] %zu/%zu %s\033[K", label_.c_str(), std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, '.').c_str(), done_, total_, last.c_str());
    std::fflush(stderr);
  }
  bool enabled_;
  size_t total_;
  std::string label_;
  size_t done_ = 0;
  std::mutex mutex_;
};

std::vector<TaskOutcome> RunLayer(const RunOptions& options, const StageDef& stage, const std::vector<Task>& tasks,
                                  const lake::DatasetRegistry& registry) {
  const StageContext ctx{options.lake_root,          registry,       options.overwrite, options.session_start_minute,
                         options.session_end_minute, options.origin, options.raw_jobs};
  std::vector<TaskOutcome> outcomes(tasks.size());
  Progress progress(options.progress, tasks.size(),
                    fmt::format("{} {}", lake::ToString(stage.layer), lake::ToString(stage.product_type)));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  const bool parallel = options.workers > 1 && tasks.size() > 1;
  auto worker = [&] {
    // After SIGINT/SIGTERM no task starts; running ones stop at their next batch.
    for (size_t i; !stop && lake::InterruptSignal() == 0 && (i = next++) < tasks.size();) {
      TaskOutcome& o = outcomes[i];
      o.task = tasks[i];
      o.layer = stage.layer;
      const auto start = std::chrono::steady_clock::now();
      try {
        o.result = stage.run(ctx, tasks[i]);
      } catch (const std::exception& e) {
        o.error = e.what();
        o.result.stage = std::string(stage.name);
        if (!parallel) stop = true;  // sequential runs stop at the first failure
      }
      o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      progress.Done(tasks[i], o.error.empty());
    }
  };
  if (parallel) {
    std::vector<std::thread> threads;
    const int n = std::min<int>(options.workers, static_cast<int>(tasks.size()));
    for (int t = 0; t < n; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  } else {
    worker();
  }
  // Tasks never started after a sequential failure are left out of the summary.
  std::erase_if(outcomes, [](const TaskOutcome& o) { return o.result.stage.empty(); });
  return outcomes;
}

// The contract of each date when bronze of these dates can feed silver + gold's engine as it writes
// (bronze_silver_tee.hpp): future_mbo or equity_mbo from bronze, and every contract known before bronze
// runs (ES: the selection map has every date; a ticker is its own partition). Empty otherwise.
std::vector<std::string> TeeContracts(const RunOptions& options, const lake::DatasetRegistry& registry) {
  if (options.origin != RecordOrigin::kBronze) return {};
  if (options.product_type == ProductType::kEquityMbo)
    return std::vector<std::string>(options.dates.size(), options.symbol);
  if (options.product_type != ProductType::kFutureMbo || options.symbol != "ES") return {};
  if (!lake::IsComplete(lake::PartitionDir(registry.Get(kSelectionDataset), options.lake_root, {}))) return {};
  const auto selection = LoadSelection(registry, options.lake_root);
  std::vector<std::string> contracts;
  for (const auto& dt : options.dates) {
    const auto it = selection.find(dt);
    if (it == selection.end()) return {};
    contracts.push_back(it->second);
  }
  return contracts;
}

// Bronze and silver + gold of every date, each date's pair teed (bronze_silver_tee.hpp). Outcomes in the
// order the layers run one after the other would give: every bronze task, then every silver + gold task.
std::vector<TaskOutcome> RunTeedLayers(const RunOptions& options, const StageDef& bronze, std::string_view silver_name,
                                       const std::vector<std::string>& contracts,
                                       const lake::DatasetRegistry& registry) {
  const StageContext ctx{options.lake_root,          registry,       options.overwrite, options.session_start_minute,
                         options.session_end_minute, options.origin, options.raw_jobs};
  const size_t n = options.dates.size();
  std::vector<BronzeSilverOutcome> results(n);
  Progress progress(options.progress, n, fmt::format("bronze+silver+gold {}", lake::ToString(options.product_type)));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  const bool parallel = options.workers > 1 && n > 1;
  auto worker = [&] {
    for (size_t i; !stop && lake::InterruptSignal() == 0 && (i = next++) < n;) {
      const Task task{options.product_type, options.symbol, options.dates[i]};
      results[i] = RunBronzeTeeingSilverGold(ctx, task, contracts[i]);
      results[i].bronze.result.stage = std::string(bronze.name);
      if (!results[i].silver_gold.result.stage.empty() || !results[i].silver_gold.error.empty()) {
        results[i].silver_gold.result.stage = std::string(silver_name);
      }
      const bool ok = results[i].bronze.error.empty() && results[i].silver_gold.error.empty();
      if (!ok && !parallel) stop = true;  // sequential runs stop at the first failure
      progress.Done(task, ok);
    }
  };
  if (parallel) {
    std::vector<std::thread> threads;
    for (int t = 0; t < std::min<int>(options.workers, static_cast<int>(n)); ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  } else {
    worker();
  }
  std::vector<TaskOutcome> outcomes;
  for (size_t i = 0; i < n; ++i) {
    const StageOutcome& b = results[i].bronze;
    if (b.result.stage.empty()) continue;  // never started
    outcomes.push_back(
        {{options.product_type, options.symbol, options.dates[i]}, Layer::kBronze, b.result, b.error, b.seconds});
  }
  for (size_t i = 0; i < n; ++i) {
    const StageOutcome& s = results[i].silver_gold;
    if (s.result.stage.empty()) continue;
    outcomes.push_back(
        {{options.product_type, contracts[i], options.dates[i]}, Layer::kSilver, s.result, s.error, s.seconds});
  }
  return outcomes;
}

}  // namespace

RunSummary Run(const RunOptions& options, const lake::DatasetRegistry& registry, std::ostream& out) {
  if (options.dates.empty()) throw std::invalid_argument("no dates: give --dt, --dates or --start-date/--end-date");
  if (options.symbol.empty() || options.symbol.find('/') != std::string::npos) {
    throw std::invalid_argument(fmt::format("invalid --symbol '{}'", options.symbol));
  }
  if (options.workers < 1) throw std::invalid_argument("--workers must be at least 1");
  if (options.overwrite) {
    for (Layer layer : options.layers) {
      if (layer != Layer::kSilver && layer != Layer::kGold && layer != Layer::kForecast) {
        throw std::invalid_argument(
            "--overwrite is only allowed with --layer silver, gold or forecast (bronze and raw are "
            "never deleted)");
      }
    }
  }
  const bool bronze = std::find(options.layers.begin(), options.layers.end(), Layer::kBronze) != options.layers.end();
  if (!options.raw_jobs.empty()) {
    if (!bronze && options.origin != RecordOrigin::kRaw) {
      throw std::invalid_argument(
          "--raw-job picks raw input, which this run does not read (no bronze layer, "
          "silver from bronze)");
    }
    // The raw root: bronze and ES runs name it; a contract (ESH6) or ticker leads to it.
    const bool root = bronze || ResolvesThroughSelection(options.product_type, Layer::kSilver, options.symbol);
    source::CheckRawJobs(options.lake_root, options.product_type,
                         root ? options.symbol : source::RawRootOf(options.product_type, options.symbol),
                         options.raw_jobs);
  }
  std::vector<const StageDef*> stages;
  for (Layer layer : options.layers) {
    const StageDef* stage = FindStage(options.product_type, layer);
    if (stage == nullptr) {
      throw std::runtime_error(fmt::format("no {} stage is registered for {} (src/pipeline/stage_registry.cpp)",
                                           lake::ToString(layer), lake::ToString(options.product_type)));
    }
    stages.push_back(stage);
  }

  // Stages decide what to skip from what is complete: a commit a crash stopped is completed first.
  lake::RecoverPendingCommits(options.lake_root);
  RunSummary summary;
  std::set<std::string> contracts;
  bool after_bronze = false;  // the previous layer was bronze, and it succeeded
  for (std::size_t i = 0; i < stages.size() && lake::InterruptSignal() == 0; ++i) {
    const StageDef* stage = stages[i];
    if (stage->layer == Layer::kBronze && i + 2 < stages.size() && stages[i + 1]->run_with_gold != nullptr &&
        stages[i + 2]->layer == Layer::kGold) {
      if (const auto tee = TeeContracts(options, registry); !tee.empty()) {
        // Bronze feeds silver + gold's engine as it writes: one pass over the raw files, two cores.
        const std::string silver_name = fmt::format("{}+{}", stages[i + 1]->name, stages[i + 2]->name);
        for (size_t d = 0; d < tee.size(); ++d) {
          if (tee[d] != options.symbol) contracts.insert(tee[d]);
        }
        int failed = 0;
        for (auto& o : RunTeedLayers(options, *stage, silver_name, tee, registry)) {
          failed += !o.error.empty();
          summary.outcomes.push_back(std::move(o));
        }
        summary.failed += failed;
        if (failed > 0) break;
        i += 2;
        continue;
      }
    }
    // Silver then gold of the same tasks: one engine pass writes both (same partitions, half the work).
    StageDef fused;
    std::string fused_name;
    if (stage->run_with_gold != nullptr && i + 1 < stages.size() && stages[i + 1]->layer == Layer::kGold) {
      fused_name = fmt::format("{}+{}", stage->name, stages[i + 1]->name);
      fused = *stage;
      fused.name = fused_name;
      fused.run = stage->run_with_gold;
      stage = &fused;
      ++i;
    }
    if (after_bronze && ResolvesThroughSelection(options.product_type, stage->layer, options.symbol)) {
      // Silver/gold of ES right after its bronze: the selection map needs these dates.
      for (const SelectionRow& row : SelectMissingDates(registry, options.lake_root, options.dates)) {
        out << fmt::format("Selected:     {} -> {}\n", row.session_date,
                           row.selected_symbol.empty() ? "-" : row.selected_symbol);
      }
    }
    const auto tasks = BuildTasks(options, stage->layer, registry, out);
    for (const Task& t : tasks) {
      if (t.symbol != options.symbol) contracts.insert(t.symbol);
    }
    auto outcomes = RunLayer(options, *stage, tasks, registry);
    int failed = 0;
    for (auto& o : outcomes) {
      failed += !o.error.empty();
      summary.outcomes.push_back(std::move(o));
    }
    summary.failed += failed;
    if (failed > 0) break;  // later layers need this one's outputs
    after_bronze = stage->layer == Layer::kBronze;
  }

  std::string layers;
  for (Layer l : options.layers) layers += (layers.empty() ? "" : ",") + std::string(lake::ToString(l));
  std::string contract_list;
  for (const auto& c : contracts) contract_list += (contract_list.empty() ? "" : ",") + c;
  out << fmt::format("Product Type: {}\nLayer:        {}\nSymbol:       {}\nDates:        {} ({})\n",
                     lake::ToString(options.product_type), layers, options.symbol,
                     options.dates.front() + (options.dates.size() > 1 ? ".." + options.dates.back() : ""),
                     options.dates.size());
  out << fmt::format("Contracts:    {}\nTasks:        {}\nWorkers:      {}\n",
                     contract_list.empty() ? "-" : contract_list, summary.outcomes.size(), options.workers);
  for (const TaskOutcome& o : summary.outcomes) {
    if (!o.error.empty()) {
      out << fmt::format("  FAILED  {} {} {}: {}\n", o.result.stage, o.task.symbol, o.task.dt, o.error);
      continue;
    }
    if (o.result.skipped) {
      // Bronze is never deleted, so --overwrite is no way to redo it.
      out << fmt::format("  skipped {} {} {}  (complete; {})\n", o.result.stage, o.task.symbol, o.task.dt,
                         o.layer == Layer::kBronze
                             ? fmt::format("bronze is never overwritten; to rebuild it, delete its partitions "
                                           "bronze/source=databento/product_type={}/symbol=*/table=*/dt={} by hand",
                                           lake::ToString(options.product_type), o.task.dt)
                             : std::string("--overwrite recomputes it"));
      continue;
    }
    // Stages report their input size as records_read (bronze) or records (engine stages).
    const auto& c = o.result.counters;
    const int64_t records = c.count("records_read") ? c.at("records_read")
                            : c.count("records")    ? c.at("records")
                                                    : o.result.rows;
    out << fmt::format("  ok      {} {} {}  rows={}  {:.2f}s  {:.2f} M input records/s\n", o.result.stage,
                       o.task.symbol, o.task.dt, o.result.rows, o.seconds,
                       o.seconds > 0 ? records / o.seconds / 1e6 : 0.0);
    for (const auto& d : o.result.datasets_written) out << "          -> " << d << '\n';
  }
  const char* status = lake::InterruptSignal() != 0 ? "INTERRUPTED" : summary.failed == 0 ? "DONE" : "FAILED";
  out << fmt::format("{} lake={} ({} failed)\n", status, std::filesystem::absolute(options.lake_root).string(),
                     summary.failed);
  return summary;
}

}  // namespace spymaster::pipeline
