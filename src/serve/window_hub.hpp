// One stream's windows shared by every client watching it: one engine per (symbol, dt), many readers.
// Windows (immutable StreamWindows) and status notes get consecutive sequence numbers; each subscriber
// reads them by number at its own pace, through its own bounded queue (stream_session.cpp), so a slow
// client never holds up the others or the producer.
//
// Two kinds of producer:
// - pull (compute): the hub owns a WindowSource and runs it when a subscriber asks for a window past the
//   newest one, so the furthest-ahead client drives the engine and the others read what it left;
// - push (live): the feed's thread calls Publish/Status/End; subscribers are told through their notify
//   callback (which must only post to the subscriber's strand: it runs on the producer's thread).
//
// Memory is bounded: the hub keeps the newest `keep` items whatever the readers, and anything older only
// while a subscriber still needs it, up to `cap` items. A subscriber that falls further behind reads
// kEvicted and moves on (live: to the oldest item kept, counting what it missed) or reopens (compute:
// another run of the engine, see HubRegistry).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "serve/stream_window.hpp"
#include "serve/window_source.hpp"

namespace spymaster::serve {

struct HubItem {
  enum class Kind : uint8_t { kWindow, kText, kPending, kEnd, kEvicted };
  Kind kind = Kind::kPending;
  StreamWindowPtr window;                   // kWindow
  std::shared_ptr<const std::string> text;  // kText: a JSON message for every subscriber; kEnd: the error, if any
};

class WindowHub {
 public:
  // Pull hub over `source` (compute).
  WindowHub(std::unique_ptr<WindowSource> source, std::size_t keep, std::size_t cap);
  // Push hub (live); `identity` keys the frame cache like a source's.
  WindowHub(std::string identity, std::size_t keep, std::size_t cap);

  const std::string& identity() const { return identity_; }

  // Registers a reader that reads from sequence number `from` on; returns its id, or -1 when `from` is
  // no longer kept. `notify` is called after every Publish, Status and End.
  int64_t Subscribe(std::function<void()> notify, int64_t from);
  // A live reader: from the next item published on. Returns (id, first sequence number).
  std::pair<int64_t, int64_t> SubscribeAtHead(std::function<void()> notify);
  void Unsubscribe(int64_t id);
  // The sequence number the next published item will get (a live joiner starts there).
  int64_t head() const;
  // The oldest sequence number still kept.
  int64_t base() const;
  // Item `seq` for subscriber `id` (and marks everything before it as read by that subscriber). A pull
  // hub produces up to `seq` first, on the calling thread; a push hub answers kPending until it is there.
  // Throws what the source throws.
  HubItem Read(int64_t id, int64_t seq);

  // Push side.
  void Publish(StreamWindowPtr window);
  void Status(std::string json);
  // No more windows; `error` empty for a normal end, else the reason (subscribers close with 1011).
  void End(std::string error = {});
  // The latest status note (sent first to a new live subscriber), or null.
  std::shared_ptr<const std::string> last_status() const;

  int64_t windows() const;
  std::size_t subscribers() const;

 private:
  void AppendLocked(HubItem item);
  void EvictLocked();
  void NotifyAll();

  std::string identity_;
  std::unique_ptr<WindowSource> source_;  // pull hubs only
  std::size_t keep_;
  std::size_t cap_;
  std::mutex produce_mutex_;  // held while the source runs (pull)
  mutable std::mutex mutex_;  // everything below
  std::deque<HubItem> items_;
  int64_t base_ = 0;  // sequence number of items_.front()
  int64_t windows_ = 0;
  bool ended_ = false;
  std::shared_ptr<const std::string> end_error_;
  std::shared_ptr<const std::string> last_status_;
  int64_t next_id_ = 1;
  struct Subscriber {
    std::function<void()> notify;
    int64_t cursor = 0;
  };
  std::map<int64_t, Subscriber> subscribers_;
};

// The compute hubs of a server by source identity, so that clients of the same (symbol, dt) share one
// engine run. Holds them weakly: a hub lives while a client reads it.
class HubRegistry {
 public:
  HubRegistry(std::size_t keep, std::size_t cap) : keep_(keep), cap_(cap) {}
  // A hub for `identity` that still holds sequence number `seq` (or has not reached it yet), else a new
  // one over the source `open` returns (counted in engine_runs).
  // Returns the hub and the reader's id there (Subscribe(notify, seq)).
  std::pair<std::shared_ptr<WindowHub>, int64_t> Acquire(const std::string& identity, int64_t seq,
                                                         const std::function<std::unique_ptr<WindowSource>()>& open,
                                                         const std::function<void()>& notify);
  int64_t engine_runs() const;

 private:
  std::size_t keep_;
  std::size_t cap_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::weak_ptr<WindowHub>>> hubs_;
  int64_t engine_runs_ = 0;
};

}  // namespace spymaster::serve
