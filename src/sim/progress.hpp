// Progress of a simulation on stderr: a redrawn bar when stderr is a terminal, otherwise a plain log
// line at each quarter. Tasks report the simulated time they have reached; a ticker thread draws.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace spymaster::sim {

class Progress {
 public:
  // `enabled` false makes every call a no-op (tests, benchmarks).
  Progress(std::vector<std::string> task_names, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Fraction in [0, 1] of task `index`; cheap enough to call every few thousand records.
  void Update(std::size_t index, double fraction) {
    slots_[index].store(static_cast<int>(fraction * 1000), std::memory_order_relaxed);
  }
  // Stops the ticker and prints the final state.
  void Finish();

 private:
  void Draw(bool final);

  std::vector<std::string> names_;
  std::unique_ptr<std::atomic<int>[]> slots_;
  bool enabled_;
  bool tty_;
  int last_logged_quarter_ = -1;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace spymaster::sim
