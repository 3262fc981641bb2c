// The package's exceptions, one per spymaster::ErrorKind, with the CLI's messages: Error, and under it
// UsageError (also a ValueError; the CLI exits 2), DataError (also a RuntimeError) and IoError (also an
// OSError; both exit 1 on the command line).
#pragma once

#include <nanobind/nanobind.h>

#include <exception>
#include <utility>

#include "common/error.hpp"

namespace spymaster::python {

// Creates the exception types in `m` and translates spymaster::Error into them.
void RegisterErrors(nanobind::module_& m);

// Runs fn() without the GIL. Another library's exception (Arrow, Parquet, the standard library) becomes
// a data Error with its message, as the CLI reports it (exit 1); std::bad_alloc stays a MemoryError.
template <class Fn>
auto CallReleased(Fn&& fn) {
  nanobind::gil_scoped_release release;
  try {
    return std::forward<Fn>(fn)();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorKind::kData, e.what());
  }
}

}  // namespace spymaster::python
