// Arrow's Status and Result as our errors: a failed Arrow call becomes a spymaster::Error that says
// what was being done (file, dataset, column), never an abort (arrow's ValueOrDie) or a silent stop.
// Header-only, for the modules that link Arrow (lake, pipeline and those between).
//
//   auto buffer = ValueOrThrow(arrow::AllocateBuffer(n * 8), [&] { return "column " + name; });
//   CheckOk(reader->ReadNext(&batch), [&] { return path.string(); });
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>

#include <string>
#include <utility>

#include "common/error.hpp"

namespace spymaster {

// Out of memory and failed reads or writes are the system's fault; anything else (invalid or
// mistyped data, a corrupt file) is the data's.
inline ErrorKind ErrorKindOf(const arrow::Status& status) {
  return status.IsOutOfMemory() || status.IsIOError() ? ErrorKind::kIo : ErrorKind::kData;
}

// `context` is a callable returning the text that names the subject; it runs only on failure, so
// callers on hot paths pay for no formatting.
template <class Context>
void CheckOk(const arrow::Status& status, Context&& context) {
  if (!status.ok()) [[unlikely]] {
    throw Error(ErrorKindOf(status), std::string(context()) + ": " + status.ToString());
  }
}

template <class T, class Context>
T ValueOrThrow(arrow::Result<T> result, Context&& context) {
  CheckOk(result.status(), std::forward<Context>(context));
  return std::move(result).ValueUnsafe();
}

}  // namespace spymaster
