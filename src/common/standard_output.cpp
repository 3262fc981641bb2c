#include "common/standard_output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "common/error.hpp"

namespace spymaster {
namespace {

[[noreturn]] void ThrowWriteFailed(int error) {
  throw Error(ErrorKind::kIo, std::string("standard output: write failed") +
                                  (error != 0 ? std::string(": ") + std::strerror(error) : std::string()));
}

}  // namespace

void WriteStdout(std::string_view text) {
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) ThrowWriteFailed(errno);
}

void FinishStdout() {
  // std::cout writes straight into stdout's buffer (sync_with_stdio), so this one fflush writes both;
  // a failure before it (a full buffer written out mid-run) left its mark in ferror and in cout's state.
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int error = errno;
  std::cout.flush();
  if (!flushed || std::ferror(stdout) || !std::cout) ThrowWriteFailed(error);
}

}  // namespace spymaster
