// The one exception type the DBN decoder throws: names the input and the byte offset of the problem.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace spymaster::dbn {

class DecodeError : public std::runtime_error {
 public:
  // `offset` is the byte offset in the decoded (decompressed) DBN stream, or in the file for zstd errors.
  DecodeError(std::string source, std::uint64_t offset, const std::string& what);

  const std::string& source() const { return source_; }
  std::uint64_t offset() const { return offset_; }

 private:
  std::string source_;
  std::uint64_t offset_;
};

}  // namespace spymaster::dbn
