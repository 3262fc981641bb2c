// One WebSocket client of /v1/velocity/stream. Everything a session does runs on its own strand:
// windows are read (one at a time, from its WindowSource), paced (Pacer), encoded and queued; at most
// max_queued_windows windows wait for the socket. When the queue is full a paced stream drops whole
// windows (and says so with {"type":"dropped"} before the next batch), a speed=max stream waits for the
// client; a client that stays full past slow_client_timeout is closed with a reason. Client text
// messages {"type":"control",...} pause, resume, seek and change speed.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "lake/registry.hpp"
#include "serve/frame_cache.hpp"
#include "serve/latency_recorder.hpp"
#include "serve/normals_prefetcher.hpp"
#include "serve/server.hpp"
#include "serve/window_hub.hpp"

namespace spymaster::serve {

class StreamSession;

// The shared frame cache's capacity; each I/O thread's heap is touched that far up front (WarmHeap).
constexpr std::size_t kFrameCacheBytes = 64 << 20;

// What the server's sessions share.
struct ServerContext {
  ServerConfig config;
  const lake::DatasetRegistry* registry = nullptr;
  FrameCache frames{kFrameCacheBytes};
  std::unique_ptr<HubRegistry> hubs;         // compute: one engine run shared by the clients of a (symbol, dt)
  std::unique_ptr<HubRegistry> replay_hubs;  // replay: one reading of the lake shared likewise
  NormalsPrefetcher normals;                 // compute and live: the next windows' forecast normals
  LatencyRecorder latency;
  std::mutex mutex;
  std::vector<std::weak_ptr<StreamSession>> sessions;
  bool stopping = false;
};

// Takes over an upgraded connection: accepts the WebSocket handshake for `request` and streams.
void StartStreamSession(boost::asio::ip::tcp::socket socket,
                        boost::beast::http::request<boost::beast::http::string_body> request,
                        std::shared_ptr<ServerContext> context);

// Tells every live session that the server is going away (error message, close 1001).
void ShutdownSessions(ServerContext& context);

}  // namespace spymaster::serve
