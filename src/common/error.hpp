// The project's one error type. Everything we throw on purpose is a spymaster::Error (or derives from
// it), and its kind alone decides the exit code, in one place (cli/main.cpp): usage → 2, data and io → 1.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace spymaster {

enum class ErrorKind {
  kUsage,  // a bad command-line value or combination of values
  kData,   // input that is malformed or breaks a contract (DBN bytes, Parquet columns, config files)
  kIo,     // the system failed us: open, read, write, rename, out of memory, a full disk
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& what) : std::runtime_error{what}, kind_{kind} {}

  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// A bad parameter; the message names it ("--limit: ...").
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error{ErrorKind::kUsage, what} {}
};

// Returns fn(); a std::invalid_argument from it becomes UsageError("<param>: <what>"), or keeps its
// message when `param` is empty (libraries whose messages already name the parameter). The libraries
// below the command line (common's date and time parsing, sim, pipeline/session) signal a value they
// cannot take with std::invalid_argument; only the command knows which parameter the value came from.
template <class Fn>
auto WithUsageErrors(std::string_view param, Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const std::invalid_argument& e) {
    throw UsageError(param.empty() ? std::string(e.what()) : std::string(param) + ": " + e.what());
  }
}

}  // namespace spymaster
