// The one exception type the DBN decoder throws: names the input and the byte offset of the problem.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.hpp"

namespace spymaster::dbn {

class DecodeError : public Error {
 public:
  // `offset` is the byte offset in the decoded (decompressed) DBN stream, or in the file for zstd errors.
  // Bad bytes are data errors; a failing open, stat or read is an I/O error.
  DecodeError(std::string source, std::uint64_t offset, const std::string& what, ErrorKind kind = ErrorKind::kData);

  const std::string& source() const { return source_; }
  std::uint64_t offset() const { return offset_; }

 private:
  std::string source_;
  std::uint64_t offset_;
};

}  // namespace spymaster::dbn
