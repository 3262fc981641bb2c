#include "serve/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "serve/catalog.hpp"
#include "serve/stream_session.hpp"
#include "serve/warm_heap.hpp"

namespace spymaster::serve {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kStreamPath = "/v1/velocity/stream";
constexpr auto kShutdownGrace = std::chrono::seconds(3);
constexpr auto kHttpTimeout = std::chrono::seconds(30);

std::string_view ContentType(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript";
  if (ext == ".css") return "text/css";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".wasm") return "application/wasm";
  return "application/octet-stream";
}

// A plain HTTP request: answered, then the connection closes; a WebSocket upgrade of the stream path is
// handed to a StreamSession.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<ServerContext> context)
      : stream_(std::move(socket)), context_(std::move(context)) {}

  void Run() {
    parser_.body_limit(1 << 16);
    stream_.expires_after(kHttpTimeout);
    http::async_read(stream_, buffer_, parser_, beast::bind_front_handler(&HttpSession::OnRead, shared_from_this()));
  }

 private:
  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return;
    http::request<http::string_body> req = parser_.release();
    const std::string_view target(req.target().data(), req.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    if (websocket::is_upgrade(req)) {
      if (path == kStreamPath) {
        stream_.expires_never();
        StartStreamSession(stream_.release_socket(), std::move(req), context_);
        return;
      }
      Reply(req, http::status::not_found, "application/json",
            fmt::format(R"({{"error":"no WebSocket endpoint {}; use {}"}})", std::string(path), kStreamPath));
      return;
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      Reply(req, http::status::method_not_allowed, "application/json", R"({"error":"only GET"})");
    } else if (path == "/health") {
      Reply(req, http::status::ok, "application/json", R"({"status":"ok"})");
    } else if (path == "/v1/catalog") {
      Reply(req, http::status::ok, "application/json", CatalogJson(context_->config.lake_root, context_->config.live));
    } else if (path == "/v1/stats") {
      Reply(req, http::status::ok, "application/json", StatsJson());
    } else if (path == kStreamPath) {
      Reply(req, http::status::upgrade_required, "application/json",
            R"({"error":"this endpoint is a WebSocket: connect with ws://"})");
    } else {
      ServeFile(req, path);
    }
  }

  // Diagnostics: how many compute engine runs and replay readings of the lake the server started, its
  // live feeds, the close-to-socket latency of engine-driven windows, and how often a forecast found its
  // normals generated ahead.
  std::string StatsJson() const {
    nlohmann::json live = nlohmann::json::array();
    for (const LiveStream& l : context_->config.live) {
      const auto status = l.hub->last_status();
      live.push_back({{"symbol", l.symbol},
                      {"dt", l.dt},
                      {"windows", l.hub->windows()},
                      {"clients", l.hub->subscribers()},
                      {"status", status ? nlohmann::json::parse(*status) : nlohmann::json()}});
    }
    const LatencySummary lat = context_->latency.Summary();
    return nlohmann::json{
        {"compute_engine_runs", context_->hubs->engine_runs()},
        {"replay_reads", context_->replay_hubs->engine_runs()},
        {"forecast_normals_ahead", {{"hits", context_->normals.hits()}, {"misses", context_->normals.misses()}}},
        {"live", live},
        {"close_to_socket_latency_ns",
         {{"count", lat.count},
          {"p50", lat.p50_ns},
          {"p99", lat.p99_ns},
          {"max", lat.max_ns},
          {"over_1ms", lat.over_1ms}}}}
        .dump();
  }

  // The built web app: files under web_root only (no '..', no hidden files); "/" is index.html.
  void ServeFile(const http::request<http::string_body>& req, std::string_view path) {
    const auto& root = context_->config.web_root;
    if (root.empty() || !std::filesystem::is_directory(root)) {
      Reply(req, http::status::not_found, "application/json",
            R"({"error":"no web app: build it and start serve with --web DIR"})");
      return;
    }
    std::string rel(path.substr(1));
    if (rel.empty()) rel = "index.html";
    if (rel.find("..") != std::string::npos || rel.find("/.") != std::string::npos || rel.front() == '.' ||
        rel.find('\\') != std::string::npos) {
      Reply(req, http::status::bad_request, "application/json", R"({"error":"bad path"})");
      return;
    }
    const std::filesystem::path file = root / rel;
    std::ifstream in(file, std::ios::binary);
    if (!std::filesystem::is_regular_file(file) || !in) {
      Reply(req, http::status::not_found, "application/json", R"({"error":"not found"})");
      return;
    }
    std::ostringstream body;
    body << in.rdbuf();
    Reply(req, http::status::ok, ContentType(file), body.str());
  }

  void Reply(const http::request<http::string_body>& req, http::status status, std::string_view type,
             std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, req.version());
    res->set(http::field::server, "spymaster");
    res->set(http::field::content_type, beast::string_view(type.data(), type.size()));
    res->set(http::field::access_control_allow_origin, "*");
    res->keep_alive(false);
    res->body() = req.method() == http::verb::head ? std::string() : std::move(body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  std::shared_ptr<ServerContext> context_;
};

}  // namespace

// One io_context per I/O thread, each connection bound to one of them (round robin): a session's handlers
// then always run on the same thread. With one io_context shared by the threads, every write completion
// and tick could wake the other thread to take the session's strand over, which cost more CPU than the
// writes themselves (replay at speed=max: ≈ 1.2 s against ≈ 0.85 s of server CPU for 3600 windows).
std::vector<std::unique_ptr<net::io_context>> MakeIoContexts(int threads) {
  std::vector<std::unique_ptr<net::io_context>> iocs;
  for (int i = 0; i < std::max(1, threads); ++i) iocs.push_back(std::make_unique<net::io_context>(1));
  return iocs;
}

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(ServerConfig config, const lake::DatasetRegistry& registry)
      : iocs(MakeIoContexts(config.threads)),
        acceptor(net::make_strand(*iocs[0])),
        signals(*iocs[0], SIGINT, SIGTERM),
        grace(*iocs[0]),
        context(std::make_shared<ServerContext>()) {
    context->config = std::move(config);
    context->registry = &registry;
    context->hubs = std::make_unique<HubRegistry>(context->config.hub_keep, context->config.hub_cap);
    context->replay_hubs = std::make_unique<HubRegistry>(context->config.hub_keep, context->config.hub_cap);
    const auto& c = context->config;
    beast::error_code ec;
    const auto address = net::ip::make_address(c.host, ec);
    if (ec) throw UsageError(fmt::format("--host '{}' is not an IP address: {}", c.host, ec.message()));
    const tcp::endpoint endpoint(address, c.port);
    auto check = [&](const char* what) {
      if (ec) throw Error(ErrorKind::kIo, fmt::format("cannot {} {}:{}: {}", what, c.host, c.port, ec.message()));
    };
    acceptor.open(endpoint.protocol(), ec);
    check("open a socket for");
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
    check("set SO_REUSEADDR on");
    acceptor.bind(endpoint, ec);
    check("bind");
    acceptor.listen(net::socket_base::max_listen_connections, ec);
    check("listen on");
  }

  void Accept() {
    auto& ioc = *iocs[next_ioc++ % iocs.size()];
    acceptor.async_accept(net::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec != net::error::operation_aborted) spdlog::warn("accept: {}", ec.message());
        if (!self->acceptor.is_open()) return;
      } else {
        std::make_shared<HttpSession>(std::move(s), self->context)->Run();
      }
      self->Accept();
    });
  }

  void Stop() {
    net::post(acceptor.get_executor(), [self = shared_from_this()] {
      if (self->stopped) return;
      self->stopped = true;
      spdlog::info("serve: shutting down, telling every client");
      beast::error_code ignored;
      self->acceptor.close(ignored);
      self->signals.cancel(ignored);
      ShutdownSessions(*self->context);
      self->deadline = std::chrono::steady_clock::now() + kShutdownGrace;
      self->WaitForSessions();
    });
  }

  // Returns from Run once every client has gone, or at the deadline for those that did not take their close.
  void WaitForSessions() {
    bool any = false;
    {
      std::lock_guard lock(context->mutex);
      for (const auto& w : context->sessions) any = any || !w.expired();
    }
    if (!any || std::chrono::steady_clock::now() >= deadline) {
      for (auto& ioc : iocs) ioc->stop();
      return;
    }
    grace.expires_after(std::chrono::milliseconds(20));
    grace.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->WaitForSessions();
    });
  }

  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::size_t next_ioc = 0;  // only touched on the acceptor's strand
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer grace;
  std::shared_ptr<ServerContext> context;
  bool stopped = false;
  std::chrono::steady_clock::time_point deadline;
};

Server::Server(ServerConfig config, const lake::DatasetRegistry& registry)
    : impl_(std::make_shared<Impl>(std::move(config), registry)) {}

Server::~Server() = default;

uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::Run() {
  impl_->signals.async_wait([impl = impl_](beast::error_code ec, int) {
    if (!ec) impl->Stop();
  });
  impl_->Accept();
  // The other io_contexts wait for connections rather than return while they have none.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> idle;
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl_->iocs.size(); ++i) {
    idle.push_back(net::make_work_guard(*impl_->iocs[i]));
    threads.emplace_back([ioc = impl_->iocs[i].get()] {
      WarmHeap(kFrameCacheBytes);
      ioc->run();
    });
  }
  WarmHeap(kFrameCacheBytes);
  impl_->iocs[0]->run();
  for (auto& t : threads) t.join();
}

void Server::Stop() { impl_->Stop(); }

}  // namespace spymaster::serve
