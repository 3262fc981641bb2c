// Replay: silver book_snapshot_1s drives the window list (every session window), gold physics_surface_1s
// rows of the same window_end_ts_ns fill the surface (none for windows without spot), the option gold
// rows of that window, summed per strike, the options surface, and gold forecast_1s (when the lake has it
// for this gold) the forecast. The partitions stream in record batches; a reader holds one batch of each,
// never the day.
#include <arrow/api.h>
#include <fmt/format.h>

#include <deque>
#include <optional>

#include "columns/engine_rows_arrow.hpp"
#include "columns/forecast_rows_arrow.hpp"
#include "common/arrow_status.hpp"
#include "engine/option_engine.hpp"
#include "lake/partition.hpp"
#include "serve/option_surface.hpp"
#include "serve/stream_product.hpp"
#include "serve/window_source.hpp"

namespace spymaster::serve {
namespace {

constexpr engine::GoldValue kStreamedValues[] = {
    engine::kLiquidityVelocity, engine::kRho,         engine::kNu,   engine::kKappa,
    engine::kPressureGrad,      engine::kUWaveEnergy, engine::kOmega};
constexpr int64_t kGoldBatchRows = 802 * 16;
constexpr int64_t kOptionBatchRows = 84 * 64;
constexpr int64_t kForecastBatchRows = (engine::kForecastHorizon + 1) * 64;

// Option gold of one underlying, read window by window: per window the rows' liquidity_velocity summed
// over right and side per rel_ticks (stream.md §A.4), in row order (ascending rel_ticks in a verified lake).
class OptionGoldReader {
 public:
  OptionGoldReader(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                   const std::string& dataset, const lake::PartitionKey& part, int32_t rel_ticks_per_strike)
      : where_(fmt::format("{} symbol={} dt={}", dataset, part.symbol, part.dt)),
        step_(rel_ticks_per_strike),
        reader_(
            lake::OpenPartitionReader(registry, lake_root, dataset, part, kOptionBatchRows,
                                      {"window_end_ts_ns", "spot_ref_price_int", "rel_ticks", "liquidity_velocity"})) {}

  // Fills `out` with window `ts`'s strikes (rows of earlier windows are skipped).
  void Read(int64_t ts, StreamWindow& out) {
    while (RowReady()) {
      const int64_t row_ts = ts_->Value(row_);
      if (row_ts > ts) break;
      if (row_ts == ts) {
        const int32_t rel = rel_->Value(row_);
        if (rel % step_ != 0) {
          throw Error(ErrorKind::kData, fmt::format("{}: window {} has rel_ticks {}, not on the {}-tick strike grid",
                                                    where_, ts, rel, step_));
        }
        if (rel >= -kMaxOptionRelTicks && rel <= kMaxOptionRelTicks) {
          out.options_spot_ref_price_int = spot_->Value(row_);
          if (out.options.empty() || out.options.back().rel_ticks != rel) {
            if (!out.options.empty() && out.options.back().rel_ticks > rel) {
              throw Error(ErrorKind::kData,
                          fmt::format("{}: window {} rows not in ascending rel_ticks order", where_, ts));
            }
            out.options.push_back({rel, 0.0});
          }
          out.options.back().liquidity_velocity += velocity_->Value(row_);
        }
      }
      ++row_;
    }
  }

 private:
  bool RowReady() {
    while (!batch_ || row_ >= batch_->num_rows()) {
      if (done_) return false;
      CheckOk(reader_->ReadNext(&batch_), [this] { return "reading " + where_; });
      row_ = 0;
      if (!batch_) {
        done_ = true;
        return false;
      }
      auto column = [&](const std::string& name) {
        auto array = batch_->GetColumnByName(name);
        if (!array) throw Error(ErrorKind::kData, fmt::format("{}: no column {}", where_, name));
        return array;
      };
      ts_ = std::static_pointer_cast<arrow::Int64Array>(column("window_end_ts_ns"));
      spot_ = std::static_pointer_cast<arrow::Int64Array>(column("spot_ref_price_int"));
      rel_ = std::static_pointer_cast<arrow::Int32Array>(column("rel_ticks"));
      velocity_ = std::static_pointer_cast<arrow::DoubleArray>(column("liquidity_velocity"));
    }
    return true;
  }

  std::string where_;
  int32_t step_;
  std::shared_ptr<arrow::RecordBatchReader> reader_;
  std::shared_ptr<arrow::RecordBatch> batch_;
  bool done_ = false;
  int64_t row_ = 0;
  std::shared_ptr<arrow::Int64Array> ts_, spot_;
  std::shared_ptr<arrow::Int32Array> rel_;
  std::shared_ptr<arrow::DoubleArray> velocity_;
};

// What a replay of `request` reads: the partitions' manifests (so the identity changes when any is
// rewritten), why options are missing, and whether the lake's forecast belongs to this gold.
struct ReplayInputs {
  std::string identity;
  std::shared_ptr<const std::string> options_missing;
  bool forecast = false;  // gold forecast_1s is complete and computed from this gold partition
};

ReplayInputs ResolveReplayInputs(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                 const SourceRequest& request) {
  const lake::PartitionKey part{request.symbol, request.dt};
  const lake::ProductType option_product = OptionProduct(request.product);
  const std::string option_gold = DatasetKey("gold", option_product, "physics_surface_1s");
  ReplayInputs in;
  std::string options_manifest = "none";
  try {
    options_manifest = lake::InputRefFor(registry, lake_root, option_gold, part).manifest_sha256;
  } catch (const lake::LakeError& e) {
    in.options_missing = std::make_shared<const std::string>(
        fmt::format("{}; run: spymaster run --product-type {} --layer all --symbol {} --dt {}", e.what(),
                    lake::ToString(option_product),
                    request.product == lake::ProductType::kFutureMbo ? "ES" : request.symbol, request.dt));
  }
  const std::string snap_manifest =
      lake::InputRefFor(registry, lake_root, DatasetKey("silver", request.product, "book_snapshot_1s"), part)
          .manifest_sha256;
  const std::string gold_manifest =
      lake::InputRefFor(registry, lake_root, DatasetKey("gold", request.product, "physics_surface_1s"), part)
          .manifest_sha256;
  // A missing forecast (or one of an older gold) is not an error: the stream computes it, to the same bytes.
  std::string forecast_manifest = "computed";
  try {
    forecast_manifest = lake::InputRefFor(registry, lake_root, DatasetKey("gold", request.product, "forecast_1s"), part,
                                          {{columns::kForecastGoldManifestParam, gold_manifest}})
                            .manifest_sha256;
    in.forecast = true;
  } catch (const lake::LakeError&) {
  }
  in.identity = fmt::format("replay {} {} {} {} {} {}", request.symbol, request.dt, snap_manifest, gold_manifest,
                            options_manifest, forecast_manifest);
  return in;
}

class ReplaySource final : public WindowSource {
 public:
  ReplaySource(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
               const SourceRequest& request)
      : snap_dataset_(DatasetKey("silver", request.product, "book_snapshot_1s")),
        gold_dataset_(DatasetKey("gold", request.product, "physics_surface_1s")),
        forecast_dataset_(DatasetKey("gold", request.product, "forecast_1s")),
        where_(fmt::format("{} symbol={} dt={}", gold_dataset_, request.symbol, request.dt)) {
    const lake::PartitionKey part{request.symbol, request.dt};
    ReplayInputs inputs = ResolveReplayInputs(registry, lake_root, request);
    identity_ = std::move(inputs.identity);
    options_missing_ = std::move(inputs.options_missing);
    // Every partition is checked (and opened) before the first window goes out.
    snap_reader_ = lake::OpenPartitionReader(registry, lake_root, snap_dataset_, part, 4096);
    std::vector<std::string> columns = {"window_end_ts_ns", "spot_ref_price_int", "rel_ticks", "side"};
    for (engine::GoldValue v : kStreamedValues) columns.emplace_back(engine::kGoldValueNames[v]);
    gold_reader_ = lake::OpenPartitionReader(registry, lake_root, gold_dataset_, part, kGoldBatchRows, columns,
                                             /*strings_as_dictionary=*/true);
    if (inputs.forecast) {
      forecast_reader_ = lake::OpenPartitionReader(registry, lake_root, forecast_dataset_, part, kForecastBatchRows);
    }
    if (!options_missing_) {
      const engine::OptionGrid grid =
          request.product == lake::ProductType::kFutureMbo ? engine::EsOptionGrid() : engine::EquityOptionGrid();
      options_.emplace(registry, lake_root, DatasetKey("gold", OptionProduct(request.product), "physics_surface_1s"),
                       part, grid.rel_ticks_per_step);
    }
  }

  StreamWindowPtr Next() override {
    if (snaps_.empty() && !FillSnapshots()) return nullptr;
    auto w = std::make_shared<engine::WindowResult>();
    w->snapshot = snaps_.front();
    snaps_.pop_front();
    const int64_t ts = w->snapshot.window_end_ts_ns;
    engine::GoldSurface& g = w->gold;
    g.window_end_ts_ns = ts;
    // The window's rows are consecutive (gold is sorted by window): copied a column range at a time.
    while (GoldRowReady()) {
      const int64_t* row_ts = gold_ts_->raw_values();
      const int64_t rows = gold_batch_->num_rows();
      while (row_ < rows && row_ts[row_] < ts) ++row_;  // cannot happen in a verified lake; skipped
      if (row_ == rows) continue;
      if (row_ts[row_] > ts) break;
      int64_t end = row_;
      while (end < rows && row_ts[end] == ts) ++end;
      AppendGoldRows(row_, end, g);
      row_ = end;
      if (end < rows) break;  // the next row is a later window's
    }
    auto out = std::make_shared<StreamWindow>();
    out->window = std::move(w);
    out->options_missing = options_missing_;
    if (options_) options_->Read(ts, *out);
    if (forecast_reader_) out->forecast = ReadForecast(ts, !out->window->gold.empty());
    return out;
  }
  const std::string& identity() const override { return identity_; }

 private:
  bool FillSnapshots() {
    std::shared_ptr<arrow::RecordBatch> batch;
    while (snaps_.empty()) {
      CheckOk(snap_reader_->ReadNext(&batch), [this] { return "reading " + snap_dataset_; });
      if (!batch) return false;
      std::vector<engine::SnapshotRow> rows;
      columns::AppendSnapshotRows(*batch, rows);
      snaps_.insert(snaps_.end(), rows.begin(), rows.end());
    }
    return true;
  }

  // The forecast rows of window `ts` (31 when it has gold rows, else none), from the lake.
  std::shared_ptr<const std::vector<engine::ForecastRow>> ReadForecast(int64_t ts, bool has_gold) {
    auto rows = std::make_shared<std::vector<engine::ForecastRow>>();
    for (;;) {
      while (forecast_pos_ < forecast_rows_.size() && forecast_rows_[forecast_pos_].window_end_ts_ns < ts) {
        ++forecast_pos_;  // cannot happen for a forecast of this gold; skipped like gold's
      }
      while (forecast_pos_ < forecast_rows_.size() && forecast_rows_[forecast_pos_].window_end_ts_ns == ts) {
        rows->push_back(forecast_rows_[forecast_pos_++]);
      }
      if (forecast_pos_ < forecast_rows_.size() || forecast_done_) break;
      forecast_rows_.clear();
      forecast_pos_ = 0;
      std::shared_ptr<arrow::RecordBatch> batch;
      CheckOk(forecast_reader_->ReadNext(&batch), [this] { return "reading " + forecast_dataset_; });
      if (!batch) {
        forecast_done_ = true;
      } else {
        columns::AppendForecastRows(*batch, forecast_rows_);
      }
    }
    const std::size_t want = has_gold ? engine::kForecastHorizon + 1 : 0;
    if (rows->size() != want) {
      throw Error(ErrorKind::kData,
                  fmt::format("{}: window {} has {} forecast rows, its gold surface needs {}; rebuild it: spymaster "
                              "run --layer forecast --overwrite",
                              forecast_dataset_, ts, rows->size(), want));
    }
    return rows;
  }

  // Gold rows [begin, end) of the current batch, all of window g.window_end_ts_ns.
  void AppendGoldRows(int64_t begin, int64_t end, engine::GoldSurface& g) {
    g.spot_ref_price_int = gold_spot_->Value(end - 1);
    g.rel_ticks.insert(g.rel_ticks.end(), gold_rel_->raw_values() + begin, gold_rel_->raw_values() + end);
    const int32_t* side = gold_side_indices_->raw_values();
    for (int64_t i = begin; i < end; ++i) {
      const auto code = static_cast<std::size_t>(side[i]);
      g.side.push_back(code < gold_side_chars_.size() ? gold_side_chars_[code] : '?');
    }
    for (std::size_t v = 0; v < std::size(kStreamedValues); ++v) {
      const double* values = gold_values_[v]->raw_values();
      auto& out = g.values[kStreamedValues[v]];
      out.insert(out.end(), values + begin, values + end);
    }
  }

  // True when row_ points at a gold row (reading the next batch when the current one is used up).
  bool GoldRowReady() {
    while (!gold_batch_ || row_ >= gold_batch_->num_rows()) {
      if (gold_done_) return false;
      CheckOk(gold_reader_->ReadNext(&gold_batch_), [this] { return "reading " + where_; });
      row_ = 0;
      if (!gold_batch_) {
        gold_done_ = true;
        return false;
      }
      auto column = [&](const std::string& name) {
        auto array = gold_batch_->GetColumnByName(name);
        if (!array) throw Error(ErrorKind::kData, fmt::format("{}: no column {}", where_, name));
        return array;
      };
      gold_ts_ = std::static_pointer_cast<arrow::Int64Array>(column("window_end_ts_ns"));
      gold_spot_ = std::static_pointer_cast<arrow::Int64Array>(column("spot_ref_price_int"));
      gold_rel_ = std::static_pointer_cast<arrow::Int32Array>(column("rel_ticks"));
      // side comes as dictionary codes: a window's rows map through the batch's few dictionary entries.
      const auto side = std::dynamic_pointer_cast<arrow::DictionaryArray>(column("side"));
      const auto dictionary = side ? std::dynamic_pointer_cast<arrow::StringArray>(side->dictionary()) : nullptr;
      gold_side_indices_ = side ? std::dynamic_pointer_cast<arrow::Int32Array>(side->indices()) : nullptr;
      if (!dictionary || !gold_side_indices_) {
        throw Error(ErrorKind::kData, fmt::format("{}: column side is not dictionary<int32, utf8>", where_));
      }
      gold_side_chars_.clear();
      for (int64_t i = 0; i < dictionary->length(); ++i) {
        const std::string_view value = dictionary->GetView(i);
        gold_side_chars_.push_back(value.empty() ? '?' : value[0]);
      }
      for (std::size_t v = 0; v < std::size(kStreamedValues); ++v) {
        gold_values_[v] = std::static_pointer_cast<arrow::DoubleArray>(
            column(std::string(engine::kGoldValueNames[kStreamedValues[v]])));
      }
    }
    return true;
  }

  std::string snap_dataset_;
  std::string gold_dataset_;
  std::string forecast_dataset_;
  std::string where_;
  std::string identity_;
  std::shared_ptr<arrow::RecordBatchReader> snap_reader_;
  std::shared_ptr<arrow::RecordBatchReader> gold_reader_;
  std::shared_ptr<arrow::RecordBatchReader> forecast_reader_;  // null: the stream computes the forecast
  std::vector<engine::ForecastRow> forecast_rows_;
  std::size_t forecast_pos_ = 0;
  bool forecast_done_ = false;
  std::shared_ptr<const std::string> options_missing_;
  std::optional<OptionGoldReader> options_;
  std::deque<engine::SnapshotRow> snaps_;
  std::shared_ptr<arrow::RecordBatch> gold_batch_;
  bool gold_done_ = false;
  int64_t row_ = 0;
  std::shared_ptr<arrow::Int64Array> gold_ts_, gold_spot_;
  std::shared_ptr<arrow::Int32Array> gold_rel_;
  std::shared_ptr<arrow::Int32Array> gold_side_indices_;
  std::vector<char> gold_side_chars_;  // the batch's side dictionary, first character of each entry
  std::shared_ptr<arrow::DoubleArray> gold_values_[std::size(kStreamedValues)];
};

}  // namespace

std::string ReplaySourceIdentity(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                 const SourceRequest& request) {
  return ResolveReplayInputs(registry, lake_root, request).identity;
}

std::unique_ptr<WindowSource> OpenReplaySource(const lake::DatasetRegistry& registry,
                                               const std::filesystem::path& lake_root, const SourceRequest& request) {
  return std::make_unique<ReplaySource>(registry, lake_root, request);
}

}  // namespace spymaster::serve
