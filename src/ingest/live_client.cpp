#include "ingest/live_client.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/error.hpp"
#include "dbn/symbol_map.hpp"
#include "ingest/api_key.hpp"
#include "ingest/cram.hpp"
#include "lake/interrupt.hpp"

namespace spymaster::ingest {
namespace {

constexpr std::size_t kMaxSymbolsPerLine = 500;

// A dropped or failed connection: reconnecting may help.
class ConnectionLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// LiveClient::Stop was called.
class Stopped : public std::runtime_error {
 public:
  Stopped() : std::runtime_error("stopped") {}
};

class Socket {
 public:
  Socket(const std::string& host, int port, double connect_timeout_s) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
    if (rc != 0) throw ConnectionLost(fmt::format("cannot resolve {}: {}", host, gai_strerror(rc)));
    std::string last = "no address";
    for (addrinfo* a = res; a != nullptr && fd_ < 0; a = a->ai_next) {
      const int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd < 0) continue;
      timeval tv{static_cast<time_t>(connect_timeout_s), 0};
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        fd_ = fd;
      } else {
        last = std::strerror(errno);
        ::close(fd);
      }
    }
    ::freeaddrinfo(res);
    if (fd_ < 0) throw ConnectionLost(fmt::format("cannot connect to {}:{}: {}", host, port, last));
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  void SendAll(std::string_view text) {
    while (!text.empty()) {
      const ssize_t n = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw ConnectionLost(fmt::format("send: {}", std::strerror(errno)));
      }
      text.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Appends what arrives within timeout_s to `out`; throws ConnectionLost on close, error or silence,
  // Stopped when `stop` is set. Wakes every 200 ms (every LiveClient::kTickMs with a tick, which it calls)
  // so that signals and Stop are noticed.
  void Receive(std::string& out, double timeout_s, const std::atomic<bool>& stop,
               const std::function<void()>* tick = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    for (;;) {
      lake::ThrowIfInterrupted();
      if (stop) throw Stopped();
      if (tick) (*tick)();
      pollfd p{fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, tick ? LiveClient::kTickMs : 200);
      if (r < 0 && errno != EINTR) throw ConnectionLost(fmt::format("poll: {}", std::strerror(errno)));
      if (r > 0) {
        char buf[1 << 16];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n == 0) throw ConnectionLost("the gateway closed the connection");
        if (n < 0) {
          if (errno == EINTR || errno == EAGAIN) continue;
          throw ConnectionLost(fmt::format("recv: {}", std::strerror(errno)));
        }
        out.append(buf, static_cast<std::size_t>(n));
        return;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw ConnectionLost(fmt::format("nothing received for {:.0f} s", timeout_s));
      }
    }
  }

 private:
  int fd_ = -1;
};

// Takes one '\n'-terminated line off the front of `buffer`, reading more as needed.
std::string ReadLine(Socket& socket, std::string& buffer, double timeout_s, const std::atomic<bool>& stop) {
  for (;;) {
    const auto nl = buffer.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buffer.size() > 64 * 1024) throw Error(ErrorKind::kData, "Live gateway: control line longer than 64 KiB");
    socket.Receive(buffer, timeout_s, stop);
  }
}

std::string Field(const std::string& line, std::string_view key) {
  std::size_t pos = 0;
  while (pos <= line.size()) {
    const std::size_t bar = std::min(line.find('|', pos), line.size());
    const std::string_view kv(line.data() + pos, bar - pos);
    if (kv.size() > key.size() && kv.substr(0, key.size()) == key && kv[key.size()] == '=') {
      return std::string(kv.substr(key.size() + 1));
    }
    pos = bar + 1;
  }
  return {};
}

bool IsControl(dbn::RType rtype) {
  return rtype == dbn::RType::kError || rtype == dbn::RType::kSystem || rtype == dbn::RType::kSymbolMapping;
}

}  // namespace

std::string LiveClient::DefaultHost(const std::string& dataset) {
  std::string host = dataset;
  std::transform(host.begin(), host.end(), host.begin(), [](char c) {
    return c == '.' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return host + ".lsg.databento.com";
}

LiveClient::LiveClient(LiveOptions options, std::string api_key)
    : options_(std::move(options)), api_key_(std::move(api_key)) {
  if (options_.host.empty()) options_.host = DefaultHost(options_.dataset);
  if (options_.subscriptions.empty()) throw UsageError("Live: no subscription");
  for (const LiveSubscription& s : options_.subscriptions) {
    if (s.symbols.empty()) throw UsageError(fmt::format("Live: the {} subscription has no symbol", s.schema));
  }
}

bool LiveClient::Session(const LiveHandler& handler, const IdleHandler& on_idle) {
  const double timeout_s = options_.heartbeat_interval_s + 5.0;
  Socket socket(options_.host, options_.port, 10);
  std::string buffer;
  const std::string greeting = ReadLine(socket, buffer, timeout_s, stop_);
  spdlog::info("Live gateway {}:{}: {}", options_.host, options_.port, greeting);
  const std::string challenge_line = ReadLine(socket, buffer, timeout_s, stop_);
  if (challenge_line.rfind("cram=", 0) != 0) {
    throw Error(ErrorKind::kData, fmt::format("Live gateway {}: expected a cram= challenge, got '{}'", options_.host,
                                              challenge_line.substr(0, 100)));
  }
  socket.SendAll(
      fmt::format("auth={}|dataset={}|encoding=dbn|ts_out=0|compression=none|client=Spymaster/0.1 C++|"
                  "heartbeat_interval_s={}\n",
                  CramReply(challenge_line.substr(5), api_key_), options_.dataset, options_.heartbeat_interval_s));
  const std::string reply = ReadLine(socket, buffer, timeout_s, stop_);
  if (Field(reply, "success") != "1") {
    // Not retried: a wrong key or dataset does not get better by reconnecting.
    throw Error(ErrorKind::kIo,
                Redact(fmt::format("Live gateway {}: authentication failed: {} (check "
                                   "DATABENTO_API_KEY and --dataset)",
                                   options_.host, Field(reply, "error").empty() ? reply : Field(reply, "error")),
                       api_key_));
  }
  stats_.session_id = Field(reply, "session_id");
  spdlog::info("Live session {} authenticated", stats_.session_id);
  if (on_status_) {
    on_status_("live", fmt::format("Live session {} on {}:{}{}", stats_.session_id, options_.host, options_.port,
                                   last_ts_ ? fmt::format(", resuming from {}", *last_ts_) : ""));
  }

  // Resume point: after a drop, replay from the last index timestamp delivered (its records already seen are skipped).
  const std::string start = last_ts_ ? std::to_string(*last_ts_) : options_.start;
  for (std::size_t id = 1; const LiveSubscription& sub : options_.subscriptions) {
    for (std::size_t i = 0; i < sub.symbols.size(); i += kMaxSymbolsPerLine) {
      const std::size_t end = std::min(sub.symbols.size(), i + kMaxSymbolsPerLine);
      std::vector<std::string> chunk(sub.symbols.begin() + static_cast<std::ptrdiff_t>(i),
                                     sub.symbols.begin() + static_cast<std::ptrdiff_t>(end));
      socket.SendAll(fmt::format("schema={}|stype_in={}|id={}{}|symbols={}|snapshot=0|is_last={}\n", sub.schema,
                                 sub.stype_in, id, start.empty() ? "" : "|start=" + start, fmt::join(chunk, ","),
                                 end == sub.symbols.size() ? 1 : 0));
    }
    ++id;
  }
  socket.SendAll("start_session\n");

  dbn::Decoder decoder = dbn::Decoder::Push({}, fmt::format("Live {}:{}", options_.host, options_.port));
  bool metadata_checked = false;
  const std::optional<std::uint64_t> resume_ts = last_ts_;
  const std::int64_t seen_at_resume = seen_at_last_ts_;
  std::int64_t skipped_at_resume = 0;
  for (;;) {
    if (!buffer.empty()) {
      decoder.Feed(std::as_bytes(std::span(buffer.data(), buffer.size())));
      buffer.clear();
    }
    if (!metadata_checked && decoder.PollStart()) {
      metadata_checked = true;
      const dbn::Metadata& md = decoder.metadata();
      if (resume_ts && md.start > *resume_ts && md.start != dbn::kUndefTimestamp) {
        ++stats_.gaps;
        stats_.gap_ns += static_cast<std::int64_t>(md.start - *resume_ts);
        spdlog::warn("Live: the gateway replays from {} only, {} ns after the resume point {}: a gap", md.start,
                     md.start - *resume_ts, *resume_ts);
      }
    }
    while (const dbn::RecordRef* rec = decoder.Next()) {
      const std::uint64_t ts = dbn::IndexTs(*rec);
      if (rec->rtype() == dbn::RType::kError) {
        const auto* err = rec->Get<dbn::ErrorMsg>();
        spdlog::error("Live gateway error: {}",
                      err ? std::string(err->err.data(), strnlen(err->err.data(), err->err.size())) : "?");
      }
      if (!IsControl(rec->rtype())) {
        if (resume_ts && ts < *resume_ts) {
          ++stats_.replay_duplicates;
          continue;
        }
        if (resume_ts && ts == *resume_ts && skipped_at_resume < seen_at_resume) {
          ++skipped_at_resume;
          ++stats_.replay_duplicates;
          continue;
        }
        if (last_ts_ && ts == *last_ts_) {
          ++seen_at_last_ts_;
        } else {
          last_ts_ = ts;
          seen_at_last_ts_ = 1;
        }
        ++stats_.records;
        delivered_this_session_ = true;
      }
      if (!handler(decoder.metadata(), *rec)) return true;
    }
    if (on_idle) on_idle();
    socket.Receive(buffer, timeout_s, stop_, on_tick_ ? &on_tick_ : nullptr);
  }
}

void LiveClient::Run(const LiveHandler& handler, const IdleHandler& on_idle) {
  int failures = 0;
  for (;;) {
    delivered_this_session_ = false;
    std::string problem;
    try {
      if (Session(handler, on_idle)) return;
    } catch (const Stopped&) {
      return;
    } catch (const ConnectionLost& e) {
      problem = e.what();
    } catch (const dbn::DecodeError& e) {
      problem = e.what();  // a stream cut mid-record by the drop
    }
    lake::ThrowIfInterrupted();
    failures = delivered_this_session_ ? 1 : failures + 1;
    if (failures > options_.max_reconnects) {
      throw Error(ErrorKind::kIo, fmt::format("Live gateway {}:{}: gave up after {} failed reconnects: {}",
                                              options_.host, options_.port, failures - 1, problem));
    }
    const double delay = std::min(options_.max_backoff_s, options_.first_backoff_s * (1 << std::min(failures - 1, 16)));
    const std::string message =
        fmt::format("Live gateway {}:{}: {}; reconnecting in {:.1f} s{}", options_.host, options_.port, problem, delay,
                    last_ts_ ? fmt::format(" (resuming from {})", *last_ts_) : "");
    spdlog::warn("{}", message);
    if (on_status_) on_status_("reconnecting", message);
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(delay);
    while (std::chrono::steady_clock::now() < until) {
      lake::ThrowIfInterrupted();
      if (stop_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ++stats_.reconnects;
  }
}

}  // namespace spymaster::ingest
