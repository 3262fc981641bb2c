#include "lake/interrupt.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <string.h>

#include <atomic>

namespace spymaster::lake {
namespace {

std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the handler may only touch a lock-free atomic");

void OnSignal(int sig) {
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
}

}  // namespace

void InstallInterruptHandlers() {
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: the second signal gets the default action and ends the process.
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int InterruptSignal() { return g_signal.load(std::memory_order_relaxed); }

void ThrowIfInterrupted() {
  if (const int sig = InterruptSignal(); sig != 0) {
    throw Interrupted(fmt::format("interrupted by SIG{}", sigabbrev_np(sig)));
  }
}

}  // namespace spymaster::lake
