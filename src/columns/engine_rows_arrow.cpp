#include "columns/engine_rows_arrow.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "columns/column_slabs.hpp"
#include "common/arrow_status.hpp"

namespace spymaster::columns {
namespace {

static_assert(std::is_standard_layout_v<engine::SnapshotRow> && std::is_standard_layout_v<engine::DepthFlowRow> &&
              std::is_standard_layout_v<engine::OptionSnapshotRow> &&
              std::is_standard_layout_v<engine::OptionFlowRow> &&
              std::is_standard_layout_v<engine::OptionGoldRow>);  // columns are read and written by member offset

enum class Kind { kLong, kInt, kDouble, kBool, kSide };

// Cuts `sizes` (bytes per buffer, in order) out of one slab: the buffers of one batch. Buffer i starts
// 64·i bytes past a multiple of 4 KiB, so the columns a window fills row by row keep row r in different
// cache sets: packed end to end, buffers whose sizes are multiples of 4 KiB (ES: 802 grid rows × 30 or 60
// windows × 8 bytes) put every column's row r in one L1 set, more columns than the set has ways, and the
// stores thrash (ES at 30 windows a batch: 1.6x the time at 32).
std::vector<std::shared_ptr<arrow::Buffer>> CutSlab(ColumnSlabs& slabs, const std::vector<int64_t>& sizes) {
  constexpr int64_t kSetPeriod = 4096;  // L1 sets × line size of the x86 cores this runs on
  std::vector<int64_t> starts;
  starts.reserve(sizes.size());
  int64_t at = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const int64_t phase = static_cast<int64_t>(i) * ColumnSlabs::kAlignment % kSetPeriod;
    at += (phase - at % kSetPeriod + kSetPeriod) % kSetPeriod;
    starts.push_back(at);
    at += ColumnSlabs::Align(sizes[i]);
  }
  const auto slab = slabs.Get(at);
  std::vector<std::shared_ptr<arrow::Buffer>> buffers;
  buffers.reserve(sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i)
    buffers.push_back(arrow::SliceMutableBuffer(slab, starts[i], sizes[i]));
  return buffers;
}

// dst[i] = the kBytes at src + i·kStride, for i in [0, count). Kept scalar (the empty asm makes every value
// opaque to the vectorizer): GCC 12 vectorizes the strided copy by storing 4 values to the stack and
// reloading them as one vector, a failed store-to-load forward per vector that took ~80 % of the copy.
template <std::size_t kBytes, std::size_t kStride>
void GatherColumn(uint8_t* dst, const char* src, int64_t count) {
  using Word = std::conditional_t<kBytes == 8, uint64_t, uint32_t>;
  static_assert(sizeof(Word) == kBytes);
  for (int64_t i = 0; i < count; ++i) {
    Word v;
    std::memcpy(&v, src + static_cast<std::size_t>(i) * kStride, kBytes);
    asm("" : "+r"(v));
    std::memcpy(dst + i * static_cast<int64_t>(kBytes), &v, kBytes);
  }
}

struct ColumnSpec {
  std::string_view name;
  Kind kind;
  std::size_t offset;  // of the field in the row struct
};

// Column buffers of up to `capacity` rows, filled from row structs in L1-sized tiles: per-column passes
// over all rows would stream the (wide) rows through the cache once per column, while per-cell dispatch
// costs a switch per value.
template <class Row>
class Columns {
 public:
  Columns(std::shared_ptr<arrow::Schema> schema, const std::vector<ColumnSpec>& specs, int64_t capacity)
      : schema_(std::move(schema)), capacity_(capacity) {
    for (const auto& field : schema_->fields()) {
      const ColumnSpec* spec = nullptr;
      for (const ColumnSpec& c : specs) {
        if (c.name == field->name()) spec = &c;
      }
      if (spec == nullptr) {
        throw Error(ErrorKind::kData, fmt::format("contract column '{}' is not produced by the engine", field->name()));
      }
      outs_.push_back(Out{spec->kind, spec->offset, nullptr, nullptr});
    }
  }

  int64_t size() const { return n_; }

  // Throws std::length_error past capacity (a caller bug: it flushes at a fixed row count).
  void Append(const Row* rows, int64_t count) {
    if (count > capacity_ - n_) {
      throw std::length_error(fmt::format("{} rows do not fit {} free row slots", count, capacity_ - n_));
    }
    if (!allocated_) Allocate();
    constexpr int64_t kTile = 64;
    // Output index i takes input row i - first.
    const int64_t first = n_;
    const char* base = reinterpret_cast<const char*>(rows);
    for (int64_t begin = n_; begin < n_ + count; begin += kTile) {
      const int64_t end = std::min(n_ + count, begin + kTile);
      for (Out& o : outs_) {
        uint8_t* dst = o.data->mutable_data();
        const char* src = base + o.offset;
        switch (o.kind) {
          case Kind::kLong:
          case Kind::kDouble:
            GatherColumn<8, sizeof(Row)>(dst + begin * 8, src + (begin - first) * sizeof(Row), end - begin);
            break;
          case Kind::kInt:
            GatherColumn<4, sizeof(Row)>(dst + begin * 4, src + (begin - first) * sizeof(Row), end - begin);
            break;
          case Kind::kBool:
            for (int64_t i = begin; i < end; ++i) {
              if (*reinterpret_cast<const bool*>(src + (i - first) * sizeof(Row))) {
                dst[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
              }
            }
            break;
          case Kind::kSide: {
            auto* offsets = reinterpret_cast<int32_t*>(o.offsets->mutable_data());
            for (int64_t i = begin; i < end; ++i) {
              dst[i] = static_cast<uint8_t>(src[(i - first) * sizeof(Row)]);
              offsets[i] = static_cast<int32_t>(i);
            }
            break;
          }
        }
      }
    }
    n_ += count;
  }

  // The rows appended so far as one batch; starts empty again, in other buffers until the batch is gone.
  std::shared_ptr<arrow::RecordBatch> Take() {
    if (!allocated_) Allocate();
    std::vector<std::shared_ptr<arrow::Array>> arrays;
    arrays.reserve(outs_.size());
    for (Out& o : outs_) {
      switch (o.kind) {
        case Kind::kLong:
          arrays.push_back(std::make_shared<arrow::Int64Array>(n_, o.data));
          break;
        case Kind::kDouble:
          arrays.push_back(std::make_shared<arrow::DoubleArray>(n_, o.data));
          break;
        case Kind::kInt:
          arrays.push_back(std::make_shared<arrow::Int32Array>(n_, o.data));
          break;
        case Kind::kBool:
          arrays.push_back(std::make_shared<arrow::BooleanArray>(n_, o.data));
          break;
        case Kind::kSide:
          reinterpret_cast<int32_t*>(o.offsets->mutable_data())[n_] = static_cast<int32_t>(n_);
          arrays.push_back(std::make_shared<arrow::StringArray>(n_, o.offsets, o.data));
          break;
      }
    }
    auto batch = arrow::RecordBatch::Make(schema_, n_, std::move(arrays));
    n_ = 0;
    for (Out& o : outs_) o.data = o.offsets = nullptr;
    allocated_ = false;
    return batch;
  }

 private:
  struct Out {
    Kind kind;
    std::size_t offset;
    std::shared_ptr<arrow::Buffer> data;
    std::shared_ptr<arrow::Buffer> offsets;  // side strings only
  };

  // Every column's buffers, from one slab; at the first Append or Take after a Take, so that the batch
  // handed out last may be gone by then and its slab reused.
  void Allocate() {
    const int64_t c = capacity_;
    std::vector<int64_t> sizes;
    for (const Out& o : outs_) {
      switch (o.kind) {
        case Kind::kLong:
        case Kind::kDouble:
          sizes.push_back(c * 8);
          break;
        case Kind::kInt:
          sizes.push_back(c * 4);
          break;
        case Kind::kBool:
          sizes.push_back((c + 7) / 8);
          break;
        case Kind::kSide:
          sizes.push_back(c);
          sizes.push_back((c + 1) * 4);
          break;
      }
    }
    auto buffers = CutSlab(slabs_, sizes);
    std::size_t next = 0;
    for (Out& o : outs_) {
      o.data = std::move(buffers[next++]);
      if (o.kind == Kind::kSide) o.offsets = std::move(buffers[next++]);
      if (o.kind == Kind::kBool) std::memset(o.data->mutable_data(), 0, static_cast<std::size_t>(o.data->size()));
    }
    allocated_ = true;
  }

  std::shared_ptr<arrow::Schema> schema_;
  int64_t capacity_;
  int64_t n_ = 0;
  std::vector<Out> outs_;
  ColumnSlabs slabs_;
  bool allocated_ = false;
};

template <class Row>
std::shared_ptr<arrow::RecordBatch> Build(const std::vector<Row>& rows, const std::shared_ptr<arrow::Schema>& schema,
                                          const std::vector<ColumnSpec>& specs) {
  Columns<Row> columns(schema, specs, static_cast<int64_t>(rows.size()));
  columns.Append(rows.data(), static_cast<int64_t>(rows.size()));
  return columns.Take();
}

// Reads a batch back into rows through the table its writer uses, so one column <-> member table per row
// type serves both directions. Columns named in `optional` that the batch lacks read as the member's
// default. Throws a data Error naming a missing or mistyped column.
template <class Row>
void AppendRows(const arrow::RecordBatch& batch, const std::vector<ColumnSpec>& specs,
                std::initializer_list<std::string_view> optional, std::vector<Row>& out) {
  const std::size_t first = out.size();
  const int64_t n = batch.num_rows();
  out.resize(first + static_cast<std::size_t>(n));
  char* base = reinterpret_cast<char*>(out.data() + first);
  for (const ColumnSpec& c : specs) {
    const auto column = batch.GetColumnByName(std::string(c.name));
    if (column == nullptr && std::find(optional.begin(), optional.end(), c.name) != optional.end()) continue;
    const arrow::Array* a = column.get();
    const bool typed = a != nullptr && [&] {
      switch (c.kind) {
        case Kind::kLong:
          return dynamic_cast<const arrow::Int64Array*>(a) != nullptr;
        case Kind::kDouble:
          return dynamic_cast<const arrow::DoubleArray*>(a) != nullptr;
        case Kind::kInt:
          return dynamic_cast<const arrow::Int32Array*>(a) != nullptr;
        case Kind::kBool:
          return dynamic_cast<const arrow::BooleanArray*>(a) != nullptr;
        case Kind::kSide:
          return dynamic_cast<const arrow::StringArray*>(a) != nullptr;
      }
      return false;
    }();
    if (!typed) throw Error(ErrorKind::kData, fmt::format("silver column '{}' missing or mistyped", c.name));
    char* dst = base + c.offset;
    switch (c.kind) {
      case Kind::kLong: {
        const int64_t* v = static_cast<const arrow::Int64Array*>(a)->raw_values();
        for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * sizeof(Row), v + i, 8);
        break;
      }
      case Kind::kDouble: {
        const double* v = static_cast<const arrow::DoubleArray*>(a)->raw_values();
        for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * sizeof(Row), v + i, 8);
        break;
      }
      case Kind::kInt: {
        const int32_t* v = static_cast<const arrow::Int32Array*>(a)->raw_values();
        for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * sizeof(Row), v + i, 4);
        break;
      }
      case Kind::kBool: {
        const auto& v = static_cast<const arrow::BooleanArray&>(*a);
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<bool*>(dst + i * sizeof(Row)) = v.Value(i);
        break;
      }
      case Kind::kSide: {
        const auto& v = static_cast<const arrow::StringArray&>(*a);
        for (int64_t i = 0; i < n; ++i) {
          const std::string_view text = v.GetView(i);
          dst[i * sizeof(Row)] = text.size() == 1 ? text[0] : '?';
        }
        break;
      }
    }
  }
}

#define SPYMASTER_COL(kind, Row, name) \
  ColumnSpec { #name, Kind::k##kind, offsetof(Row, name) }

const std::vector<ColumnSpec>& SnapshotSpecs() {
  using R = engine::SnapshotRow;
  static const std::vector<ColumnSpec> kColumns = {
      SPYMASTER_COL(Long, R, window_start_ts_ns),   SPYMASTER_COL(Long, R, window_end_ts_ns),
      SPYMASTER_COL(Long, R, best_bid_price_int),   SPYMASTER_COL(Long, R, best_bid_qty),
      SPYMASTER_COL(Long, R, best_ask_price_int),   SPYMASTER_COL(Long, R, best_ask_qty),
      SPYMASTER_COL(Double, R, mid_price),          SPYMASTER_COL(Long, R, mid_price_int),
      SPYMASTER_COL(Long, R, last_trade_price_int), SPYMASTER_COL(Long, R, spot_ref_price_int),
      SPYMASTER_COL(Bool, R, book_valid),           SPYMASTER_COL(Bool, R, window_valid)};
  return kColumns;
}

const std::vector<ColumnSpec>& DepthFlowSpecs() {
  using R = engine::DepthFlowRow;
  static const std::vector<ColumnSpec> kColumns = {
      SPYMASTER_COL(Long, R, window_start_ts_ns), SPYMASTER_COL(Long, R, window_end_ts_ns),
      SPYMASTER_COL(Long, R, price_int),          SPYMASTER_COL(Side, R, side),
      SPYMASTER_COL(Long, R, spot_ref_price_int), SPYMASTER_COL(Int, R, rel_ticks),
      SPYMASTER_COL(Int, R, rel_ticks_side),      SPYMASTER_COL(Double, R, depth_qty_start),
      SPYMASTER_COL(Double, R, depth_qty_end),    SPYMASTER_COL(Double, R, add_qty),
      SPYMASTER_COL(Double, R, pull_qty_total),   SPYMASTER_COL(Double, R, depth_qty_rest),
      SPYMASTER_COL(Double, R, pull_qty_rest),    SPYMASTER_COL(Double, R, fill_qty),
      SPYMASTER_COL(Bool, R, window_valid)};
  return kColumns;
}

const std::vector<ColumnSpec>& OptionFlowSpecs() {
  using R = engine::OptionFlowRow;
  static const std::vector<ColumnSpec> kColumns = {SPYMASTER_COL(Long, R, window_start_ts_ns),
                                                   SPYMASTER_COL(Long, R, window_end_ts_ns),
                                                   SPYMASTER_COL(Long, R, strike_price_int),
                                                   SPYMASTER_COL(Double, R, strike_points),
                                                   SPYMASTER_COL(Side, R, right),
                                                   SPYMASTER_COL(Side, R, side),
                                                   SPYMASTER_COL(Long, R, spot_ref_price_int),
                                                   SPYMASTER_COL(Int, R, rel_ticks),
                                                   SPYMASTER_COL(Double, R, depth_qty_start),
                                                   SPYMASTER_COL(Double, R, depth_qty_end),
                                                   SPYMASTER_COL(Double, R, add_qty),
                                                   SPYMASTER_COL(Double, R, pull_qty_total),
                                                   SPYMASTER_COL(Double, R, pull_qty_rest),
                                                   SPYMASTER_COL(Double, R, fill_qty),
                                                   SPYMASTER_COL(Double, R, depth_qty_rest),
                                                   SPYMASTER_COL(Bool, R, window_valid)};
  return kColumns;
}

const std::vector<ColumnSpec>& OptionSnapshotSpecs() {
  using R = engine::OptionSnapshotRow;
  static const std::vector<ColumnSpec> kColumns = {
      SPYMASTER_COL(Long, R, window_start_ts_ns), SPYMASTER_COL(Long, R, window_end_ts_ns),
      SPYMASTER_COL(Long, R, instrument_id),      SPYMASTER_COL(Side, R, right),
      SPYMASTER_COL(Long, R, strike_price_int),   SPYMASTER_COL(Long, R, bid_price_int),
      SPYMASTER_COL(Long, R, ask_price_int),      SPYMASTER_COL(Double, R, mid_price),
      SPYMASTER_COL(Double, R, mid_price_int),    SPYMASTER_COL(Long, R, spot_ref_price_int),
      SPYMASTER_COL(Bool, R, book_valid)};
  return kColumns;
}

const std::vector<ColumnSpec>& OptionGoldSpecs() {
  using R = engine::OptionGoldRow;
  static const std::vector<ColumnSpec> kColumns = {SPYMASTER_COL(Long, R, window_end_ts_ns),
                                                   SPYMASTER_COL(Long, R, event_ts_ns),
                                                   SPYMASTER_COL(Long, R, spot_ref_price_int),
                                                   SPYMASTER_COL(Long, R, strike_price_int),
                                                   SPYMASTER_COL(Double, R, strike_points),
                                                   SPYMASTER_COL(Int, R, rel_ticks),
                                                   SPYMASTER_COL(Side, R, right),
                                                   SPYMASTER_COL(Side, R, side),
                                                   SPYMASTER_COL(Double, R, add_intensity),
                                                   SPYMASTER_COL(Double, R, fill_intensity),
                                                   SPYMASTER_COL(Double, R, pull_intensity),
                                                   SPYMASTER_COL(Double, R, liquidity_velocity),
                                                   SPYMASTER_COL(Double, R, rho_opt),
                                                   SPYMASTER_COL(Double, R, phi_rest_opt),
                                                   SPYMASTER_COL(Double, R, u_opt_ema_8),
                                                   SPYMASTER_COL(Double, R, u_opt_ema_32),
                                                   SPYMASTER_COL(Double, R, u_opt_p_slow),
                                                   SPYMASTER_COL(Double, R, Omega_opt)};
  return kColumns;
}

template <class Row>
const std::vector<ColumnSpec>& SpecsOf();
template <>
const std::vector<ColumnSpec>& SpecsOf<engine::SnapshotRow>() {
  return SnapshotSpecs();
}
template <>
const std::vector<ColumnSpec>& SpecsOf<engine::DepthFlowRow>() {
  return DepthFlowSpecs();
}
template <>
const std::vector<ColumnSpec>& SpecsOf<engine::OptionSnapshotRow>() {
  return OptionSnapshotSpecs();
}
template <>
const std::vector<ColumnSpec>& SpecsOf<engine::OptionFlowRow>() {
  return OptionFlowSpecs();
}
template <>
const std::vector<ColumnSpec>& SpecsOf<engine::OptionGoldRow>() {
  return OptionGoldSpecs();
}

}  // namespace

template <class Row>
struct RowColumns<Row>::Impl : Columns<Row> {
  using Columns<Row>::Columns;
};

template <class Row>
RowColumns<Row>::RowColumns(std::shared_ptr<arrow::Schema> schema, int64_t capacity)
    : impl_(std::make_unique<Impl>(std::move(schema), SpecsOf<Row>(), capacity)) {}
template <class Row>
RowColumns<Row>::~RowColumns() = default;
template <class Row>
int64_t RowColumns<Row>::size() const {
  return impl_->size();
}
template <class Row>
void RowColumns<Row>::Append(std::span<const Row> rows) {
  impl_->Append(rows.data(), static_cast<int64_t>(rows.size()));
}
template <class Row>
std::shared_ptr<arrow::RecordBatch> RowColumns<Row>::Take() {
  return impl_->Take();
}
template class RowColumns<engine::SnapshotRow>;
template class RowColumns<engine::DepthFlowRow>;
template class RowColumns<engine::OptionSnapshotRow>;
template class RowColumns<engine::OptionFlowRow>;
template class RowColumns<engine::OptionGoldRow>;

std::shared_ptr<arrow::RecordBatch> SnapshotBatch(const std::vector<engine::SnapshotRow>& rows,
                                                  const std::shared_ptr<arrow::Schema>& schema) {
  return Build(rows, schema, SnapshotSpecs());
}

std::shared_ptr<arrow::RecordBatch> DepthFlowBatch(const std::vector<engine::DepthFlowRow>& rows,
                                                   const std::shared_ptr<arrow::Schema>& schema) {
  return Build(rows, schema, DepthFlowSpecs());
}

std::shared_ptr<arrow::RecordBatch> OptionSnapshotBatch(const std::vector<engine::OptionSnapshotRow>& rows,
                                                        const std::shared_ptr<arrow::Schema>& schema) {
  return Build(rows, schema, OptionSnapshotSpecs());
}

std::shared_ptr<arrow::RecordBatch> OptionFlowBatch(const std::vector<engine::OptionFlowRow>& rows,
                                                    const std::shared_ptr<arrow::Schema>& schema) {
  return Build(rows, schema, OptionFlowSpecs());
}

std::shared_ptr<arrow::RecordBatch> OptionGoldBatch(const std::vector<engine::OptionGoldRow>& rows,
                                                    const std::shared_ptr<arrow::Schema>& schema) {
  return Build(rows, schema, OptionGoldSpecs());
}

// Gold surfaces are already columns: each contract column is one copy (or a fill, for the per-window
// constants) per window into buffers that become the batch.
struct GoldColumns::Impl {
  enum class Source { kWindowEnd, kSpot, kRelTicks, kRelTicksSide, kSide, kValue };
  struct Out {
    Source source;
    int value = 0;  // GoldValue for kValue
    std::shared_ptr<arrow::Buffer> data;
    std::shared_ptr<arrow::Buffer> offsets;  // side strings only
  };

  // As Columns<Row>::Allocate: one slab, at the first Append or Take after a Take.
  void Allocate() {
    const int64_t c = capacity;
    std::vector<int64_t> sizes;
    for (const Out& o : outs) {
      switch (o.source) {
        case Source::kRelTicks:
        case Source::kRelTicksSide:
          sizes.push_back(c * 4);
          break;
        case Source::kSide:
          sizes.push_back(c);
          sizes.push_back((c + 1) * 4);
          break;
        default:
          sizes.push_back(c * 8);
          break;
      }
    }
    auto buffers = CutSlab(slabs, sizes);
    std::size_t next = 0;
    for (Out& o : outs) {
      o.data = std::move(buffers[next++]);
      if (o.source == Source::kSide) o.offsets = std::move(buffers[next++]);
    }
    allocated = true;
  }

  void CheckRoom(int64_t count) const {
    if (count > capacity - n) {
      throw std::length_error(fmt::format("{} rows do not fit {} free row slots", count, capacity - n));
    }
  }

  // Fills the per-window constants and the side offsets of rows [n, n + count).
  void FillWindow(int64_t count, int64_t window_end_ts_ns, int64_t spot_ref_price_int) {
    for (Out& o : outs) {
      uint8_t* dst = o.data->mutable_data();
      switch (o.source) {
        case Source::kWindowEnd:
          std::fill_n(reinterpret_cast<int64_t*>(dst) + n, count, window_end_ts_ns);
          break;
        case Source::kSpot:
          std::fill_n(reinterpret_cast<int64_t*>(dst) + n, count, spot_ref_price_int);
          break;
        case Source::kSide: {
          auto* offsets = reinterpret_cast<int32_t*>(o.offsets->mutable_data());
          for (int64_t i = n; i < n + count; ++i) offsets[i] = static_cast<int32_t>(i);
          break;
        }
        default:
          break;
      }
    }
  }

  std::shared_ptr<arrow::Schema> schema;
  int64_t capacity;
  int64_t n = 0;
  std::vector<Out> outs;
  ColumnSlabs slabs;
  bool allocated = false;
  std::vector<double> scratch_values;  // AppendWindow's target for columns the contract lacks
  std::vector<int32_t> scratch_ticks;
  std::vector<char> scratch_side;
};

GoldColumns::GoldColumns(std::shared_ptr<arrow::Schema> schema, int64_t capacity) : impl_(std::make_unique<Impl>()) {
  using Source = Impl::Source;
  impl_->schema = std::move(schema);
  impl_->capacity = capacity;
  for (const auto& field : impl_->schema->fields()) {
    const std::string& name = field->name();
    Impl::Out o{Source::kValue, -1, nullptr, nullptr};
    std::shared_ptr<arrow::DataType> want = arrow::float64();
    if (name == "window_end_ts_ns" || name == "event_ts_ns") {
      o.source = Source::kWindowEnd;
      want = arrow::int64();
    } else if (name == "spot_ref_price_int") {
      o.source = Source::kSpot;
      want = arrow::int64();
    } else if (name == "rel_ticks" || name == "rel_ticks_side") {
      o.source = name == "rel_ticks" ? Source::kRelTicks : Source::kRelTicksSide;
      want = arrow::int32();
    } else if (name == "side") {
      o.source = Source::kSide;
      want = arrow::utf8();
    } else {
      for (int v = 0; v < engine::kGoldValueCount; ++v) {
        if (engine::kGoldValueNames[v] == name) o.value = v;
      }
      if (o.value < 0)
        throw Error(ErrorKind::kData, fmt::format("contract column '{}' is not produced by the engine", name));
    }
    if (!field->type()->Equals(*want)) {
      throw Error(ErrorKind::kData, fmt::format("contract column '{}' has type {}, the engine produces {}", name,
                                                field->type()->ToString(), want->ToString()));
    }
    impl_->outs.push_back(o);
  }
}

GoldColumns::~GoldColumns() = default;

int64_t GoldColumns::size() const { return impl_->n; }

void GoldColumns::Append(const engine::GoldSurface& surface) {
  using Source = Impl::Source;
  Impl& m = *impl_;
  const int64_t count = static_cast<int64_t>(surface.size());
  m.CheckRoom(count);
  if (!m.allocated) m.Allocate();
  const int64_t at = m.n;
  for (Impl::Out& o : m.outs) {
    uint8_t* dst = o.data->mutable_data();
    switch (o.source) {
      case Source::kRelTicks:
        std::memcpy(dst + at * 4, surface.rel_ticks.data(), count * 4);
        break;
      case Source::kRelTicksSide:
        std::memcpy(dst + at * 4, surface.rel_ticks_side.data(), count * 4);
        break;
      case Source::kSide:
        std::memcpy(dst + at, surface.side.data(), count);
        break;
      case Source::kValue:
        std::memcpy(dst + at * 8, surface.values[o.value].data(), count * 8);
        break;
      default:
        break;
    }
  }
  m.FillWindow(count, surface.window_end_ts_ns, surface.spot_ref_price_int);
  m.n += count;
}

int64_t GoldColumns::AppendWindow(engine::GoldState& gold, const engine::SnapshotRow& snapshot,
                                  std::span<const engine::DepthFlowRow> rows) {
  using Source = Impl::Source;
  Impl& m = *impl_;
  m.CheckRoom(static_cast<int64_t>(gold.surface_rows()));
  if (!m.allocated) m.Allocate();
  const int64_t at = m.n;
  // Columns the contract lacks are still computed, into scratch: one of its own per value, as GoldState
  // reads some values back and its loops assume no two columns overlap.
  const std::size_t cells = gold.surface_rows();
  m.scratch_values.resize(engine::kGoldValueCount * cells);
  m.scratch_ticks.resize(cells);
  m.scratch_side.resize(cells);
  engine::GoldColumnPointers out{m.scratch_ticks.data(), m.scratch_ticks.data(), m.scratch_side.data(), {}};
  for (std::size_t v = 0; v < out.values.size(); ++v) out.values[v] = m.scratch_values.data() + v * cells;
  for (Impl::Out& o : m.outs) {
    uint8_t* dst = o.data->mutable_data();
    switch (o.source) {
      case Source::kRelTicks:
        out.rel_ticks = reinterpret_cast<int32_t*>(dst) + at;
        break;
      case Source::kRelTicksSide:
        out.rel_ticks_side = reinterpret_cast<int32_t*>(dst) + at;
        break;
      case Source::kSide:
        out.side = reinterpret_cast<char*>(dst) + at;
        break;
      case Source::kValue:
        out.values[o.value] = reinterpret_cast<double*>(dst) + at;
        break;
      default:
        break;
    }
  }
  const int64_t count = static_cast<int64_t>(gold.OnWindow(snapshot, rows, out));
  m.FillWindow(count, snapshot.window_end_ts_ns, snapshot.spot_ref_price_int);
  m.n += count;
  return count;
}

std::shared_ptr<arrow::RecordBatch> GoldColumns::Take() {
  using Source = Impl::Source;
  Impl& m = *impl_;
  if (!m.allocated) m.Allocate();
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  arrays.reserve(m.outs.size());
  for (Impl::Out& o : m.outs) {
    switch (o.source) {
      case Source::kWindowEnd:
      case Source::kSpot:
        arrays.push_back(std::make_shared<arrow::Int64Array>(m.n, o.data));
        break;
      case Source::kRelTicks:
      case Source::kRelTicksSide:
        arrays.push_back(std::make_shared<arrow::Int32Array>(m.n, o.data));
        break;
      case Source::kSide:
        reinterpret_cast<int32_t*>(o.offsets->mutable_data())[m.n] = static_cast<int32_t>(m.n);
        arrays.push_back(std::make_shared<arrow::StringArray>(m.n, o.offsets, o.data));
        break;
      case Source::kValue:
        arrays.push_back(std::make_shared<arrow::DoubleArray>(m.n, o.data));
        break;
    }
  }
  auto batch = arrow::RecordBatch::Make(m.schema, m.n, std::move(arrays));
  m.n = 0;
  for (Impl::Out& o : m.outs) o.data = o.offsets = nullptr;
  m.allocated = false;
  return batch;
}

#undef SPYMASTER_COL

void AppendSnapshotRows(const arrow::RecordBatch& batch, std::vector<engine::SnapshotRow>& out) {
  // The snapshot contract has no window_valid (depth_and_flow rows carry it).
  AppendRows(batch, SnapshotSpecs(), {"window_valid"}, out);
}

void AppendDepthFlowRows(const arrow::RecordBatch& batch, std::vector<engine::DepthFlowRow>& out) {
  AppendRows(batch, DepthFlowSpecs(), {}, out);
}

void AppendOptionFlowRows(const arrow::RecordBatch& batch, std::vector<engine::OptionFlowRow>& out) {
  AppendRows(batch, OptionFlowSpecs(), {"depth_qty_rest"}, out);  // equity option silver has none
}

}  // namespace spymaster::columns
