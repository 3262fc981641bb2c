// `live --record FILE`: the Live stream as a plain (uncompressed) DBN file that is readable at every
// moment: the metadata first, then only whole records, each write(2) a run of whole records, so a crash
// or kill leaves a valid DBN file missing at most the last 100 ms. Uncompressed because a zstd frame cut
// by a crash cannot be read to its end. The file must not exist (never overwritten).
#pragma once

#include <chrono>
#include <filesystem>
#include <vector>

#include "dbn/decoder.hpp"

namespace spymaster::ingest {

class LiveRecorder {
 public:
  explicit LiveRecorder(std::filesystem::path path);
  ~LiveRecorder();
  LiveRecorder(const LiveRecorder&) = delete;
  LiveRecorder& operator=(const LiveRecorder&) = delete;

  // The metadata of the first session is the file's; later sessions' are not written.
  void Write(const dbn::Metadata& metadata, const dbn::RecordRef& record);
  void Flush();

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool has_metadata_ = false;
  std::vector<std::byte> pending_;
  std::chrono::steady_clock::time_point last_flush_;
};

}  // namespace spymaster::ingest
