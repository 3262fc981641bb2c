#include "source/prefetch_source.hpp"

namespace spymaster::source {

PrefetchSource::PrefetchSource(std::unique_ptr<engine::RecordSource> inner, std::size_t depth)
    : inner_(std::move(inner)), ring_(depth < 2 ? 2 : depth) {
  worker_ = std::thread([this] { Work(); });
}

PrefetchSource::~PrefetchSource() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void PrefetchSource::Work() {
  std::size_t tail = 0;
  try {
    for (;;) {
      {
        // One slot stays with the consumer while it reads the batch it took.
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stop_ || filled_ + (consumer_holds_ ? 1 : 0) < ring_.size(); });
        if (stop_) return;
      }
      const std::span<const book::MboEvent> batch = inner_->NextBatch();
      std::lock_guard lock(mutex_);
      if (batch.empty()) {
        done_ = true;
        break;
      }
      ring_[tail].assign(batch.begin(), batch.end());
      tail = (tail + 1) % ring_.size();
      ++filled_;
      cv_.notify_all();
    }
  } catch (...) {
    std::lock_guard lock(mutex_);
    error_ = std::current_exception();
    done_ = true;
  }
  cv_.notify_all();
}

std::span<const book::MboEvent> PrefetchSource::NextBatch() {
  std::unique_lock lock(mutex_);
  if (consumer_holds_) {
    consumer_holds_ = false;
    head_ = (head_ + 1) % ring_.size();
    cv_.notify_all();
  }
  cv_.wait(lock, [&] { return filled_ > 0 || done_; });
  if (filled_ == 0) {
    if (error_) std::rethrow_exception(error_);
    return {};
  }
  --filled_;
  consumer_holds_ = true;
  return ring_[head_];
}

std::map<std::string, int64_t> PrefetchSource::Counters() const {
  std::lock_guard lock(mutex_);
  return done_ ? inner_->Counters() : std::map<std::string, int64_t>{};
}

}  // namespace spymaster::source
