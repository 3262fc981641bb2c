// Replay: silver book_snapshot_1s drives the window list (every session window), gold physics_surface_1s
// rows of the same window_end_ts_ns fill the surface (none for windows without spot). Both partitions
// stream in record batches; a client holds one batch of each, never the day.
#include <arrow/api.h>
#include <fmt/format.h>

#include <deque>

#include "columns/engine_rows_arrow.hpp"
#include "common/arrow_status.hpp"
#include "lake/partition.hpp"
#include "serve/window_source.hpp"

namespace spymaster::serve {
namespace {

constexpr engine::GoldValue kStreamedValues[] = {
    engine::kLiquidityVelocity, engine::kRho,         engine::kNu,   engine::kKappa,
    engine::kPressureGrad,      engine::kUWaveEnergy, engine::kOmega};
constexpr int64_t kGoldBatchRows = 802 * 16;

class ReplaySource final : public WindowSource {
 public:
  ReplaySource(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
               const SourceRequest& request)
      : where_(fmt::format("gold.future_mbo.physics_surface_1s symbol={} dt={}", request.symbol, request.dt)) {
    const lake::PartitionKey part{request.symbol, request.dt};
    identity_ =
        fmt::format("replay {} {} {} {}", request.symbol, request.dt,
                    lake::InputRefFor(registry, lake_root, "silver.future_mbo.book_snapshot_1s", part).manifest_sha256,
                    lake::InputRefFor(registry, lake_root, "gold.future_mbo.physics_surface_1s", part).manifest_sha256);
    // Both partitions are checked (and opened) before the first window goes out.
    snap_reader_ = lake::OpenPartitionReader(registry, lake_root, "silver.future_mbo.book_snapshot_1s", part, 4096);
    std::vector<std::string> columns = {"window_end_ts_ns", "spot_ref_price_int", "rel_ticks", "side"};
    for (engine::GoldValue v : kStreamedValues) columns.emplace_back(engine::kGoldValueNames[v]);
    gold_reader_ = lake::OpenPartitionReader(registry, lake_root, "gold.future_mbo.physics_surface_1s", part,
                                             kGoldBatchRows, columns);
  }

  engine::WindowPtr Next() override {
    if (snaps_.empty() && !FillSnapshots()) return nullptr;
    auto w = std::make_shared<engine::WindowResult>();
    w->snapshot = snaps_.front();
    snaps_.pop_front();
    const int64_t ts = w->snapshot.window_end_ts_ns;
    engine::GoldSurface& g = w->gold;
    g.window_end_ts_ns = ts;
    while (GoldRowReady()) {
      const int64_t row_ts = gold_ts_->Value(row_);
      if (row_ts > ts) break;
      if (row_ts == ts) {
        g.spot_ref_price_int = gold_spot_->Value(row_);
        g.rel_ticks.push_back(gold_rel_->Value(row_));
        const std::string_view side = gold_side_->GetView(row_);
        g.side.push_back(side.empty() ? '?' : side[0]);
        for (std::size_t v = 0; v < std::size(kStreamedValues); ++v) {
          g.values[kStreamedValues[v]].push_back(gold_values_[v]->Value(row_));
        }
      }
      ++row_;  // gold rows of a window without a snapshot row cannot happen in a verified lake; skipped
    }
    return w;
  }
  const std::string& identity() const override { return identity_; }

 private:
  bool FillSnapshots() {
    std::shared_ptr<arrow::RecordBatch> batch;
    while (snaps_.empty()) {
      CheckOk(snap_reader_->ReadNext(&batch), [] { return "reading silver.future_mbo.book_snapshot_1s"; });
      if (!batch) return false;
      std::vector<engine::SnapshotRow> rows;
      columns::AppendSnapshotRows(*batch, rows);
      snaps_.insert(snaps_.end(), rows.begin(), rows.end());
    }
    return true;
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
      gold_side_ = std::static_pointer_cast<arrow::StringArray>(column("side"));
      for (std::size_t v = 0; v < std::size(kStreamedValues); ++v) {
        gold_values_[v] = std::static_pointer_cast<arrow::DoubleArray>(
            column(std::string(engine::kGoldValueNames[kStreamedValues[v]])));
      }
    }
    return true;
  }

  std::string where_;
  std::string identity_;
  std::shared_ptr<arrow::RecordBatchReader> snap_reader_;
  std::shared_ptr<arrow::RecordBatchReader> gold_reader_;
  std::deque<engine::SnapshotRow> snaps_;
  std::shared_ptr<arrow::RecordBatch> gold_batch_;
  bool gold_done_ = false;
  int64_t row_ = 0;
  std::shared_ptr<arrow::Int64Array> gold_ts_, gold_spot_;
  std::shared_ptr<arrow::Int32Array> gold_rel_;
  std::shared_ptr<arrow::StringArray> gold_side_;
  std::shared_ptr<arrow::DoubleArray> gold_values_[std::size(kStreamedValues)];
};

}  // namespace

std::unique_ptr<WindowSource> OpenReplaySource(const lake::DatasetRegistry& registry,
                                               const std::filesystem::path& lake_root, const SourceRequest& request) {
  return std::make_unique<ReplaySource>(registry, lake_root, request);
}

}  // namespace spymaster::serve
