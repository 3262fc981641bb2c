#include "lake/durable_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <thread>
#include <utility>

#include "lake/partition.hpp"

namespace spymaster::lake {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

[[noreturn]] void Fail(std::string_view what, const std::filesystem::path& path) {
  throw LakeError(fmt::format("cannot {} {}: {}", what, path.string(), strerror(errno)));
}

void SyncAndClose(Fd& fd, const std::filesystem::path& path) {
  if (::fsync(fd.get()) != 0) Fail("sync", path);
  if (::close(fd.release()) != 0) Fail("close", path);
}

Fd CreateWith(const std::filesystem::path& path, std::string_view content) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) Fail("create", path);
  while (!content.empty()) {
    const ssize_t n = ::write(fd.get(), content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Fail("write", path);
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return fd;
}

}  // namespace

void WriteFileDurably(const std::filesystem::path& path, std::string_view content) {
  Fd fd = CreateWith(path, content);
  SyncAndClose(fd, path);
}

void WriteFile(const std::filesystem::path& path, std::string_view content) {
  Fd fd = CreateWith(path, content);
  if (::close(fd.release()) != 0) Fail("close", path);
}

void SyncPath(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) Fail("open", path);
  SyncAndClose(fd, path);
}

void SyncPaths(const std::vector<std::filesystem::path>& paths) {
  if (paths.size() <= 1) {
    for (const auto& path : paths) SyncPath(path);
    return;
  }
  std::vector<std::exception_ptr> errors(paths.size());
  {
    std::vector<std::jthread> threads;
    threads.reserve(paths.size());
    for (std::size_t i = 0; i < paths.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          SyncPath(paths[i]);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      });
    }
  }
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace spymaster::lake
