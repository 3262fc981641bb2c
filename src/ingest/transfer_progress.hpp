// Progress of one file download on stderr: bytes, rate and ETA. On a terminal a line redrawn at most
// five times a second; otherwise (logs, tests) one line per started quarter. Always a final line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace spymaster::ingest {

class TransferProgress {
 public:
  // `resumed_from`: bytes already on disk when this transfer started (they do not count toward the rate).
  TransferProgress(std::string name, std::uint64_t total, std::uint64_t resumed_from);
  void Update(std::uint64_t have);
  void Finish(std::uint64_t have);

  // "1.2 MB", "163.1 MB", "8.47 GB".
  static std::string Bytes(double bytes);

 private:
  std::string Line(std::uint64_t have) const;

  std::string name_;
  std::uint64_t total_;
  std::uint64_t resumed_from_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool tty_;
  int last_quarter_ = -1;
};

}  // namespace spymaster::ingest
