#include "lake/mbo_rows.hpp"

#include <stdexcept>
#include <string>

#include <arrow/api.h>

namespace spymaster::lake {
namespace {

const int64_t* Int64Column(const arrow::RecordBatch& batch, const char* name) {
  auto column = batch.GetColumnByName(name);
  if (!column || column->type_id() != arrow::Type::INT64) {
    throw std::invalid_argument(std::string("MBO batch: missing int64 column ") + name);
  }
  return std::static_pointer_cast<arrow::Int64Array>(column)->raw_values();
}

const arrow::StringArray& StringColumn(const arrow::RecordBatch& batch, const char* name) {
  const auto& column = batch.GetColumnByName(name);
  if (!column || column->type_id() != arrow::Type::STRING) {
    throw std::invalid_argument(std::string("MBO batch: missing string column ") + name);
  }
  return static_cast<const arrow::StringArray&>(*column);
}

}  // namespace

MboBatchView::MboBatchView(const arrow::RecordBatch& batch)
    : rows_(batch.num_rows()),
      ts_recv_(batch.schema()->GetFieldIndex("ts_recv") >= 0 ? Int64Column(batch, "ts_recv") : nullptr),
      ts_event_(Int64Column(batch, "ts_event")),
      price_(Int64Column(batch, "price")),
      size_(Int64Column(batch, "size")),
      order_id_(Int64Column(batch, "order_id")),
      sequence_(Int64Column(batch, "sequence")),
      instrument_id_(Int64Column(batch, "instrument_id")),
      flags_(Int64Column(batch, "flags")) {
  const auto& action = StringColumn(batch, "action");
  const auto& side = StringColumn(batch, "side");
  action_ = action.value_data() ? action.value_data()->data() : nullptr;
  action_offsets_ = action.raw_value_offsets();
  side_ = side.value_data() ? side.value_data()->data() : nullptr;
  side_offsets_ = side.raw_value_offsets();
}

}  // namespace spymaster::lake
