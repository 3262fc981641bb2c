// Builds Arrow columns straight from row-shaped vectors: one pass per column, no per-value Status
// checks. Used by the bronze writers, where the row count is known up front.
#pragma once

#include <arrow/api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/arrow_status.hpp"

namespace spymaster::columns {

inline std::shared_ptr<arrow::Buffer> AllocateColumnBuffer(int64_t bytes, const char* what, int64_t rows) {
  return ValueOrThrow(arrow::AllocateBuffer(bytes), [&] {
    return "allocating " + std::to_string(bytes) + " bytes for a " + what + " column of " + std::to_string(rows) +
           " rows";
  });
}

// The schema a stage produces, spelled out in the stage (not taken from the contract), so that the
// lake's contract check compares two independent statements of the columns.
inline std::shared_ptr<arrow::Schema> Int64AndStringSchema(
    std::initializer_list<std::pair<const char*, bool>> columns) {  // (name, is_string)
  arrow::FieldVector fields;
  for (const auto& [name, is_string] : columns) {
    fields.push_back(arrow::field(name, is_string ? arrow::utf8() : arrow::int64(), false));
  }
  return arrow::schema(std::move(fields));
}

template <class Fn>  // Fn: int64_t row → int64_t
std::shared_ptr<arrow::Array> Int64Column(int64_t rows, Fn value) {
  auto buffer = AllocateColumnBuffer(rows * 8, "int64", rows);
  auto* out = reinterpret_cast<int64_t*>(buffer->mutable_data());
  for (int64_t i = 0; i < rows; ++i) out[i] = value(i);
  return std::make_shared<arrow::Int64Array>(rows, std::move(buffer));
}

template <class Fn>  // Fn: int64_t row → char; a one-character string per row
std::shared_ptr<arrow::Array> CharColumn(int64_t rows, Fn value) {
  auto offsets = AllocateColumnBuffer((rows + 1) * 4, "string", rows);
  auto data = AllocateColumnBuffer(rows, "string", rows);
  auto* off = reinterpret_cast<int32_t*>(offsets->mutable_data());
  auto* chars = reinterpret_cast<char*>(data->mutable_data());
  for (int64_t i = 0; i < rows; ++i) {
    off[i] = static_cast<int32_t>(i);
    chars[i] = value(i);
  }
  off[rows] = static_cast<int32_t>(rows);
  return std::make_shared<arrow::StringArray>(rows, std::move(offsets), std::move(data));
}

template <class Fn>  // Fn: int64_t row → std::string_view
std::shared_ptr<arrow::Array> StringColumn(int64_t rows, Fn value) {
  int64_t bytes = 0;
  for (int64_t i = 0; i < rows; ++i) bytes += static_cast<int64_t>(value(i).size());
  if (bytes > INT32_MAX) throw Error(ErrorKind::kData, "string column larger than 2 GiB");
  auto offsets = AllocateColumnBuffer((rows + 1) * 4, "string", rows);
  auto data = AllocateColumnBuffer(bytes, "string", rows);
  auto* off = reinterpret_cast<int32_t*>(offsets->mutable_data());
  auto* chars = reinterpret_cast<char*>(data->mutable_data());
  int32_t pos = 0;
  for (int64_t i = 0; i < rows; ++i) {
    off[i] = pos;
    const std::string_view v = value(i);
    std::copy(v.begin(), v.end(), chars + pos);
    pos += static_cast<int32_t>(v.size());
  }
  off[rows] = pos;
  return std::make_shared<arrow::StringArray>(rows, std::move(offsets), std::move(data));
}

}  // namespace spymaster::columns
