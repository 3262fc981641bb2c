// Touches a thread's malloc arena once, up front, so that later allocations on the thread land on resident
// pages. A stream's window frames (~85 KB each) go to the shared frame cache, which grows to its capacity
// before it evicts anything: until then every window's frames are fresh heap memory, about 21 first-touch
// page faults per window. On this VM (free pages go back to the host balloon) a first touch costs ~5 µs
// and now and then milliseconds, inside the window's close-to-socket time (docs/stream.md (d)).
#pragma once

#include <cstddef>

namespace spymaster::serve {

// Allocates `bytes` in 1 MiB blocks on the calling thread (below the mmap threshold main() sets, so
// from this thread's arena), writes one byte per page and frees them: with main()'s trim threshold the
// arena keeps the pages. A no-op in effect when the user's MALLOC_*/GLIBC_TUNABLES lets glibc trim.
void WarmHeap(std::size_t bytes);

}  // namespace spymaster::serve
