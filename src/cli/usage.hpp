// Turning a library's "bad parameter" signal into a usage error (exit 2) that names the parameter.
// Libraries below the CLI (sim, pipeline/session) throw std::invalid_argument for values they cannot
// accept; only the CLI knows which command-line parameter the value came from.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.hpp"

namespace spymaster::cli {

// Returns fn(); a std::invalid_argument from it becomes UsageError("<param>: <what>"). An empty
// `param` keeps the message as it is (for libraries whose messages already name the parameter).
template <class Fn>
auto WithUsageErrors(std::string_view param, Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const std::invalid_argument& e) {
    throw UsageError(param.empty() ? std::string(e.what()) : std::string(param) + ": " + e.what());
  }
}

}  // namespace spymaster::cli
