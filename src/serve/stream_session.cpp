#include "serve/stream_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/defer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/forecast.hpp"
#include "engine/product_config.hpp"
#include "lake/partition.hpp"
#include "serve/pacer.hpp"
#include "serve/serial_write_stream.hpp"
#include "serve/stream_params.hpp"
#include "serve/stream_product.hpp"
#include "serve/window_frames.hpp"
#include "serve/window_source.hpp"

namespace spymaster::serve {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kMaxCloseReason = 120;  // a close frame's reason is at most 123 bytes
constexpr auto kForcedCloseAfter = std::chrono::seconds(5);
constexpr int64_t kWindowNs = 1'000'000'000;
constexpr int64_t kPrefetchWindows = 2;  // normals generated ahead for this many next windows
std::atomic<int64_t> next_session_id{1};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A session's write loop handler, marked as the continuation it is (each message's completion starts the
// next write): asio then queues the completion on the thread that runs the session instead of waking another
// I/O thread for every message, which for one fast client cost more than the writes.
template <class Handler>
struct WriteLoop {
  Handler handler;
  void operator()(beast::error_code ec, std::size_t bytes) { handler(ec, bytes); }
  friend bool asio_handler_is_continuation(WriteLoop*) { return true; }
};

}  // namespace

class StreamSession : public std::enable_shared_from_this<StreamSession> {
 public:
  StreamSession(tcp::socket&& socket, http::request<http::string_body> request, std::shared_ptr<ServerContext> context)
      : ws_(std::move(socket)),
        timer_(ws_.get_executor()),
        kill_timer_(ws_.get_executor()),
        request_(std::move(request)),
        context_(std::move(context)),
        config_(context_->config),
        pacer_(1.0) {}

  ~StreamSession() { LeaveHub(); }

  void Run() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    // Beast's own frames (pong, close) each go out in one write (SerialWriteStream keeps them whole).
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "spymaster"); }));
    ws_.async_accept(request_, beast::bind_front_handler(&StreamSession::OnAccept, shared_from_this()));
  }

  // From any thread: the server is going away.
  void PostShutdown() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->shutdown_requested_ = true;
      if (self->accepted_) self->Fail(1001, "server shutting down");
    });
  }

 private:
  struct Outgoing {
    WindowMessagesPtr group;  // written whole: its frames in one gathered write
    bool is_window = false;
    int64_t closed_ns = 0;  // engine-driven windows: when the engine closed it
  };

  // What the source has next: a window, a status note to pass on, nothing yet (live), or the end.
  struct Next {
    StreamWindowPtr window;
    std::shared_ptr<const std::string> text;
    bool wait = false;
    std::shared_ptr<const std::string> error;  // the feed failed
  };

  void OnAccept(beast::error_code ec) {
    if (ec) return;
    accepted_ = true;
    DoRead();
    if (shutdown_requested_) {
      Fail(1001, "server shutting down");
      return;
    }
    Start();
  }

  void Start() {
    const std::string_view target(request_.target().data(), request_.target().size());
    const std::size_t q = target.find('?');
    try {
      params_ = ParseStreamQuery(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
    } catch (const ParamError& e) {
      Fail(1008, e.what());
      return;
    }
    symbol_ = params_.symbol;
    if (symbol_ == "ES" && params_.origin == StreamOrigin::kLive) {  // the live feed's ES contract
      for (const LiveStream& live : config_.live) {
        if (live.dt == params_.dt && live.symbol.starts_with("ES")) symbol_ = live.symbol;
      }
    }
    if (symbol_ == "ES") {
      try {
        if (!config_.resolve_es) throw std::runtime_error("no selection map configured");
        symbol_ = config_.resolve_es(params_.dt);
      } catch (const std::exception& e) {
        Fail(1008, fmt::format("symbol ES for dt={} does not resolve: {}; run: spymaster select-contract --dates {}",
                               params_.dt, e.what(), params_.dt));
        return;
      }
    }
    if (!OpenSource()) return;
    // Live windows go out as they close: nothing to pace.
    pacer_ = Pacer(params_.origin == StreamOrigin::kLive ? std::nullopt : params_.speed);
    skip_remaining_ = static_cast<int64_t>(params_.skip_minutes) * 60;
    spdlog::info("stream {}: {} symbol={} dt={} source={}", id_, std::string(target), symbol_, params_.dt,
                 kOriginNames[static_cast<int>(params_.origin)]);
    PostTick();
  }

  bool OpenSource() {
    if (params_.origin == StreamOrigin::kLive) return JoinLive();
    const bool replay = params_.origin == StreamOrigin::kReplay;
    const bool raw = params_.origin == StreamOrigin::kRaw;
    try {
      SourceRequest request{symbol_, params_.dt};
      request.product = product_ = StreamProduct(config_.lake_root, symbol_);
      request.raw = raw;
      forecaster_ = Forecaster(product_);
      if (!replay) {
        if (!config_.session_bounds) throw std::runtime_error("no session window configured");
        std::tie(request.session_start_ns, request.session_end_ns) = config_.session_bounds(params_.dt);
      }
      source_request_ = request;
      if (!replay) compute_inputs_ = ResolveComputeInputs(*context_->registry, config_.lake_root, request);
      JoinPullHub(
          replay ? ReplaySourceIdentity(*context_->registry, config_.lake_root, request) : compute_inputs_.identity, 0);
      last_source_ts_ = 0;
      return true;
    } catch (const lake::LakeError& e) {
      if (raw) {
        Fail(1008, fmt::format("{}; source=raw reads the day's raw DBN files (spymaster download or simulate puts "
                               "them there); source=compute reads bronze",
                               e.what()));
        return false;
      }
      const bool future = product_ == lake::ProductType::kFutureMbo;
      Fail(1008, fmt::format("{}; run: spymaster run --product-type {} --layer {} --symbol {} --dt {}", e.what(),
                             lake::ToString(product_), replay ? "all" : "bronze",
                             replay || !future ? symbol_ : std::string("ES"), params_.dt));
    } catch (const std::exception& e) {
      Fail(1011, fmt::format("cannot open the {} source for symbol={} dt={}: {}",
                             kOriginNames[static_cast<int>(params_.origin)], symbol_, params_.dt, e.what()));
    }
    return false;
  }

  // The forecast's lattice cell: the equity grid's $0.50 bucket, the futures' tick.
  static engine::Forecaster Forecaster(lake::ProductType product) {
    return engine::Forecaster(product == lake::ProductType::kEquityMbo ? engine::EquityMboConfig().cell
                                                                       : engine::kForecastTickInt);
  }

  // Compute and replay: reads the shared run of this stream (engine, or lake reading) from window `seq`
  // on (another run when none still holds it), so clients of one (symbol, dt) that keep together cost one
  // engine run or one decoding of the lake's rows.
  void JoinPullHub(const std::string& identity, int64_t seq) {
    LeaveHub();
    const bool replay = params_.origin == StreamOrigin::kReplay;
    auto open = [this, replay] {
      return replay ? OpenReplaySource(*context_->registry, config_.lake_root, source_request_)
                    : OpenComputeSource(*context_->registry, config_.lake_root, source_request_, compute_inputs_);
    };
    std::tie(hub_, hub_id_) =
        (replay ? context_->replay_hubs : context_->hubs)->Acquire(identity, seq, open, Notifier());
    hub_seq_ = seq;
  }

  // Live: the feed of (symbol, dt), from its next window on, after its current status.
  bool JoinLive() {
    for (const LiveStream& live : config_.live) {
      if (live.symbol != symbol_ || live.dt != params_.dt) continue;
      LeaveHub();
      product_ = live.product;
      forecaster_ = Forecaster(product_);
      hub_ = live.hub;
      std::tie(hub_id_, hub_seq_) = hub_->SubscribeAtHead(Notifier());
      if (auto status = hub_->last_status()) {
        EnqueueText(*status);
        DoWrite();
      }
      return true;
    }
    std::string have;
    for (const LiveStream& live : config_.live) have += fmt::format(" symbol={} dt={}", live.symbol, live.dt);
    Fail(1008, fmt::format("no live stream for symbol={} dt={}; this server streams live:{}", symbol_, params_.dt,
                           have.empty() ? " nothing (start it with spymaster serve --live-feed ...)" : have));
    return false;
  }

  void LeaveHub() {
    if (hub_) hub_->Unsubscribe(hub_id_);
    hub_.reset();
  }

  // The hub calls this on its producer's thread: only post to our strand.
  std::function<void()> Notifier() {
    return [weak = weak_from_this(), executor = ws_.get_executor()] {
      net::post(executor, [weak] {
        if (auto self = weak.lock(); self && self->waiting_hub_) {
          self->waiting_hub_ = false;
          self->PostTick();
        }
      });
    };
  }

  // The source's next window, note, wait or end.
  Next NextFromSource() {
    for (;;) {
      const HubItem item = hub_->Read(hub_id_, hub_seq_);
      switch (item.kind) {
        case HubItem::Kind::kWindow:
          ++hub_seq_;
          return {item.window, nullptr, false, nullptr};
        case HubItem::Kind::kText:
          ++hub_seq_;
          return {nullptr, item.text, false, nullptr};
        case HubItem::Kind::kPending:
          waiting_hub_ = true;
          return {nullptr, nullptr, true, nullptr};
        case HubItem::Kind::kEnd:
          return {nullptr, nullptr, false, item.text};
        case HubItem::Kind::kEvicted:
          if (params_.origin == StreamOrigin::kLive) {  // fell behind the feed: go on from the oldest it kept
            const int64_t base = hub_->base();
            dropped_ += base - hub_seq_;
            dropped_total_ += base - hub_seq_;
            hub_seq_ = base;
          } else {  // fell behind every run of this day: another run
            JoinPullHub(hub_->identity(), hub_seq_);
          }
          break;
      }
    }
  }

  // The next window the client asked for (start/end, skip_minutes, seek) or note, or the end.
  Next NextWindow() {
    while (true) {
      Next n = NextFromSource();
      if (!n.window) return n;
      const engine::SnapshotRow& s = n.window->window->snapshot;
      last_source_ts_ = s.window_end_ts_ns;
      if (params_.end_ns && s.window_end_ts_ns > *params_.end_ns) return {};
      if (params_.start_ns && s.window_start_ts_ns < *params_.start_ns) continue;
      if (seek_ns_ && s.window_end_ts_ns < *seek_ns_) continue;
      if (skip_remaining_ > 0) {
        --skip_remaining_;
        continue;
      }
      return n;
    }
  }

  // Deferred rather than posted: the next tick continues this session's work, so asio queues it on the
  // running thread instead of waking another I/O thread to take the strand over.
  void PostTick() {
    net::defer(ws_.get_executor(), [self = shared_from_this(), gen = gen_] { self->Tick(gen); });
  }

  // Sends (or drops) the next window when it is due; one window per call, so clients on the same
  // thread take turns.
  void Tick(uint64_t gen) {
    if (gen != gen_ || close_code_ || closed_ || paused_) return;
    // Compute at speed=max: the engine closes the next window only once the client has taken the last
    // one, so that a window's close-to-socket time is the server's work, not a wait behind a client
    // slower than the engine (replay keeps up to max_queued_windows in flight, for throughput).
    if (!pending_ && !pacer_.speed() && EngineDriven() && queued_windows_ > 0) {
      WaitForRoom(gen);
      return;
    }
    if (!pending_ && WaitBeforeClose(gen)) return;
    if (!pending_) {
      Next next;
      try {
        next = NextWindow();
      } catch (const std::exception& e) {
        Fail(1011, fmt::format("reading windows for symbol={} dt={} failed: {}", symbol_, params_.dt, e.what()));
        return;
      }
      if (next.wait) return;  // the hub notifies
      if (next.text) {
        EnqueueText(*next.text);
        DoWrite();
        PostTick();
        return;
      }
      if (next.error) {
        Fail(1011, *next.error);
        return;
      }
      pending_ = std::move(next.window);
      if (!pending_) {
        close_code_ = 1000;
        close_reason_ = "end";
        if (dropped_ > 0) EnqueueText(DroppedJson(dropped_));  // windows dropped at the tail count too
        EnqueueText(EndJson(sent_));
        spdlog::info("stream {}: end after {} windows ({} dropped, {} bytes)", id_, sent_, dropped_total_, bytes_sent_);
        DoWrite();
        return;
      }
    }
    const int64_t ts = pending_->window->snapshot.window_end_ts_ns;
    const int64_t now = NowNs();
    const int64_t due = pacer_.Due(ts, now);
    if (due > now) {
      timer_.expires_after(std::chrono::nanoseconds(due - now));
      timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
        if (!ec) self->Tick(gen);
      });
      return;
    }
    if (queued_windows_ >= config_.max_queued_windows) {
      if (!full_since_) full_since_ = now;
      if (now - *full_since_ > std::chrono::nanoseconds(config_.slow_client_timeout).count()) {
        FailSlow();
        return;
      }
      if (!pacer_.speed() && params_.origin != StreamOrigin::kLive) {  // speed=max: wait for the client
        WaitForRoom(gen);
        return;
      }
      ++dropped_;  // a paced stream keeps time: this window is dropped whole
      ++dropped_total_;
      pacer_.Sent(ts, due);
      pending_.reset();
      PostTick();
      return;
    }
    full_since_.reset();
    if (dropped_ > 0) {
      EnqueueText(DroppedJson(dropped_));
      dropped_ = 0;
    }
    queue_.push_back({Frames(*pending_), true, pending_->window ? pending_->closed_ns : 0});
    ++queued_windows_;
    ++sent_;
    pacer_.Sent(ts, due);
    pending_.reset();
    DoWrite();
    PostTick();
  }

  // Compute and raw, when the engine has not closed the next window yet (no client of the run has read it): it
  // closes it only once the window is due (paced streams) and its forecast normals are generated, so that
  // its close-to-socket time is the server's work on it (the particle steps, the frames, the writes), as in
  // a live stream, rather than a wait for its time to come or for the normals thread.
  bool WaitBeforeClose(uint64_t gen) {
    if (!EngineDriven() || hub_->head() > hub_seq_) return false;
    // Compute windows are consecutive from the session's start.
    const int64_t ts = (last_source_ts_ ? last_source_ts_ : source_request_.session_start_ns) + kWindowNs;
    const bool skipped =
        skip_remaining_ > 0 || (params_.start_ns && ts - kWindowNs < *params_.start_ns) || (seek_ns_ && ts < *seek_ns_);
    if (skipped) return false;  // NextWindow reads past it
    const int64_t now = NowNs();
    if (const int64_t due = pacer_.Due(ts, now); due > now) {
      timer_.expires_after(std::chrono::nanoseconds(due - now));
      timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
        if (!ec) self->Tick(gen);
      });
      return true;
    }
    if (!SendsForecast()) return false;
    context_->normals.Want(ts);
    return context_->normals.Pending(ts, [weak = weak_from_this(), executor = ws_.get_executor(), gen] {
      net::post(executor, [weak, gen] {
        if (auto self = weak.lock()) self->Tick(gen);
      });
    });
  }

  // Compute and raw: a pull hub's engine closes the windows (live windows close on the feed's clock).
  bool EngineDriven() const { return params_.origin == StreamOrigin::kCompute || params_.origin == StreamOrigin::kRaw; }

  bool SendsForecast() const {
    return std::ranges::find(params_.surfaces, Surface::kForecast) != params_.surfaces.end();
  }

  // Wakes on the next window written (OnWrite); a client that takes none for slow_client_timeout is closed.
  void WaitForRoom(uint64_t gen) {
    waiting_room_ = true;
    timer_.expires_after(config_.slow_client_timeout);
    timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
      if (!ec && gen == self->gen_ && self->waiting_room_) self->FailSlow();
    });
  }

  // The window's messages, from the shared cache when another client of the same stream encoded them.
  WindowMessagesPtr Frames(const StreamWindow& w) {
    std::string key = hub_->identity();
    for (Surface s : params_.surfaces) key += kSurfaceNames[static_cast<int>(s)][0];
    const int64_t ts = w.window->snapshot.window_end_ts_ns;
    key += std::to_string(ts);
    if (auto hit = context_->frames.Find(key)) return hit;
    std::span<const engine::ForecastRow> forecast;
    if (!SendsForecast()) {
      // not sent: nothing to compute
    } else if (w.forecast) {
      forecast = *w.forecast;  // the lake's forecast_1s rows
    } else {
      // The next windows end a second apart: their normals are generated while the engine reads their
      // records (or this thread encodes), and this one's were, unless it is the first or the generator
      // fell behind. For a window the engine just closed, only the next window's are asked for, once this
      // one is written (OnWrite): a generator running now would compete for a core with this window's
      // frames and writes (with the client reading, on 2 cores).
      if (w.closed_ns > 0) {
        prefetch_after_ = ts;
      } else {
        Prefetch(ts);
      }
      if (const auto normals = context_->normals.Take(ts)) {
        forecaster_.Compute(w.window->gold, *normals, forecast_);
      } else {
        forecaster_.Compute(w.window->gold, forecast_);
      }
      forecast = forecast_;
    }
    auto frames = EncodeWindow(w, forecast, params_.surfaces);
    context_->frames.Insert(key, frames);
    return frames;
  }

  void Prefetch(int64_t ts) {
    for (int64_t k = 1; k <= kPrefetchWindows; ++k) context_->normals.Want(ts + k * kWindowNs);
  }

  void EnqueueText(std::string text) {
    auto group = std::make_shared<WindowMessages>();
    group->messages.push_back(TextMessage(std::move(text)));
    group->bytes = group->messages.back().size();
    FrameMessages(*group);
    queue_.push_back({std::move(group), false, 0});
  }

  // The queue's next group, its frames in one whole write to the socket beneath Beast (which frames nothing of
  // ours; it writes only its pong and close frames).
  void DoWrite() {
    if (writing_ || closed_) return;
    if (!ws_.is_open()) return;  // the client's close frame came in and Beast answered it: nothing after that
    if (queue_.empty()) {
      if (close_code_ && !close_sent_) {
        close_sent_ = true;
        websocket::close_reason reason(static_cast<websocket::close_code>(*close_code_));
        reason.reason = close_reason_.substr(0, kMaxCloseReason);
        ws_.async_close(reason, [self = shared_from_this()](beast::error_code) {
          self->closed_ = true;
          self->kill_timer_.cancel();
        });
      }
      return;
    }
    writing_ = true;
    ws_.next_layer().async_write_some(
        queue_.front().group->wire, WriteLoop{beast::bind_front_handler(&StreamSession::OnWrite, shared_from_this())});
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec || closed_) {  // closed while writing: the write may still have gone out whole
      Closed();
      return;
    }
    const Outgoing& front = queue_.front();
    bytes_sent_ += static_cast<int64_t>(front.group->bytes);
    if (front.closed_ns > 0) {
      context_->latency.Add(NowNs() - front.closed_ns);
      // Only the next window's: generating the one after it too would run while the next is closed and
      // sent, on the core that window needs (at speed=max the generator otherwise never rests).
      if (prefetch_after_) context_->normals.Want(*prefetch_after_ + kWindowNs);
      prefetch_after_.reset();
    }
    if (front.is_window) --queued_windows_;
    queue_.pop_front();
    if (waiting_room_) {
      waiting_room_ = false;
      ++gen_;  // retires the slow-client timer
      timer_.cancel();
      PostTick();
    }
    DoWrite();
  }

  void DoRead() { ws_.async_read(read_buffer_, beast::bind_front_handler(&StreamSession::OnRead, shared_from_this())); }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) {
      Closed();
      return;
    }
    const std::string text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    if (!close_code_) {
      try {
        Control(text);
      } catch (const ParamError& e) {
        Fail(1008, e.what());
      }
    }
    DoRead();
  }

  // {"type":"control","action":"pause"|"resume"|"speed"|"seek", ...}
  void Control(const std::string& text) {
    const nlohmann::json msg = nlohmann::json::parse(text, nullptr, false);
    if (msg.is_discarded() || !msg.is_object() || msg.value("type", "") != "control" || !msg.contains("action") ||
        !msg["action"].is_string()) {
      throw ParamError(R"(client messages must be {"type":"control","action":"pause"|"resume"|"speed"|"seek",...})");
    }
    const std::string action = msg["action"];
    if (action == "pause") {
      paused_ = true;
      ++gen_;
      timer_.cancel();
    } else if (action == "resume") {
      if (!paused_) return;
      paused_ = false;
      Retime();
    } else if (action == "speed") {
      const auto& v = msg.contains("value") ? msg["value"] : nlohmann::json();
      std::optional<double> speed;
      if (v.is_string()) {
        speed = ParseSpeed(v.get<std::string>());
      } else if (v.is_number()) {
        speed = ParseSpeed(fmt::format("{}", v.get<double>()));
      } else {
        throw ParamError("speed control needs \"value\": a number in (0, 10000] or \"max\"");
      }
      if (params_.origin == StreamOrigin::kLive) return;  // live windows are not paced
      pacer_.SetSpeed(speed, NowNs());
      if (!paused_) Rearm();
    } else if (action == "seek") {
      const auto& v = msg.contains("ts_ns") ? msg["ts_ns"] : nlohmann::json();
      int64_t ts = 0;
      bool ok = false;
      if (v.is_string()) {
        const std::string s = v.get<std::string>();
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), ts);
        ok = !s.empty() && ec == std::errc() && end == s.data() + s.size();
      } else if (v.is_number_integer()) {
        ts = v.get<int64_t>();
        ok = true;
      }
      if (!ok || ts < 0) throw ParamError("seek control needs \"ts_ns\": window_end_ts_ns as a decimal string");
      if (params_.origin == StreamOrigin::kLive) {
        throw ParamError("seek is not available on a live stream: connect with source=compute or replay to scrub");
      }
      seek_ns_ = ts;
      skip_remaining_ = 0;
      if (ts <= last_source_ts_ && !OpenSource()) return;  // backwards: read the day again from its start
      pending_.reset();
      if (!paused_) Retime();
    } else {
      throw ParamError(fmt::format("unknown control action '{}': use pause, resume, speed or seek", action));
    }
  }

  // Next window at once, pacing from there.
  void Retime() {
    pacer_.Restart();
    Rearm();
  }
  void Rearm() {
    ++gen_;
    timer_.cancel();
    if (!waiting_room_) PostTick();
  }

  void FailSlow() {
    Fail(1008, fmt::format("client too slow: {} windows queued for more than {} ms; closing",
                           config_.max_queued_windows, config_.slow_client_timeout.count()));
    // A client that does not read will not take the close frame either.
    kill_timer_.expires_after(kForcedCloseAfter);
    kill_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && !self->closed_) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
      }
    });
  }

  // Sends {"type":"error"} after what is queued, then closes with `code`.
  void Fail(uint16_t code, const std::string& message) {
    if (close_code_ || closed_) return;
    if (code != 1001) spdlog::warn("stream {}: closing {}: {}", id_, code, message);
    close_code_ = code;
    close_reason_ = message;
    ++gen_;
    timer_.cancel();
    EnqueueText(ErrorJson(message));
    DoWrite();
  }

  void Closed() {
    closed_ = true;
    LeaveHub();
    ++gen_;
    timer_.cancel();
    kill_timer_.cancel();
    // A write in flight still reads its group's bytes (and OnWrite its entry): that one goes when it completes.
    queue_.erase(writing_ ? std::next(queue_.begin()) : queue_.begin(), queue_.end());
  }

  websocket::stream<SerialWriteStream> ws_;
  net::steady_timer timer_;
  net::steady_timer kill_timer_;
  http::request<http::string_body> request_;
  std::shared_ptr<ServerContext> context_;
  const ServerConfig& config_;
  const int64_t id_ = next_session_id++;

  StreamParams params_;
  std::string symbol_;
  std::shared_ptr<WindowHub> hub_;  // every source: read at hub_seq_
  int64_t hub_id_ = -1;
  int64_t hub_seq_ = 0;
  bool waiting_hub_ = false;      // live: read everything published; the hub's notify resumes
  SourceRequest source_request_;  // replay, compute and raw
  ComputeInputs compute_inputs_;  // compute and raw: resolved at connect
  lake::ProductType product_ = lake::ProductType::kFutureMbo;
  engine::Forecaster forecaster_;
  std::vector<engine::ForecastRow> forecast_;
  std::optional<int64_t> prefetch_after_;  // the next window's normals are wanted once this window is written
  Pacer pacer_;
  StreamWindowPtr pending_;
  int64_t last_source_ts_ = 0;
  int64_t skip_remaining_ = 0;
  std::optional<int64_t> seek_ns_;

  beast::flat_buffer read_buffer_;
  std::deque<Outgoing> queue_;
  std::size_t queued_windows_ = 0;
  std::optional<int64_t> full_since_;
  bool waiting_room_ = false;
  bool accepted_ = false;
  bool shutdown_requested_ = false;
  bool writing_ = false;
  bool paused_ = false;
  bool closed_ = false;
  bool close_sent_ = false;
  std::optional<uint16_t> close_code_;
  std::string close_reason_;
  uint64_t gen_ = 0;  // bumps retire timers and posted ticks that a control or close made stale
  int64_t sent_ = 0;
  int64_t dropped_ = 0;
  int64_t dropped_total_ = 0;
  int64_t bytes_sent_ = 0;
};

void StartStreamSession(tcp::socket socket, http::request<http::string_body> request,
                        std::shared_ptr<ServerContext> context) {
  auto session = std::make_shared<StreamSession>(std::move(socket), std::move(request), context);
  bool stopping = false;
  {
    std::lock_guard lock(context->mutex);
    std::erase_if(context->sessions, [](const auto& w) { return w.expired(); });
    context->sessions.push_back(session);
    stopping = context->stopping;
  }
  session->Run();
  if (stopping) session->PostShutdown();
}

void ShutdownSessions(ServerContext& context) {
  std::lock_guard lock(context.mutex);
  context.stopping = true;
  for (const auto& weak : context.sessions) {
    if (auto s = weak.lock()) s->PostShutdown();
  }
}

}  // namespace spymaster::serve
