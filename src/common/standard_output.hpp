// Standard output that fails loudly: a write error (a full disk, /dev/full, a closed pipe's EPIPE) is an
// I/O Error naming standard output, so that no command exits 0 with its output lost.
#pragma once

#include <fmt/format.h>

#include <string_view>
#include <utility>

namespace spymaster {

// Writes all of `text` to stdout (through stdio's buffer); throws Error(kIo) when that fails.
void WriteStdout(std::string_view text);

// fmt::print to stdout, failing as WriteStdout does (fmt's own error would not name standard output).
template <class... Args>
void PrintStdout(fmt::format_string<Args...> format, Args&&... args) {
  WriteStdout(fmt::format(format, std::forward<Args>(args)...));
}

// Flushes stdout and std::cout; throws Error(kIo) when this or any earlier write to either failed.
// The executable's main() calls it once before exiting 0.
void FinishStdout();

}  // namespace spymaster
