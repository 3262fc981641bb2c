#include "serve/window_hub.hpp"

#include <algorithm>
#include <optional>

namespace spymaster::serve {

WindowHub::WindowHub(std::unique_ptr<WindowSource> source, std::size_t keep, std::size_t cap)
    : identity_(source->identity()), source_(std::move(source)), keep_(keep), cap_(std::max(keep, cap)) {}

WindowHub::WindowHub(std::string identity, std::size_t keep, std::size_t cap)
    : identity_(std::move(identity)), keep_(keep), cap_(std::max(keep, cap)) {}

int64_t WindowHub::Subscribe(std::function<void()> notify, int64_t from) {
  std::lock_guard lock(mutex_);
  if (from < base_) return -1;
  const int64_t id = next_id_++;
  subscribers_[id] = Subscriber{std::move(notify), from};
  return id;
}

std::pair<int64_t, int64_t> WindowHub::SubscribeAtHead(std::function<void()> notify) {
  std::lock_guard lock(mutex_);
  const int64_t id = next_id_++;
  const int64_t head = base_ + static_cast<int64_t>(items_.size());
  subscribers_[id] = Subscriber{std::move(notify), head};
  return {id, head};
}

void WindowHub::Unsubscribe(int64_t id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(id);
  EvictLocked();
}

int64_t WindowHub::head() const {
  std::lock_guard lock(mutex_);
  return base_ + static_cast<int64_t>(items_.size());
}

int64_t WindowHub::base() const {
  std::lock_guard lock(mutex_);
  return base_;
}

HubItem WindowHub::Read(int64_t id, int64_t seq) {
  // What is there already, or nullopt when `seq` is still to be produced.
  auto available = [&]() -> std::optional<HubItem> {
    std::lock_guard lock(mutex_);
    if (auto it = subscribers_.find(id); it != subscribers_.end()) it->second.cursor = std::max(it->second.cursor, seq);
    if (seq < base_) return HubItem{HubItem::Kind::kEvicted, nullptr, nullptr};
    if (seq < base_ + static_cast<int64_t>(items_.size())) {
      HubItem item = items_[static_cast<std::size_t>(seq - base_)];
      EvictLocked();
      return item;
    }
    if (ended_) return HubItem{HubItem::Kind::kEnd, nullptr, end_error_};
    if (!source_) return HubItem{HubItem::Kind::kPending, nullptr, nullptr};
    return std::nullopt;
  };
  if (auto item = available()) return *item;
  // Pull: this reader is the furthest ahead; run the engine (one producer at a time) until seq exists.
  std::lock_guard produce(produce_mutex_);
  for (;;) {
    if (auto item = available()) return *item;
    StreamWindowPtr w;
    try {
      w = source_->Next();
    } catch (const std::exception& e) {
      End(e.what());
      throw;
    }
    if (!w) {
      End();
      continue;
    }
    std::lock_guard lock(mutex_);
    ++windows_;
    AppendLocked({HubItem::Kind::kWindow, std::move(w), nullptr});
  }
}

void WindowHub::Publish(StreamWindowPtr window) {
  {
    std::lock_guard lock(mutex_);
    ++windows_;
    AppendLocked({HubItem::Kind::kWindow, std::move(window), nullptr});
  }
  NotifyAll();
}

void WindowHub::Status(std::string json) {
  {
    std::lock_guard lock(mutex_);
    last_status_ = std::make_shared<const std::string>(std::move(json));
    AppendLocked({HubItem::Kind::kText, nullptr, last_status_});
  }
  NotifyAll();
}

void WindowHub::End(std::string error) {
  {
    std::lock_guard lock(mutex_);
    if (ended_) return;
    ended_ = true;
    if (!error.empty()) end_error_ = std::make_shared<const std::string>(std::move(error));
  }
  NotifyAll();
}

std::shared_ptr<const std::string> WindowHub::last_status() const {
  std::lock_guard lock(mutex_);
  return last_status_;
}

int64_t WindowHub::windows() const {
  std::lock_guard lock(mutex_);
  return windows_;
}

std::size_t WindowHub::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

void WindowHub::AppendLocked(HubItem item) {
  items_.push_back(std::move(item));
  EvictLocked();
}

void WindowHub::EvictLocked() {
  int64_t needed = base_ + static_cast<int64_t>(items_.size());
  for (const auto& [id, s] : subscribers_) needed = std::min(needed, s.cursor);
  while (!items_.empty() && ((items_.size() > keep_ && base_ < needed) || items_.size() > cap_)) {
    items_.pop_front();
    ++base_;
  }
}

void WindowHub::NotifyAll() {
  std::vector<std::function<void()>> notify;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, s] : subscribers_) notify.push_back(s.notify);
  }
  for (const auto& n : notify) n();
}

std::pair<std::shared_ptr<WindowHub>, int64_t> HubRegistry::Acquire(
    const std::string& identity, int64_t seq, const std::function<std::unique_ptr<WindowSource>()>& open,
    const std::function<void()>& notify) {
  std::lock_guard lock(mutex_);
  auto& hubs = hubs_[identity];
  std::erase_if(hubs, [](const auto& w) { return w.expired(); });
  for (const auto& weak : hubs) {
    if (auto hub = weak.lock()) {
      const int64_t id = hub->Subscribe(notify, seq);
      if (id >= 0) return {hub, id};
    }
  }
  // Opening reads only partition metadata; the engine runs later, as readers ask for windows.
  auto hub = std::make_shared<WindowHub>(open(), keep_, cap_);
  ++engine_runs_;
  hubs.push_back(hub);
  return {hub, hub->Subscribe(notify, seq)};
}

int64_t HubRegistry::engine_runs() const {
  std::lock_guard lock(mutex_);
  return engine_runs_;
}

}  // namespace spymaster::serve
