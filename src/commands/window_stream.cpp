#include "commands/window_stream.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <algorithm>
#include <type_traits>
#include <utility>

#include "common/calendar.hpp"
#include "common/error.hpp"
#include "lake/product_type.hpp"
#include "pipeline/contract_selection.hpp"
#include "pipeline/option_stages.hpp"
#include "pipeline/session.hpp"
#include "source/mbo_records.hpp"
#include "source/option_records.hpp"
#include "source/raw_input.hpp"

namespace spymaster::commands {
namespace {

lake::ProductType ParseProduct(const std::string& text) {
  const auto product = lake::ParseProductType(text);
  if (!product) {
    throw UsageError(fmt::format(
        "--product-type: '{}' is not one of future_mbo, future_option_mbo, equity_mbo, equity_option_mbo", text));
  }
  return *product;
}

bool IsOption(lake::ProductType product) {
  return product == lake::ProductType::kFutureOptionMbo || product == lake::ProductType::kEquityOptionMbo;
}

}  // namespace

WindowStream::WindowStream(const WindowStreamArgs& args) : registry_(lake::DatasetRegistry::LoadDefault()) {
  const lake::ProductType product = ParseProduct(args.product_type);
  if (args.source != "bronze" && args.source != "raw") {
    throw UsageError(fmt::format("--source: '{}' is not one of bronze, raw", args.source));
  }
  if (args.symbol.empty() || args.symbol.find('/') != std::string::npos) {
    throw UsageError(fmt::format("invalid --symbol '{}'", args.symbol));
  }
  WithUsageErrors("--dt", [&] { return common::ParseDate(args.dt); });
  if (args.batch_windows < 1) throw UsageError(fmt::format("batch_windows: {} is not at least 1", args.batch_windows));
  batch_windows_ = static_cast<std::size_t>(args.batch_windows);
  pipeline::StageContext ctx{.lake_root = args.lake, .registry = registry_};
  ctx.session_start_minute =
      WithUsageErrors("--session-start", [&] { return pipeline::ParseMinuteOfDay(args.session_start); });
  ctx.session_end_minute =
      WithUsageErrors("--session-end", [&] { return pipeline::ParseMinuteOfDay(args.session_end); });
  const pipeline::SessionBounds session = WithUsageErrors("--session-start/--session-end", [&] {
    return pipeline::SessionBoundsNs(args.dt, ctx.session_start_minute, ctx.session_end_minute);
  });
  ctx.origin = args.source == "raw" ? pipeline::RecordOrigin::kRaw : pipeline::RecordOrigin::kBronze;
  ctx.raw_jobs = args.raw_jobs;
  pipeline::Task task{product, args.symbol, args.dt};
  if ((product == lake::ProductType::kFutureMbo || product == lake::ProductType::kFutureOptionMbo) &&
      args.symbol == "ES") {
    // As `run` resolves ES for silver: the front-month contract of the date from the selection map.
    const auto selection = pipeline::LoadSelection(registry_, ctx.lake_root);
    const auto it = selection.find(args.dt);
    if (it == selection.end()) {
      throw Error(ErrorKind::kData, fmt::format("{} is not in the selection map of {}; run `spymaster select-contract "
                                                "--dates {} --lake {}`",
                                                args.dt, args.lake, args.dt, args.lake));
    }
    task.symbol = it->second;
  }
  if (!args.raw_jobs.empty()) {
    if (ctx.origin != pipeline::RecordOrigin::kRaw) {
      throw UsageError("--raw-job picks raw input, which this stream does not read (--source bronze)");
    }
    WithUsageErrors("", [&] {
      source::CheckRawJobs(ctx.lake_root, product, source::RawRootOf(product, task.symbol), args.raw_jobs);
      return 0;
    });
  }

  const std::string pt(lake::ToString(product));
  for (const char* table : {"book_snapshot_1s", "depth_and_flow_1s"}) {
    schemas_.emplace_back(table, registry_.Get(fmt::format("silver.{}.{}", pt, table)).contract.ArrowSchema());
  }
  schemas_.emplace_back("physics_surface_1s",
                        registry_.Get(fmt::format("gold.{}.physics_surface_1s", pt)).contract.ArrowSchema());
  engine::EngineOptions options;
  options.session_start_ns = session.start_ns;
  options.session_end_ns = session.end_ns;
  // Room for the rows of a batch's windows; a session has no more windows than its seconds.
  const int64_t session_windows = (session.end_ns - session.start_ns) / engine::kWindowNs;
  const int64_t windows_per_batch = std::min<int64_t>(args.batch_windows, std::max<int64_t>(session_windows, 1));
  if (IsOption(product)) {
    source::OptionRecords opened = source::OpenOptionRecords(pipeline::RecordRequestOf(ctx, task), nullptr);
    definitions_ = std::move(opened.definitions);
    records_ = std::move(opened.records);
    const pipeline::OptionProduct& p = pipeline::OptionProductOf(product);
    // A window has at most one snapshot row per instrument and one grid row per (offset, right, side).
    const int64_t instruments = std::max<int64_t>(static_cast<int64_t>(opened.instruments.size()), 1);
    const int64_t grid_rows = (2 * int64_t{p.grid.max_offset} + 1) * 4;
    option_snapshots_ =
        std::make_unique<columns::OptionSnapshotColumns>(schemas_[0].second, windows_per_batch * instruments);
    option_flows_ = std::make_unique<columns::OptionFlowColumns>(schemas_[1].second, windows_per_batch * grid_rows);
    option_gold_ = std::make_unique<columns::OptionGoldColumns>(schemas_[2].second, windows_per_batch * grid_rows);
    auto sink = [this](const engine::OptionWindowPtr& w) {
      if (option_closed_.empty() && batched() < batch_windows_) {
        Batch(*w);
      } else {
        option_closed_.push_back(w);
      }
    };
    if (product == lake::ProductType::kFutureOptionMbo) {
      engine_.emplace<engine::OptionEngine>(p.underlying, p.grid, options, std::move(opened.instruments), sink);
    } else {
      engine_.emplace<engine::QuoteOptionEngine>(p.underlying, p.grid, options, std::move(opened.instruments), sink);
    }
    return;
  }
  const engine::ProductConfig config = source::MboProductConfig(product);
  // A window has at most both sides of the grid.
  const int64_t grid_rows = 2 * (2 * config.half_width + 1);
  snapshots_ = std::make_unique<columns::SnapshotColumns>(schemas_[0].second, windows_per_batch);
  flows_ = std::make_unique<columns::DepthFlowColumns>(schemas_[1].second, windows_per_batch * grid_rows);
  gold_ = std::make_unique<columns::GoldColumns>(schemas_[2].second, windows_per_batch * grid_rows);
  gold_state_.emplace(config.half_width);
  records_ = source::OpenMboRecords(pipeline::RecordRequestOf(ctx, task), nullptr);
  options.compute_gold = false;
  engine_.emplace<engine::Engine>(config, options, [this](const engine::WindowPtr& w) {
    if (closed_.empty() && batched() < batch_windows_) {
      Batch(*w);
    } else {
      closed_.push_back(w);
    }
  });
}

WindowStream::~WindowStream() = default;

std::optional<std::vector<WindowTable>> WindowStream::Next() {
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  for (; !closed_.empty() && batched() < batch_windows_; closed_.pop_front()) Batch(*closed_.front());
  for (; !option_closed_.empty() && batched() < batch_windows_; option_closed_.pop_front()) {
    Batch(*option_closed_.front());
  }
  const auto full = [this] { return batched() >= batch_windows_; };
  try {
    while (!full() && !done_) {
      done_ = std::visit(
          [&](auto& engine) {
            if constexpr (std::is_same_v<std::decay_t<decltype(engine)>, std::monostate>) {
              return true;
            } else {
              return !feeder_.Feed(*records_, engine, full);
            }
          },
          engine_);
    }
  } catch (...) {
    // The windows already batched are handed out first, as they would have been a window a batch.
    if (batched() == 0) throw;
    error_ = std::current_exception();
    done_ = true;
  }
  if (batched() == 0) return std::nullopt;
  return option_snapshots_ ? OptionTables() : MboTables();
}

void WindowStream::Batch(const engine::WindowResult& window) {
  snapshots_->Append({&window.snapshot, 1});
  flows_->Append(window.depth_flow);
  gold_rows_ += gold_->AppendWindow(*gold_state_, window.snapshot, window.depth_flow);
  EndWindow(snapshots_->size(), flows_->size(), gold_->size());
}

void WindowStream::Batch(const engine::OptionWindowResult& window) {
  option_snapshots_->Append(window.snapshots);
  option_flows_->Append(window.flow);
  option_gold_->Append(window.gold);
  EndWindow(option_snapshots_->size(), option_flows_->size(), option_gold_->size());
}

void WindowStream::EndWindow(int64_t snapshot_rows, int64_t flow_rows, int64_t gold_rows) {
  snapshot_ends_.push_back(snapshot_rows);
  flow_ends_.push_back(flow_rows);
  gold_ends_.push_back(gold_rows);
}

std::vector<WindowTable> WindowStream::MboTables() {
  return {
      {schemas_[0].first, snapshots_->Take(), std::exchange(snapshot_ends_, {})},
      {schemas_[1].first, flows_->Take(), std::exchange(flow_ends_, {})},
      {schemas_[2].first, gold_->Take(), std::exchange(gold_ends_, {})},
  };
}

std::vector<WindowTable> WindowStream::OptionTables() {
  return {
      {schemas_[0].first, option_snapshots_->Take(), std::exchange(snapshot_ends_, {})},
      {schemas_[1].first, option_flows_->Take(), std::exchange(flow_ends_, {})},
      {schemas_[2].first, option_gold_->Take(), std::exchange(gold_ends_, {})},
  };
}

std::map<std::string, int64_t> WindowStream::Counters() const {
  std::map<std::string, int64_t> counters;
  std::visit(
      [&](const auto& engine) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(engine)>, std::monostate>) {
          for (const auto& [name, value] : engine.CounterList()) counters[name] = value;
        }
      },
      engine_);
  for (const auto& [name, value] : records_->Counters()) counters[name] = value;
  if (gold_state_) counters["gold_rows"] = gold_rows_;  // the engine ran without gold (see gold_state_)
  return counters;
}

}  // namespace spymaster::commands
