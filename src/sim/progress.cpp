#include "sim/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace spymaster::sim {

Progress::Progress(std::vector<std::string> task_names, bool enabled)
    : names_(std::move(task_names)),
      slots_(new std::atomic<int>[names_.size()]),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) == 1) {
  for (std::size_t i = 0; i < names_.size(); ++i) slots_[i] = 0;
  if (!enabled_) return;
  ticker_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(tty_ ? 100 : 250), [this] { return stop_; })) Draw(false);
  });
}

Progress::~Progress() { Finish(); }

void Progress::Finish() {
  if (!ticker_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  ticker_.join();
  Draw(true);
}

void Progress::Draw(bool final) {
  int total = 0;
  for (std::size_t i = 0; i < names_.size(); ++i) total += slots_[i].load(std::memory_order_relaxed);
  const double fraction = names_.empty() ? 1.0 : total / (1000.0 * static_cast<double>(names_.size()));
  if (tty_) {
    constexpr int kWidth = 40;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\rsimulate [%s] %5.1f%%%s", bar.c_str(), fraction * 100, final ? "\n" : "");
    std::fflush(stderr);
    return;
  }
  const int quarter = static_cast<int>(fraction * 4);
  if (quarter > last_logged_quarter_ || (final && last_logged_quarter_ < 4)) {
    last_logged_quarter_ = quarter;
    std::string detail;
    for (std::size_t i = 0; i < names_.size(); ++i) {
      detail += fmt::format(" {}={}%", names_[i], slots_[i].load(std::memory_order_relaxed) / 10);
    }
    std::fprintf(stderr, "simulate: %3.0f%% done;%s\n", fraction * 100, detail.c_str());
  }
}

}  // namespace spymaster::sim
