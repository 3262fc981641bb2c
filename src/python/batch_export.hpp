// A record batch of flat columns (fixed width, boolean, utf8: no children, no dictionaries) exported through
// the Arrow C data interface as the struct array of its columns, with one allocation per batch:
// arrow::ExportArray allocates private data and a buffer list and takes an ArrayData reference per column,
// plus a struct array's around them, which at a window per step was a sizeable part of windows()'s cost
// per step. The exported array references the batch's own buffers (no copy) and keeps the batch alive until
// the consumer releases it and every child it moved out.
#pragma once

#include <arrow/c/abi.h>
#include <arrow/type_fwd.h>

#include <memory>

namespace spymaster::python {

// Throws a data Error naming the first field that is not a flat column.
void CheckFlatSchema(const arrow::Schema& schema);

// Fills `out` (which the caller then owns and must release). The batch's columns must be flat
// (CheckFlatSchema on its schema).
void ExportFlatBatch(std::shared_ptr<arrow::RecordBatch> batch, ArrowArray* out);

}  // namespace spymaster::python
