// Encoded windows shared by every client of the same stream: many browsers watching one day cost one
// forecast and one Arrow encoding per window, not one per client. Keyed by the source's identity (which
// lake partitions, or which bronze partition and session window) plus the surfaces and the window; a
// bounded number of bytes, oldest entries evicted first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "serve/window_frames.hpp"

namespace spymaster::serve {

class FrameCache {
 public:
  explicit FrameCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // nullptr when absent.
  WindowMessagesPtr Find(const std::string& key) const;
  void Insert(const std::string& key, WindowMessagesPtr frames);

  std::size_t bytes() const;

 private:
  mutable std::mutex mutex_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::unordered_map<std::string, WindowMessagesPtr> entries_;
  std::deque<std::string> order_;  // insertion order, for eviction
};

}  // namespace spymaster::serve
