#include "serve/frame_cache.hpp"

namespace spymaster::serve {

WindowMessagesPtr FrameCache::Find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

void FrameCache::Insert(const std::string& key, WindowMessagesPtr frames) {
  std::lock_guard lock(mutex_);
  if (frames->bytes > max_bytes_) return;
  const std::size_t bytes = frames->bytes;
  if (!entries_.emplace(key, std::move(frames)).second) return;  // another client encoded it first
  bytes_ += bytes;
  order_.push_back(key);
  while (bytes_ > max_bytes_ && !order_.empty()) {
    const auto it = entries_.find(order_.front());
    bytes_ -= it->second->bytes;
    entries_.erase(it);
    order_.pop_front();
  }
}

std::size_t FrameCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace spymaster::serve
