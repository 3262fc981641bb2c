#include "ingest/transfer_progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace spymaster::ingest {

TransferProgress::TransferProgress(std::string name, std::uint64_t total, std::uint64_t resumed_from)
    : name_(std::move(name)),
      total_(total),
      resumed_from_(resumed_from),
      started_(std::chrono::steady_clock::now()),
      tty_(::isatty(STDERR_FILENO) == 1) {}

std::string TransferProgress::Bytes(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.2f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.1f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.1f} kB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

std::string TransferProgress::Line(std::uint64_t have) const {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const double moved = static_cast<double>(have > resumed_from_ ? have - resumed_from_ : 0);
  const double rate = seconds > 0 ? moved / seconds : 0;
  const double pct = total_ > 0 ? 100.0 * static_cast<double>(have) / static_cast<double>(total_) : 100.0;
  std::string eta = "?";
  if (rate > 0 && total_ >= have) eta = fmt::format("{:.0f} s", static_cast<double>(total_ - have) / rate);
  return fmt::format("{} {:5.1f}% {} / {}  {}/s  ETA {}", name_, pct, Bytes(static_cast<double>(have)),
                     Bytes(static_cast<double>(total_)), Bytes(rate), eta);
}

void TransferProgress::Update(std::uint64_t have) {
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    std::fprintf(stderr, "\r%s\033[K", Line(have).c_str());
    return;
  }
  const int quarter = total_ > 0 ? static_cast<int>(4 * have / total_) : 4;
  if (quarter != last_quarter_ && quarter < 4) {
    last_quarter_ = quarter;
    std::fprintf(stderr, "%s\n", Line(have).c_str());
  }
}

void TransferProgress::Finish(std::uint64_t have) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::fprintf(stderr, "%s%s  done in %.1f s%s\n", tty_ ? "\r" : "", Line(have).c_str(), seconds, tty_ ? "\033[K" : "");
}

}  // namespace spymaster::ingest
