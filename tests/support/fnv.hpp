// FNV-1a over the bytes of values: the checksum the golden regression tests pin.
#pragma once

#include <cstdint>
#include <cstring>

namespace spymaster::support {

struct Fnv {
  uint64_t h = 1469598103934665603ull;
  template <class T>
  void Add(const T& v) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    for (unsigned char c : b) h = (h ^ c) * 1099511628211ull;
  }
};

}  // namespace spymaster::support
