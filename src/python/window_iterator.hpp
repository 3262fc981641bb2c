// spymaster.windows(): an iterator over the engine's closed windows (commands::WindowStream). Each step
// runs the engine without the GIL until the next window closes, then hands its tables to pyarrow through
// the Arrow C data interface: pyarrow takes ownership of the column buffers the engine rows were written
// into, no copy.
#pragma once

#include <nanobind/nanobind.h>

namespace spymaster::python {

// Adds windows() and the WindowIterator type to `m`.
void RegisterWindows(nanobind::module_& m);

}  // namespace spymaster::python
