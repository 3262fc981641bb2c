#include "lake/mbo_rows.hpp"

#include <arrow/api.h>

#include <string>
#include <string_view>

#include "common/error.hpp"

namespace spymaster::lake {
namespace {

const int64_t* Int64Column(const arrow::RecordBatch& batch, const char* name) {
  auto column = batch.GetColumnByName(name);
  if (!column || column->type_id() != arrow::Type::INT64) {
    throw Error(ErrorKind::kData, std::string("MBO batch: missing int64 column ") + name);
  }
  return std::static_pointer_cast<arrow::Int64Array>(column)->raw_values();
}

char FirstChar(const arrow::StringArray& a, int64_t i) {
  const std::string_view v = a.GetView(i);
  return v.empty() ? '\0' : v[0];
}

// The first character of each row's string, from a string or a dictionary<int32, string> column.
std::vector<char> CharColumn(const arrow::RecordBatch& batch, const char* name) {
  const auto& column = batch.GetColumnByName(name);
  std::vector<char> out(static_cast<std::size_t>(batch.num_rows()));
  if (column && column->type_id() == arrow::Type::STRING) {
    const auto& strings = static_cast<const arrow::StringArray&>(*column);
    for (int64_t i = 0; i < batch.num_rows(); ++i) out[i] = FirstChar(strings, i);
    return out;
  }
  if (column && column->type_id() == arrow::Type::DICTIONARY) {
    const auto& dict = static_cast<const arrow::DictionaryArray&>(*column);
    if (dict.indices()->type_id() == arrow::Type::INT32 && dict.dictionary()->type_id() == arrow::Type::STRING) {
      const auto& values = static_cast<const arrow::StringArray&>(*dict.dictionary());
      std::vector<char> lut(static_cast<std::size_t>(values.length()));
      for (int64_t k = 0; k < values.length(); ++k) lut[k] = FirstChar(values, k);
      const int32_t* idx = static_cast<const arrow::Int32Array&>(*dict.indices()).raw_values();
      for (int64_t i = 0; i < batch.num_rows(); ++i) {
        if (idx[i] < 0 || idx[i] >= values.length()) {
          throw Error(ErrorKind::kData, std::string("MBO batch: dictionary index out of range in column ") + name);
        }
        out[i] = lut[idx[i]];
      }
      return out;
    }
  }
  throw Error(ErrorKind::kData, std::string("MBO batch: missing string column ") + name);
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
      flags_(Int64Column(batch, "flags")),
      action_(CharColumn(batch, "action")),
      side_(CharColumn(batch, "side")) {}

}  // namespace spymaster::lake
