#include "serve/normals_prefetcher.hpp"

#include <algorithm>

#include "engine/forecast.hpp"

namespace spymaster::serve {

NormalsPrefetcher::NormalsPrefetcher(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)), thread_([this] { Loop(); }) {}

NormalsPrefetcher::~NormalsPrefetcher() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void NormalsPrefetcher::Want(int64_t ts) {
  std::vector<std::function<void()>> dropped;
  {
    std::lock_guard lock(mutex_);
    if (ready_.contains(ts) || running_ == ts || std::find(queue_.begin(), queue_.end(), ts) != queue_.end()) return;
    while (ready_.size() + queue_.size() >= capacity_) {
      // Windows that were never taken (skipped, or another client encoded them) are the oldest.
      if (!ready_.empty() && (queue_.empty() || ready_.begin()->first < queue_.front())) {
        ready_.erase(ready_.begin());
      } else {
        queue_.pop_front();
      }
    }
    queue_.push_back(ts);
    dropped = TakeDoneWaitersLocked();
  }
  wake_.notify_one();
  for (const auto& done : dropped) done();
}

NormalsPrefetcher::Normals NormalsPrefetcher::Take(int64_t ts) {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return running_ != ts; });
  if (const auto it = ready_.find(ts); it != ready_.end()) {
    Normals normals = std::move(it->second);
    ready_.erase(it);
    ++hits_;
    return normals;
  }
  std::erase(queue_, ts);
  ++misses_;
  const auto done = TakeDoneWaitersLocked();
  lock.unlock();
  for (const auto& d : done) d();
  return nullptr;
}

bool NormalsPrefetcher::Pending(int64_t ts, std::function<void()> done) {
  std::lock_guard lock(mutex_);
  if (running_ != ts && std::find(queue_.begin(), queue_.end(), ts) == queue_.end()) return false;
  waiters_.emplace_back(ts, std::move(done));
  return true;
}

std::vector<std::function<void()>> NormalsPrefetcher::TakeDoneWaitersLocked() {
  std::vector<std::function<void()>> done;
  std::erase_if(waiters_, [&](auto& w) {
    if (running_ == w.first || std::find(queue_.begin(), queue_.end(), w.first) != queue_.end()) return false;
    done.push_back(std::move(w.second));
    return true;
  });
  return done;
}

void NormalsPrefetcher::WaitIdle() {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return queue_.empty() && !running_ && !reporting_; });
}

int64_t NormalsPrefetcher::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

int64_t NormalsPrefetcher::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

void NormalsPrefetcher::Loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    const int64_t ts = queue_.front();
    queue_.pop_front();
    running_ = ts;
    lock.unlock();
    auto normals = std::make_shared<std::vector<double>>(engine::kForecastNormals);
    engine::GenerateForecastNormals(ts, *normals);
    lock.lock();
    ready_[ts] = std::move(normals);
    running_.reset();
    if (!waiters_.empty()) {
      reporting_ = true;
      const auto done = TakeDoneWaitersLocked();
      lock.unlock();
      for (const auto& d : done) d();
      lock.lock();
      reporting_ = false;
    }
    done_.notify_all();
  }
}

}  // namespace spymaster::serve
