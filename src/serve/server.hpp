// `spymaster serve`: one process, a fixed pool of I/O threads (no thread per client), Boost.Beast.
//   ws://HOST:PORT/v1/velocity/stream?...   the window stream (stream.md Part 1; stream_session.hpp)
//   GET /health                              {"status":"ok"}
//   GET /v1/catalog                          catalog.hpp
//   GET /v1/stats                            diagnostics: engine runs, live feeds, close-to-socket latency
//   GET /                                    the built web app under web_root, when there is one
// SIGINT/SIGTERM (or Stop()) stop accepting, tell every client ({"type":"error"} and close 1001) and
// return from Run once they are gone (or after a grace period).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lake/product_type.hpp"
#include "lake/registry.hpp"
#include "serve/window_hub.hpp"

namespace spymaster::serve {

// A live feed's windows (source=live&symbol=...&dt=...): the feed publishes into `hub` from its own thread.
struct LiveStream {
  lake::ProductType product = lake::ProductType::kFutureMbo;  // future_mbo (ESH6) or equity_mbo (SPY)
  std::string symbol;
  std::string dt;
  std::shared_ptr<WindowHub> hub;
};

struct ServerConfig {
  std::filesystem::path lake_root = "lake";
  std::string host = "127.0.0.1";
  uint16_t port = 8001;  // 0: any free port (see Server::port)
  int threads = 2;
  std::filesystem::path web_root;  // empty: GET / answers 404 with a hint
  std::size_t max_queued_windows = 4;
  std::chrono::milliseconds slow_client_timeout{10'000};
  // "ES" → the selected contract for dt (the selection map); throws std::exception with the reason.
  std::function<std::string(const std::string& dt)> resolve_es;
  // The session window [start, end) in UTC ns the engine uses for dt (compute source).
  std::function<std::pair<int64_t, int64_t>(const std::string& dt)> session_bounds;
  std::vector<LiveStream> live;
  // Compute hubs keep the newest hub_keep windows for clients joining a run, and older ones while a
  // client still needs them, up to hub_cap (a client further behind gets another engine run).
  std::size_t hub_keep = 32;
  std::size_t hub_cap = 256;
};

class Server {
 public:
  // Binds the listening socket; throws Error (io) when it cannot.
  Server(ServerConfig config, const lake::DatasetRegistry& registry);
  ~Server();
  uint16_t port() const;
  // Serves until Stop() or SIGINT/SIGTERM.
  void Run();
  // Thread-safe.
  void Stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace spymaster::serve
