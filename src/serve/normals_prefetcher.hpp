// The forecast's normals generated ahead of the windows that need them. A window's 30 000 normals (the
// libm log and cos of Box–Muller, ≈ 95 % of its forecast) depend only on its window_end_ts_ns, which
// compute and live streams know before the window closes (the next window ends a second later), so one
// background thread generates them while the engine is still reading the window's records; at the close
// only the particle steps remain. The rows are the same either way (engine::Forecaster::Compute with or
// without normals): this moves work off the close-to-socket path, it changes no result.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace spymaster::serve {

class NormalsPrefetcher {
 public:
  using Normals = std::shared_ptr<const std::vector<double>>;

  // Keeps at most `capacity` windows' normals (≈ 240 KB each), generated or queued.
  explicit NormalsPrefetcher(std::size_t capacity = 8);
  ~NormalsPrefetcher();  // stops the thread (an in-progress window finishes first)
  NormalsPrefetcher(const NormalsPrefetcher&) = delete;
  NormalsPrefetcher& operator=(const NormalsPrefetcher&) = delete;

  // Queues the window's normals unless they are known already; when full, the oldest window's go.
  void Want(int64_t window_end_ts_ns);
  // The window's normals when generated ahead (waiting while the thread is on them), else null: a
  // window still queued is dropped from the queue, since the caller is about to compute it anyway.
  Normals Take(int64_t window_end_ts_ns);
  // True when the window's normals are queued or being generated: `done` is then called once they no
  // longer are (generated, or dropped from the queue), on the thread that ended the wait (the prefetcher's,
  // or one calling Want or Take), so it must only post.
  // False, and `done` is dropped, when nothing is pending for the window.
  bool Pending(int64_t window_end_ts_ns, std::function<void()> done);

  // Blocks until nothing is queued or being generated, and the thread has ended the waits of Pending (tests).
  void WaitIdle();

  int64_t hits() const;    // Take found the normals
  int64_t misses() const;  // Take returned null

 private:
  void Loop();
  // The waiters whose window is no longer pending, out of waiters_.
  std::vector<std::function<void()>> TakeDoneWaitersLocked();

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // work queued, or stop
  std::condition_variable done_;  // a window's normals finished
  std::deque<int64_t> queue_;
  std::map<int64_t, Normals> ready_;
  std::optional<int64_t> running_;
  bool reporting_ = false;                                          // the thread is calling waiters done
  std::vector<std::pair<int64_t, std::function<void()>>> waiters_;  // Pending's
  bool stop_ = false;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace spymaster::serve
