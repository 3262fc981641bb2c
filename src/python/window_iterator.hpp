// spymaster.windows(): an iterator over the engine's closed windows (commands::WindowStream). The engine
// runs without the GIL until the next windows close (a few dozen at a time when a step takes fewer), then
// their tables go to pyarrow through the Arrow C data interface: pyarrow takes ownership of the column
// buffers the engine rows were written into, no copy; a step is those batches or zero-copy slices of them.
#pragma once

#include <nanobind/nanobind.h>

namespace spymaster::python {

// Adds windows() and the WindowIterator type to `m`.
void RegisterWindows(nanobind::module_& m);

}  // namespace spymaster::python
