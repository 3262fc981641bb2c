// spymaster serve [--lake DIR] [--host 127.0.0.1] [--port 8001] [--threads 2] [--web DIR]
//                 [--session-start HH:MM --session-end HH:MM]
//                 [--live-feed ESH6 --live-feed SPY:equity_option_mbo ... [--live-dt D]
//                  [--gateway [DATASET=]HOST:PORT ...] [Live client options]]
// The stream server (serve/server.hpp). Prints "serving http://HOST:PORT" on stdout once listening
// (with --port 0, the port the system chose), runs until SIGINT/SIGTERM, then exits 0.
//
// --live-feed SYMBOL[:PRODUCT] (repeatable): the engine of SYMBOL on the Live feed (cli/live_engine.hpp;
// futures from GLBX.MDP3 by their parent, e.g. ES.FUT; SYMBOL:future_option_mbo adds the ES 0DTE options'
// MBO and definitions, cli/live_option_engine.hpp; equities from XNAS.ITCH by ticker; SYMBOL:equity_option_mbo
// adds the ticker's 0DTE options' CMBP-1 and definitions from OPRA.PILLAR), publishing each closed window to a
// serve::WindowHub that every source=live client of (SYMBOL, --live-dt) reads. The feeds of one dataset share
// one Live session (one gateway, one connection, one thread; key from DATABENTO_API_KEY); each dataset has its
// own, and a feed of two datasets (equity options) is fed by both. Connection changes go to the clients as
// {"type":"status"}. When a Live client gives up, its clients get the error and the server exits 1.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "cli/lake_server.hpp"
#include "cli/live_engine.hpp"
#include "cli/live_option_engine.hpp"
#include "cli/live_options.hpp"
#include "common/calendar.hpp"
#include "common/error.hpp"
#include "common/new_york_time.hpp"
#include "ingest/api_key.hpp"
#include "ingest/job_plan.hpp"
#include "ingest/live_client.hpp"
#include "lake/product_type.hpp"
#include "lake/registry.hpp"
#include "pipeline/session.hpp"
#include "serve/option_surface.hpp"
#include "serve/server.hpp"
#include "serve/window_hub.hpp"
#include "source/raw_input.hpp"

namespace spymaster::cli {
namespace {

struct ServeArgs {
  std::string lake = "lake";
  std::string host = "127.0.0.1";
  int port = 8001;
  int threads = 2;
  std::string web;
  std::string session_start = "09:30";
  std::string session_end = "10:30";
  std::vector<std::string> live_feeds;  // SYMBOL[:PRODUCT]
  std::vector<std::string> gateways;    // [DATASET=]HOST:PORT
  std::string live_dt;                  // default: today in New York
  LiveCliOptions live_client;
};

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string StatusJson(const std::string& state, const std::string& message) {
  return nlohmann::json{{"type", "status"}, {"source", "live"}, {"state", state}, {"message", message}}.dump();
}

// One --live-feed: its engine and the hub its clients read. A feed of two datasets (equity options: the ticker's
// MBO on XNAS.ITCH, its options on OPRA.PILLAR) is shared by the two datasets' LiveFeeds, whose threads call its
// engine concurrently (LiveQuoteOptionEngine locks); the other engines see one dataset's thread only.
class FeedStream {
 public:
  using Engine = std::variant<std::monostate, LiveEngine, LiveOptionEngine, LiveQuoteOptionEngine>;

  explicit FeedStream(std::shared_ptr<serve::WindowHub> h) : hub(std::move(h)) {}

  // Builds the feed's engine, publishing each closed window to the hub.
  void Build(const LiveEngineOptions& options, bool with_options) {
    auto publish = [this](const engine::WindowPtr& w, const engine::OptionWindowPtr& o) { Publish(w, o.get()); };
    if (!with_options) {
      engine.emplace<LiveEngine>(options, [this](const engine::WindowPtr& w) { Publish(w, nullptr); });
    } else if (options.product == lake::ProductType::kEquityMbo) {
      engine.emplace<LiveQuoteOptionEngine>(options, publish);
    } else {
      engine.emplace<LiveOptionEngine>(options, publish);
    }
  }

  // Session `session`'s record (the option engines' session index; LiveEngine has one session).
  void OnRecord(int session, const dbn::Metadata& md, const dbn::RecordRef& rec) {
    Visit([&](auto& e) {
      if constexpr (std::is_same_v<std::decay_t<decltype(e)>, LiveEngine>) {
        e.OnRecord(md, rec);
      } else {
        e.OnRecord(session, md, rec);
      }
    });
  }
  void OnTick() {
    Visit([](auto& e) { e.OnTick(); });
  }
  void OnDisconnect(int session) {
    Visit([&](auto& e) {
      if constexpr (std::is_same_v<std::decay_t<decltype(e)>, LiveEngine>) {
        e.OnDisconnect();
      } else {
        e.OnDisconnect(session);
      }
    });
  }
  bool finished() const {
    return std::visit(
        [](const auto& e) {
          if constexpr (std::is_same_v<std::decay_t<decltype(e)>, std::monostate>) {
            return true;
          } else {
            return e.finished();
          }
        },
        engine);
  }
  // Once the engine has finished, the first caller (of either dataset's thread) ends the hub.
  void EndIfFinished() {
    if (!finished() || ended.exchange(true)) return;
    hub->Status(StatusJson("ended", "the live session's last window has closed"));
    hub->End();
  }

  std::shared_ptr<serve::WindowHub> hub;

 private:
  template <class F>
  void Visit(F&& f) {
    std::visit(
        [&](auto& e) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(e)>, std::monostate>) f(e);
        },
        engine);
  }
  // A closed window, with the option window of the same start when the feed has options.
  void Publish(const engine::WindowPtr& w, const engine::OptionWindowResult* options) {
    auto window = std::make_shared<serve::StreamWindow>();
    window->window = w;
    if (std::holds_alternative<LiveEngine>(engine)) {
      window->options_missing = OptionsMissing();
    } else if (options != nullptr) {
      serve::AddOptionSurface(*options, *window);
    }
    window->closed_ns = SteadyNowNs();
    hub->Publish(std::move(window));
  }
  static std::shared_ptr<const std::string> OptionsMissing() {
    static const auto kMissing = std::make_shared<const std::string>(
        "live: this feed streams the underlying's MBO only (with the 0DTE options: --live-feed "
        "ESH6:future_option_mbo, --live-feed SPY:equity_option_mbo)");
    return kMissing;
  }

  Engine engine;
  std::atomic<bool> ended{false};
};

// A feed's part in one dataset's Live session: the stream and which of its engine's sessions this dataset is.
struct FeedPart {
  std::shared_ptr<FeedStream> stream;
  int session = 0;
};

// The feeds of one dataset: one gateway, one Live session subscribing what every feed needs.
struct DatasetPlan {
  ingest::LiveOptions client;
  std::vector<FeedPart> feeds;
};

// The Live client of one dataset driving the engines of its feeds, on its own thread. The engines see every
// record of the session and keep their partition's (routing).
class LiveFeed {
 public:
  LiveFeed(const DatasetPlan& plan, const std::string& key) : client_(plan.client, key), parts_(plan.feeds) {
    const std::string gateway = fmt::format(
        "{}:{}", plan.client.host.empty() ? ingest::LiveClient::DefaultHost(plan.client.dataset) : plan.client.host,
        plan.client.port);
    for (const FeedPart& p : parts_) {
      p.stream->hub->Status(StatusJson(
          "connecting", fmt::format("connecting to the Live gateway {} ({})", gateway, plan.client.dataset)));
    }
    client_.set_tick_handler([this] {
      for (const FeedPart& p : parts_) {
        if (p.stream->finished()) continue;
        p.stream->OnTick();  // the timer may close the session's last window
        p.stream->EndIfFinished();
      }
      if (AllFinished()) client_.Stop();
    });
    client_.set_status_handler([this](const std::string& state, const std::string& message) {
      for (const FeedPart& p : parts_) {
        if (p.stream->finished()) continue;
        if (state != "live") p.stream->OnDisconnect(p.session);
        p.stream->hub->Status(StatusJson(state, message));
      }
    });
  }

  // Runs until every feed's last window, Stop(), or a failure (returned; the hubs' clients are told).
  std::optional<std::string> Run() {
    try {
      client_.Run([this](const dbn::Metadata& md, const dbn::RecordRef& rec) {
        for (const FeedPart& p : parts_) {
          if (p.stream->finished()) continue;
          p.stream->OnRecord(p.session, md, rec);
          p.stream->EndIfFinished();
        }
        return !AllFinished();
      });
      return std::nullopt;
    } catch (const std::exception& e) {
      const std::string message = fmt::format("live feed failed: {}", e.what());
      for (const FeedPart& p : parts_) {
        if (!p.stream->finished()) p.stream->hub->End(message);
      }
      return message;
    }
  }
  void Stop() { client_.Stop(); }

 private:
  bool AllFinished() const {
    return std::all_of(parts_.begin(), parts_.end(), [](const FeedPart& p) { return p.stream->finished(); });
  }

  ingest::LiveClient client_;
  std::vector<FeedPart> parts_;
};

struct FeedSpec {
  lake::ProductType product;  // the stream's (underlying's) product
  std::string symbol;
  bool options = false;
};

// "ESH6", "ESH6:future_mbo", "ESH6:future_option_mbo" (ESH6 with its 0DTE options), "SPY:equity_mbo" or
// "SPY:equity_option_mbo" (SPY with its 0DTE options); throws UsageError.
FeedSpec ParseFeed(const std::string& text) {
  const auto colon = text.find(':');
  const std::string symbol = text.substr(0, colon);
  const std::string product_text = colon == std::string::npos ? "future_mbo" : text.substr(colon + 1);
  if (symbol.empty()) {
    throw UsageError(fmt::format("--live-feed '{}': SYMBOL[:PRODUCT], e.g. ESH6 or SPY:equity_mbo", text));
  }
  const auto product = lake::ParseProductType(product_text);
  if (!product) {
    throw UsageError(fmt::format(
        "--live-feed {}: the live engines run future_mbo, future_option_mbo (with the ES options), equity_mbo or "
        "equity_option_mbo (with the equity options), not '{}'",
        text, product_text));
  }
  switch (*product) {
    case lake::ProductType::kFutureOptionMbo:
      return {lake::ProductType::kFutureMbo, symbol, true};
    case lake::ProductType::kEquityOptionMbo:
      return {lake::ProductType::kEquityMbo, symbol, true};
    default:
      return {*product, symbol, false};
  }
}

// One dataset's part of a feed: the dataset and what the feed subscribes there.
struct FeedSession {
  std::string dataset;
  std::vector<ingest::LiveSubscription> subscriptions;
};

// What a feed subscribes, per dataset in its engine's session order: futures by their parent (ES.FUT: the engine
// routes the contract), and with options the options' MBO and definitions by the parents whose options can expire
// on dt (the weekly and quarterly ES parents the download plans with, ingest::EsDefinitionParents; the 0DTE
// selection keeps the day's); an equity by its ticker on XNAS.ITCH, and with options its options' CMBP-1 and
// definitions on OPRA.PILLAR by their parent (SPY.OPT, as the download asks for them; the 0DTE selection keeps
// the day's).
std::vector<FeedSession> FeedSubscriptions(const FeedSpec& feed, const std::string& dt) {
  if (feed.product == lake::ProductType::kEquityMbo) {
    std::vector<FeedSession> sessions = {{"XNAS.ITCH", {{"mbo", "raw_symbol", {feed.symbol}}}}};
    if (feed.options) {
      const std::string parent = source::RawRootOf(lake::ProductType::kEquityOptionMbo, feed.symbol) + ".OPT";
      sessions.push_back({"OPRA.PILLAR", {{"cmbp-1", "parent", {parent}}, {"definition", "parent", {parent}}}});
    }
    return sessions;
  }
  std::string root;
  try {  // a ticker under future_mbo would subscribe ES.FUT and never see its records
    root = source::RawRootOf(feed.product, feed.symbol);
  } catch (const std::invalid_argument&) {
    throw UsageError(
        fmt::format("--live-feed {}: not a futures contract (e.g. ESH6); for an equity write {}:equity_mbo",
                    feed.symbol, feed.symbol));
  }
  std::vector<ingest::LiveSubscription> subs = {{"mbo", "parent", {root + ".FUT"}}};
  if (feed.options) {
    if (root != "ES") throw UsageError(fmt::format("--live-feed {}: live options are ES options only", feed.symbol));
    const std::vector<std::string> parents = ingest::EsDefinitionParents(common::ParseDate(dt));
    subs.push_back({"mbo", "parent", parents});
    subs.push_back({"definition", "parent", parents});
  }
  return {{"GLBX.MDP3", subs}};
}

// Adds `sub` to the session's subscriptions, merged into one of the same schema and symbology.
void AddSubscription(std::vector<ingest::LiveSubscription>& subs, const ingest::LiveSubscription& sub) {
  for (ingest::LiveSubscription& s : subs) {
    if (s.schema != sub.schema || s.stype_in != sub.stype_in) continue;
    for (const std::string& symbol : sub.symbols) {
      if (std::find(s.symbols.begin(), s.symbols.end(), symbol) == s.symbols.end()) s.symbols.push_back(symbol);
    }
    return;
  }
  subs.push_back(sub);
}

// The --gateway values by dataset ("" for a bare HOST:PORT, allowed when the feeds use one dataset).
void ApplyGateways(const std::vector<std::string>& gateways, std::map<std::string, DatasetPlan>& plans) {
  for (const std::string& g : gateways) {
    const auto eq = g.find('=');
    const std::string dataset = eq == std::string::npos ? "" : g.substr(0, eq);
    if (dataset.empty() && plans.size() != 1) {
      throw UsageError(
          fmt::format("--gateway {}: the feeds use {} datasets; write DATASET=HOST:PORT", g, plans.size()));
    }
    auto it = dataset.empty() ? plans.begin() : plans.find(dataset);
    if (it == plans.end()) throw UsageError(fmt::format("--gateway {}: no --live-feed uses dataset {}", g, dataset));
    std::tie(it->second.client.host, it->second.client.port) =
        ParseGateway(eq == std::string::npos ? g : g.substr(eq + 1), "--gateway");
  }
}

void Execute(const ServeArgs& args) {
  LakeServerOptions options;
  options.session_start_minute =
      WithUsageErrors("--session-start", [&] { return pipeline::ParseMinuteOfDay(args.session_start); });
  options.session_end_minute =
      WithUsageErrors("--session-end", [&] { return pipeline::ParseMinuteOfDay(args.session_end); });
  WithUsageErrors("--session-start/--session-end", [&] {
    return pipeline::SessionBoundsNs("2026-01-06", options.session_start_minute, options.session_end_minute);
  });
  options.lake_root = args.lake;
  options.host = args.host;
  options.port = args.port;
  options.threads = args.threads;
  options.web_root = args.web.empty() ? DefaultWebRoot() : std::filesystem::path(args.web);
  auto registry = std::make_shared<const lake::DatasetRegistry>(lake::DatasetRegistry::LoadDefault());
  serve::ServerConfig config = LakeServerConfig(options, registry);

  std::vector<std::unique_ptr<LiveFeed>> feeds;
  if (!args.live_feeds.empty()) {
    const std::string dt =
        args.live_dt.empty()
            ? common::FormatDate(common::NewYorkDate(
                  std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())))
            : common::FormatDate(WithUsageErrors("--live-dt", [&] { return common::ParseDate(args.live_dt); }));
    const auto bounds = config.session_bounds(dt);
    std::map<std::string, DatasetPlan> plans;
    for (const std::string& text : args.live_feeds) {
      const FeedSpec feed = ParseFeed(text);
      const std::string& symbol = feed.symbol;
      if (std::any_of(config.live.begin(), config.live.end(), [&](const auto& l) { return l.symbol == symbol; })) {
        throw UsageError(fmt::format("--live-feed {}: given twice", symbol));
      }
      LiveEngineOptions engine;
      engine.product = feed.product;
      engine.symbol = symbol;
      engine.dt = dt;
      engine.session_start_ns = bounds.first;
      engine.session_end_ns = bounds.second;
      engine.close_grace_ns = int64_t{args.live_client.close_grace_ms} * 1'000'000;
      auto hub = std::make_shared<serve::WindowHub>(
          fmt::format("live {} {} {}..{}", symbol, dt, bounds.first, bounds.second), /*keep=*/2, /*cap=*/64);
      config.live.push_back({feed.product, symbol, dt, hub});
      auto stream = std::make_shared<FeedStream>(hub);
      stream->Build(engine, feed.options);
      const std::vector<FeedSession> sessions = FeedSubscriptions(feed, dt);
      for (std::size_t k = 0; k < sessions.size(); ++k) {
        DatasetPlan& plan = plans[sessions[k].dataset];
        if (plan.feeds.empty()) {
          plan.client = args.live_client.client;
          plan.client.dataset = sessions[k].dataset;
        }
        for (const auto& sub : sessions[k].subscriptions) AddSubscription(plan.client.subscriptions, sub);
        plan.feeds.push_back({stream, static_cast<int>(k)});
      }
    }
    ApplyGateways(args.gateways, plans);
    const std::string key = ingest::ApiKeyFromEnvironment();
    for (const auto& [dataset, plan] : plans) feeds.push_back(std::make_unique<LiveFeed>(plan, key));
  } else if (!args.gateways.empty()) {
    throw UsageError("--gateway: only with --live-feed");
  }

  serve::Server server(std::move(config), *registry);
  std::cout << fmt::format("serving http://{}:{} (lake {})", args.host, server.port(), args.lake) << std::endl;
  // Each dataset's feed on its own thread; the first to fail stops the server.
  std::mutex failure_mutex;
  std::optional<std::string> live_failure;
  std::vector<std::thread> live_threads;
  for (auto& feed : feeds) {
    live_threads.emplace_back([&, f = feed.get()] {
      if (auto failure = f->Run()) {
        {
          const std::lock_guard lock(failure_mutex);
          if (!live_failure) live_failure = std::move(failure);
        }
        server.Stop();
      }
    });
  }
  server.Run();
  for (auto& feed : feeds) feed->Stop();
  for (std::thread& t : live_threads) t.join();
  if (live_failure) throw Error(ErrorKind::kIo, *live_failure);
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "Stream windows over WebSocket (replay from the lake, or compute)");
  cmd->add_option("--lake", args->lake, "Lake root directory")->capture_default_str();
  cmd->add_option("--host", args->host, "Address to bind (loopback by default)")->capture_default_str();
  cmd->add_option("--port", args->port, "TCP port (0: any free port, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "I/O threads serving every client")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--web", args->web,
                  "Directory of the built web app served at GET / (default: web/dist of this build)");
  cmd->add_option("--session-start", args->session_start,
                  "Compute source: session start, America/New_York HH:MM (as the lake was built)")
      ->capture_default_str();
  cmd->add_option("--session-end", args->session_end, "Compute source: session end, America/New_York HH:MM")
      ->capture_default_str();
  cmd->add_option("--live-feed", args->live_feeds,
                  "Also stream a Databento Live feed (source=live), repeatable: SYMBOL[:PRODUCT], e.g. ESH6 "
                  "(future_mbo: GLBX.MDP3, ES.FUT), ESH6:future_option_mbo (with its 0DTE options), SPY:equity_mbo "
                  "(XNAS.ITCH, the ticker) or SPY:equity_option_mbo (with its 0DTE options: OPRA.PILLAR, SPY.OPT); "
                  "one Live session per dataset, key from DATABENTO_API_KEY");
  cmd->add_option("--gateway", args->gateways,
                  "Live gateway [DATASET=]HOST:PORT, repeatable (default <dataset>.lsg.databento.com:13000)");
  cmd->add_option("--live-dt", args->live_dt, "Live: the session date YYYY-MM-DD (default: today in New York)");
  AddLiveConnectionOptions(*cmd, args->live_client);
  cmd->callback([args] { Execute(*args); });
}

}  // namespace spymaster::cli
