// `spymaster bench serve`: the stream server's per-window work and, given a lake, the whole server.
// - frames: the engine runs a generated ES hour; each window's forecast and Arrow IPC frames are timed
//   (the work a stream does per window, beyond reading it), in windows/s and MB/s on one core.
// - with --lake: an in-process server on a loopback port and --clients WebSocket clients (Beast, asynchronous
//   on --client-threads threads) reading the (symbol, dt) stream at speed=max: windows/s per client, MB/s in total,
//   server-side CPU and peak RSS of the process; for --source compute, the server's close-to-socket latency
//   (GET /v1/stats: from the record that closed each window to its last message written to the socket).
#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_command.hpp"
#include "bench/timing.hpp"
#include "common/standard_output.hpp"
#include "engine/engine.hpp"
#include "engine/forecast.hpp"
#include "lake/registry.hpp"
#include "serve/server.hpp"
#include "serve/window_frames.hpp"
#include "support/synthetic_mbo_stream.hpp"

namespace spymaster::bench {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;

struct Args {
  int64_t events = 2'000'000;
  std::string lake;
  std::string symbol = "ESH6";
  std::string dt = "2026-01-06";
  std::string source = "replay";
  std::string speed = "max";
  int clients = 1;
  int threads = 2;
  int client_threads = 1;
  int port = 0;  // a running server's port: clients only, so the server's own CPU and RSS can be read apart
};

void FramesBench(const Args& a) {
  support::SyntheticStreamOptions so;
  so.events = a.events;
  const auto events = support::SyntheticMboStream(so);
  engine::EngineOptions o;
  o.session_start_ns = so.start_ns;
  o.session_end_ns = so.start_ns + so.duration_ns;
  engine::Forecaster forecaster;
  std::vector<engine::ForecastRow> rows;
  const serve::Surface all[] = {serve::Surface::kSnap, serve::Surface::kVelocity, serve::Surface::kOptions,
                                serve::Surface::kForecast};
  int64_t windows = 0, velocity_rows = 0, bytes = 0;
  double forecast_s = 0, encode_s = 0, forecast_cpu = 0, encode_cpu = 0;
  engine::Engine engine(engine::FutureMboConfig(), o, [&](const engine::WindowPtr& w) {
    const double cpu0 = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    forecaster.Compute(w->gold, rows);
    const auto t1 = std::chrono::steady_clock::now();
    const double cpu1 = CpuSeconds();
    serve::StreamWindow sw;
    sw.window = w;
    const auto group = serve::EncodeWindow(sw, rows, all);
    const auto t2 = std::chrono::steady_clock::now();
    forecast_cpu += cpu1 - cpu0;
    encode_cpu += CpuSeconds() - cpu1;
    forecast_s += std::chrono::duration<double>(t1 - t0).count();
    encode_s += std::chrono::duration<double>(t2 - t1).count();
    ++windows;
    velocity_rows += static_cast<int64_t>(w->gold.size());
    bytes += static_cast<int64_t>(group->bytes);
  });
  for (const auto& e : events) engine.OnEvent(e);
  engine.Finish();
  const double total = forecast_s + encode_s;
  PrintStdout(
      "serve frames: {} windows; forecast {:.1f} us/window ({:.1f} us cpu), Arrow IPC frames {:.1f} us/window "
      "({:.1f} us cpu); {:.0f} windows/s = {:.2f} M rows/s (velocity) = {:.1f} MB/s of frames; cpu {:.0f} "
      "windows/s/core\n",
      windows, forecast_s / windows * 1e6, forecast_cpu / windows * 1e6, encode_s / windows * 1e6,
      encode_cpu / windows * 1e6, windows / total, velocity_rows / total / 1e6, bytes / total / 1e6,
      windows / (forecast_cpu + encode_cpu));
}

struct ClientResult {
  int64_t windows = 0;
  int64_t dropped = 0;  // windows the server reported dropped (paced clients that fell behind)
  int64_t bytes = 0;
  double seconds = 0;
  bool ended = false;
};

// One client's stream, read asynchronously: the clients of a run share one io_context on --client-threads
// threads (not a thread each), so that with 200 clients the client process costs the reading of the bytes,
// not 200 threads' wake-ups. Each client's handlers run on its own strand.
class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(net::io_context& ioc, net::ip::tcp::endpoint endpoint, std::string target, ClientResult& result,
         std::exception_ptr& failure, std::mutex& failure_mutex)
      : ws_(net::make_strand(ioc)),
        endpoint_(endpoint),
        target_(std::move(target)),
        r_(result),
        failure_(failure),
        failure_mutex_(failure_mutex) {}

  void Start() {
    ws_.read_message_max(64 << 20);
    ws_.next_layer().async_connect(endpoint_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Fail("connect: " + ec.message());
      self->t0_ = std::chrono::steady_clock::now();
      self->ws_.async_handshake("127.0.0.1", self->target_, [self](beast::error_code ec) {
        if (ec) return self->Fail("handshake: " + ec.message());
        self->Read();
      });
    });
  }

 private:
  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {  // the server's close (after end or error) or a lost connection: the stream is over
      r_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
      return;
    }
    r_.bytes += static_cast<int64_t>(buffer_.size());
    if (ws_.got_text()) {
      const std::string_view text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      if (text.find("\"batch_start\"") != std::string_view::npos) ++r_.windows;
      constexpr std::string_view kDropped = "\"dropped\",\"windows\":";
      if (const auto at = text.find(kDropped); at != std::string_view::npos) {
        r_.dropped += std::stoll(std::string(text.substr(at + kDropped.size())));
      }
      if (text.find("\"end\"") != std::string_view::npos) r_.ended = true;
      if (text.find("\"error\"") != std::string_view::npos) Fail("server: " + std::string(text));
    }
    buffer_.consume(buffer_.size());
    Read();
  }

  void Fail(const std::string& what) {
    std::lock_guard lock(failure_mutex_);
    if (!failure_) failure_ = std::make_exception_ptr(std::runtime_error(what));
  }

  beast::websocket::stream<beast::tcp_stream> ws_;
  net::ip::tcp::endpoint endpoint_;
  std::string target_;
  ClientResult& r_;
  std::exception_ptr& failure_;
  std::mutex& failure_mutex_;
  beast::flat_buffer buffer_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

// The server's GET /v1/stats.
nlohmann::json ServerStats(uint16_t port) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect({net::ip::make_address("127.0.0.1"), port});
  beast::http::request<beast::http::empty_body> req(beast::http::verb::get, "/v1/stats", 11);
  req.set(beast::http::field::host, "127.0.0.1");
  beast::http::write(stream, req);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(stream, buffer, res);
  return nlohmann::json::parse(res.body());
}

void ServerBench(const Args& a) {
  const auto registry = lake::DatasetRegistry::LoadDefault();  // the server keeps a reference
  std::unique_ptr<serve::Server> server;
  std::thread run;
  uint16_t port = static_cast<uint16_t>(a.port);
  if (port == 0) {
    serve::ServerConfig config;
    config.lake_root = a.lake;
    config.port = 0;
    config.threads = a.threads;
    config.session_bounds = [](const std::string&) {
      const support::SyntheticStreamOptions so;  // unused unless --source compute
      return std::pair<int64_t, int64_t>(so.start_ns, so.start_ns + so.duration_ns);
    };
    server = std::make_unique<serve::Server>(config, registry);
    run = std::thread([&] { server->Run(); });
    port = server->port();
  }
  const std::string target =
      fmt::format("/v1/velocity/stream?symbol={}&dt={}&speed={}&source={}", a.symbol, a.dt, a.speed, a.source);
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<ClientResult> results(static_cast<std::size_t>(a.clients));
  std::exception_ptr failure;
  std::mutex failure_mutex;
  {
    net::io_context ioc(a.client_threads);
    const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    for (auto& r : results) std::make_shared<Client>(ioc, endpoint, target, r, failure, failure_mutex)->Start();
    std::vector<std::thread> threads;
    for (int t = 1; t < a.client_threads; ++t) threads.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  const nlohmann::json stats = a.source == "compute" ? ServerStats(port) : nlohmann::json();
  if (server) {
    server->Stop();
    run.join();
  }
  if (failure) std::rethrow_exception(failure);
  int64_t windows = 0, bytes = 0, dropped = 0;
  double slowest = 0;
  for (const auto& r : results) {
    if (!r.ended) throw std::runtime_error("a client's stream ended without the end message");
    windows += r.windows;
    dropped += r.dropped;
    bytes += r.bytes;
    slowest = std::max(slowest, r.seconds);
  }
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  PrintStdout(
      "serve {} {} {} at speed={}, {} client(s), {}: {} windows to the first client; {:.0f} windows/s per client "
      "(slowest), {:.0f} windows/s = {:.4f} M windows/s and {:.1f} MB/s in total; {} windows reported dropped; "
      "process cpu {:.2f} s for {:.2f} s wall ({}); peak RSS {:.0f} MB\n",
      a.source, a.symbol, a.dt, a.speed, a.clients,
      server ? fmt::format("{} server thread(s) in process", a.threads) : fmt::format("server on port {}", port),
      results.front().windows, results.front().windows / slowest, windows / wall, windows / wall / 1e6,
      bytes / wall / 1e6, dropped, cpu, wall, server ? "server and clients" : "clients only",
      double(usage.ru_maxrss) / 1024.0);
  if (!stats.is_null()) {
    const auto& lat = stats["close_to_socket_latency_ns"];
    const auto& normals = stats["forecast_normals_ahead"];
    PrintStdout(
        "close-to-socket (server, every window of every client since it started): {} windows; p50 {:.0f} us, p99 "
        "{:.0f} us, max {:.0f} us; forecast normals generated ahead for {} windows, {} computed at the close\n",
        lat["count"].get<int64_t>(), lat["p50"].get<double>() / 1e3, lat["p99"].get<double>() / 1e3,
        lat["max"].get<double>() / 1e3, normals["hits"].get<int64_t>(), normals["misses"].get<int64_t>());
  }
}

}  // namespace

void AddServeBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd =
      bench.add_subcommand("serve", "Stream server: per-window forecast + frames; with --lake, clients over loopback");
  cmd->add_option("--events", args->events, "MBO events in the generated hour (frames part)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{200'000'000}));
  cmd->add_option("--lake", args->lake, "Lake with silver+gold for --symbol/--dt: also bench the server end to end");
  cmd->add_option("--symbol", args->symbol, "Contract")->capture_default_str();
  cmd->add_option("--dt", args->dt, "Date")->capture_default_str();
  cmd->add_option("--source", args->source, "replay, compute or raw")
      ->check(CLI::IsMember({"replay", "compute", "raw"}))
      ->capture_default_str();
  cmd->add_option("--speed", args->speed, "Stream speed: a number in (0, 10000] or max")->capture_default_str();
  cmd->add_option("--port", args->port, "Connect to a running `spymaster serve` on 127.0.0.1:PORT instead")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--clients", args->clients, "Concurrent clients")->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--client-threads", args->client_threads, "Threads running the clients (one io_context)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Server I/O threads")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->callback([args] {
    if (args->port == 0) FramesBench(*args);
    if (!args->lake.empty() || args->port != 0) ServerBench(*args);
  });
}

}  // namespace spymaster::bench
