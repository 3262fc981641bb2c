#include "python/batch_export.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace spymaster::python {
namespace {

// What the exported struct array and its children point into. The C data interface lets a consumer move a
// child out and release it after the parent, so each child holds a reference, as the parent does.
struct Exported {
  std::shared_ptr<arrow::RecordBatch> batch;
  std::atomic<int64_t> refs{0};
  std::vector<ArrowArray> columns;
  std::vector<ArrowArray*> column_pointers;
  std::vector<const void*> buffers;  // every column's buffer pointers, column after column
  const void* validity = nullptr;    // the struct's: no nulls
};

void Unref(ArrowArray* array) {
  auto* exported = static_cast<Exported*>(array->private_data);
  array->release = nullptr;
  if (exported->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete exported;
}

void ReleaseColumn(ArrowArray* array) { Unref(array); }

void ReleaseStruct(ArrowArray* array) {
  auto* exported = static_cast<Exported*>(array->private_data);
  // A column the consumer moved out has a null release here; it is released where it went.
  for (ArrowArray* column : exported->column_pointers) {
    if (column->release != nullptr) column->release(column);
  }
  Unref(array);
}

bool IsFlat(const arrow::DataType& type) {
  return type.num_fields() == 0 && type.id() != arrow::Type::DICTIONARY &&
         (arrow::is_fixed_width(type.id()) || type.id() == arrow::Type::STRING || type.id() == arrow::Type::BINARY);
}

}  // namespace

void CheckFlatSchema(const arrow::Schema& schema) {
  for (const auto& field : schema.fields()) {
    if (!IsFlat(*field->type())) {
      throw Error(ErrorKind::kData, fmt::format("column '{}' of type {} is not a flat column the window export takes",
                                                field->name(), field->type()->ToString()));
    }
  }
}

void ExportFlatBatch(std::shared_ptr<arrow::RecordBatch> batch, ArrowArray* out) {
  auto exported = std::make_unique<Exported>();
  const int n = batch->num_columns();
  std::size_t buffers = 0;
  for (int i = 0; i < n; ++i) buffers += batch->column_data(i)->buffers.size();
  exported->columns.resize(static_cast<std::size_t>(n));
  exported->column_pointers.resize(static_cast<std::size_t>(n));
  exported->buffers.resize(buffers);
  std::size_t at = 0;
  for (int i = 0; i < n; ++i) {
    const arrow::ArrayData& data = *batch->column_data(i);
    ArrowArray& column = exported->columns[static_cast<std::size_t>(i)];
    column.length = data.length;
    // Without a validity buffer there are no nulls (the interface requires a bitmap otherwise).
    column.null_count = data.buffers.empty() || data.buffers[0] == nullptr ? 0 : data.GetNullCount();
    column.offset = data.offset;
    column.n_buffers = static_cast<int64_t>(data.buffers.size());
    column.n_children = 0;
    column.buffers = exported->buffers.data() + at;
    for (const auto& buffer : data.buffers) exported->buffers[at++] = buffer == nullptr ? nullptr : buffer->data();
    column.children = nullptr;
    column.dictionary = nullptr;
    column.release = ReleaseColumn;
    column.private_data = exported.get();
    exported->column_pointers[static_cast<std::size_t>(i)] = &column;
  }
  out->length = batch->num_rows();
  out->null_count = 0;
  out->offset = 0;
  out->n_buffers = 1;
  out->n_children = n;
  out->buffers = &exported->validity;
  out->children = exported->column_pointers.data();
  out->dictionary = nullptr;
  out->release = ReleaseStruct;
  exported->refs.store(n + 1, std::memory_order_relaxed);
  exported->batch = std::move(batch);
  out->private_data = exported.release();  // owned by `out` and its children from here
}

}  // namespace spymaster::python
