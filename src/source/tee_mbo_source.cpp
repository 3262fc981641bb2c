#include "source/tee_mbo_source.hpp"

#include <utility>

namespace spymaster::source {

TeeMboSource::TeeMboSource(std::string where, std::size_t depth)
    : decoder_(std::move(where)), depth_(depth < 1 ? 1 : depth) {}

void TeeMboSource::Push(const arrow::RecordBatch& batch) {
  std::vector<book::MboEvent> events;
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return closed_ || ended_ || error_ || queue_.size() < depth_; });
    if (closed_ || ended_ || error_) return;
    if (!spare_.empty()) {
      events = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  // Decoded outside the lock: the consumer goes on with the batches already queued meanwhile.
  std::exception_ptr refused;
  try {
    decoder_.Decode(batch, events);
  } catch (...) {
    refused = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  if (closed_ || ended_ || error_) return;
  if (refused) {
    error_ = refused;
  } else {
    rows_pushed_ += static_cast<int64_t>(events.size());
    queue_.push_back(std::move(events));
  }
  cv_.notify_all();
}

void TeeMboSource::End() {
  std::lock_guard lock(mutex_);
  ended_ = true;
  cv_.notify_all();
}

void TeeMboSource::Fail(std::exception_ptr error) {
  std::lock_guard lock(mutex_);
  if (ended_ || error_) return;
  error_ = std::move(error);
  queue_.clear();
  cv_.notify_all();
}

int64_t TeeMboSource::rows_pushed() const {
  std::lock_guard lock(mutex_);
  return rows_pushed_;
}

std::span<const book::MboEvent> TeeMboSource::NextBatch() {
  std::unique_lock lock(mutex_);
  if (!current_.empty()) spare_.push_back(std::move(current_));
  current_.clear();
  cv_.wait(lock, [&] { return !queue_.empty() || ended_ || error_; });
  if (!queue_.empty()) {
    current_ = std::move(queue_.front());
    queue_.pop_front();
    rows_read_ += static_cast<int64_t>(current_.size());
    cv_.notify_all();
    return current_;
  }
  if (error_) std::rethrow_exception(error_);
  return {};
}

std::map<std::string, int64_t> TeeMboSource::Counters() const {
  std::lock_guard lock(mutex_);
  return {{"bronze_rows_read", rows_read_}};
}

void TeeMboSource::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  queue_.clear();
  cv_.notify_all();
}

}  // namespace spymaster::source
