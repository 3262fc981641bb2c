#include "ingest/live_recorder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "dbn/encoder.hpp"

namespace spymaster::ingest {

LiveRecorder::LiveRecorder(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    if (errno == EEXIST)
      throw UsageError(fmt::format("--record: {} exists; recordings are never overwritten", path_.string()));
    throw Error(ErrorKind::kIo, fmt::format("cannot create {}: {}", path_.string(), std::strerror(errno)));
  }
  last_flush_ = std::chrono::steady_clock::now();
}

LiveRecorder::~LiveRecorder() {
  try {
    Flush();
  } catch (const Error&) {
    // The destructor runs after an error already being reported; the file keeps its whole records.
  }
  if (fd_ >= 0) ::close(fd_);
}

void LiveRecorder::Write(const dbn::Metadata& metadata, const dbn::RecordRef& record) {
  if (!has_metadata_) {
    std::vector<std::byte> header;
    dbn::Encoder encoder = dbn::Encoder::ToBuffer(&header, metadata);
    encoder.Finish();
    pending_.insert(pending_.begin(), header.begin(), header.end());
    has_metadata_ = true;
  }
  pending_.insert(pending_.end(), record.data(), record.data() + record.size());
  const auto now = std::chrono::steady_clock::now();
  if (pending_.size() >= (1 << 16) || now - last_flush_ >= std::chrono::milliseconds(100)) Flush();
}

void LiveRecorder::Flush() {
  std::size_t done = 0;
  while (done < pending_.size()) {
    const ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::kIo, fmt::format("cannot write {}: {}", path_.string(), std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  pending_.clear();
  last_flush_ = std::chrono::steady_clock::now();
}

}  // namespace spymaster::ingest
