#include "dbn/decode_error.hpp"

#include <fmt/format.h>

namespace spymaster::dbn {

DecodeError::DecodeError(std::string source, std::uint64_t offset, const std::string& what, ErrorKind kind)
    : Error{kind, fmt::format("{}: byte offset {}: {}", source, offset, what)},
      source_{std::move(source)},
      offset_{offset} {}

}  // namespace spymaster::dbn
