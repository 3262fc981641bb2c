// spymaster serve [--lake DIR] [--host 127.0.0.1] [--port 8001] [--threads 2] [--web DIR]
//                 [--session-start HH:MM --session-end HH:MM]
//                 [--live-feed ESH6 --live-feed SPY:equity_mbo ... [--live-dt D]
//                  [--gateway [DATASET=]HOST:PORT ...] [Live client options]]
// The stream server (serve/server.hpp). Prints "serving http://HOST:PORT" on stdout once listening
// (with --port 0, the port the system chose), runs until SIGINT/SIGTERM, then exits 0.
//
// --live-feed SYMBOL[:PRODUCT] (repeatable): the engine of SYMBOL on the Live feed (cli/live_engine.hpp;
// futures from GLBX.MDP3 by their parent, e.g. ES.FUT, equities from XNAS.ITCH by ticker), publishing each
// closed window to a serve::WindowHub that every source=live client of (SYMBOL, --live-dt) reads. The
// feeds of one dataset share one Live session (one gateway, one connection, one thread; key from
// DATABENTO_API_KEY); each dataset has its own. Connection changes go to the clients as {"type":"status"}.
// When a Live client gives up, its clients get the error and the server exits 1.
#include <fmt/format.h>

#include <algorithm>
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
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "cli/lake_server.hpp"
#include "cli/live_engine.hpp"
#include "cli/live_options.hpp"
#include "common/calendar.hpp"
#include "common/error.hpp"
#include "common/new_york_time.hpp"
#include "ingest/api_key.hpp"
#include "ingest/live_client.hpp"
#include "lake/product_type.hpp"
#include "lake/registry.hpp"
#include "pipeline/session.hpp"
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

// One --live-feed: the engine it runs and the hub its clients read.
struct FeedPlan {
  LiveEngineOptions engine;
  std::shared_ptr<serve::WindowHub> hub;
};

// The feeds of one dataset: one gateway, one Live session subscribing what every feed needs.
struct DatasetPlan {
  ingest::LiveOptions client;
  std::vector<FeedPlan> feeds;
};

// The Live client of one dataset and the engines of its feeds, on their own thread, each engine publishing
// to its own hub. The engines see every record of the session and keep their partition's (routing).
class LiveFeed {
 public:
  LiveFeed(const DatasetPlan& plan, const std::string& key) : client_(plan.client, key) {
    const std::string gateway = fmt::format(
        "{}:{}", plan.client.host.empty() ? ingest::LiveClient::DefaultHost(plan.client.dataset) : plan.client.host,
        plan.client.port);
    for (const FeedPlan& f : plan.feeds) {
      auto stream = std::make_unique<Stream>(f.hub);
      Stream* s = stream.get();
      s->engine.emplace(f.engine, [this, s](const engine::WindowPtr& w) { Publish(*s, w); });
      s->hub->Status(StatusJson("connecting", fmt::format("connecting to the Live gateway {}", gateway)));
      streams_.push_back(std::move(stream));
    }
    client_.set_tick_handler([this] {
      for (auto& s : streams_) {
        if (s->engine->finished()) continue;
        s->engine->OnTick();  // the timer may close the session's last window
        EndIfFinished(*s);
      }
      if (AllFinished()) client_.Stop();
    });
    client_.set_status_handler([this](const std::string& state, const std::string& message) {
      for (auto& s : streams_) {
        if (s->engine->finished()) continue;
        if (state != "live") s->engine->OnDisconnect();
        s->hub->Status(StatusJson(state, message));
      }
    });
  }

  // Runs until every feed's last window, Stop(), or a failure (returned; the hubs' clients are told).
  std::optional<std::string> Run() {
    try {
      client_.Run([this](const dbn::Metadata& md, const dbn::RecordRef& rec) {
        for (auto& s : streams_) {
          if (s->engine->finished()) continue;
          s->engine->OnRecord(md, rec);
          EndIfFinished(*s);
        }
        return !AllFinished();
      });
      return std::nullopt;
    } catch (const std::exception& e) {
      const std::string message = fmt::format("live feed failed: {}", e.what());
      for (auto& s : streams_) {
        if (!s->engine->finished()) s->hub->End(message);
      }
      return message;
    }
  }
  void Stop() { client_.Stop(); }

 private:
  struct Stream {
    explicit Stream(std::shared_ptr<serve::WindowHub> h) : hub(std::move(h)) {}
    std::shared_ptr<serve::WindowHub> hub;
    std::optional<LiveEngine> engine;
    bool ended = false;
  };

  void Publish(const Stream& s, const engine::WindowPtr& w) {
    auto window = std::make_shared<serve::StreamWindow>();
    window->window = w;
    window->options_missing = options_missing_;
    window->closed_ns = SteadyNowNs();
    s.hub->Publish(std::move(window));
  }
  void EndIfFinished(Stream& s) {
    if (s.ended || !s.engine->finished()) return;
    s.ended = true;
    s.hub->Status(StatusJson("ended", "the live session's last window has closed"));
    s.hub->End();
  }
  bool AllFinished() const {
    return std::all_of(streams_.begin(), streams_.end(), [](const auto& s) { return s->engine->finished(); });
  }

  std::shared_ptr<const std::string> options_missing_ = std::make_shared<const std::string>(
      "live: serve --live-feed feeds the underlying's MBO only, so the options surface is empty");
  ingest::LiveClient client_;
  std::vector<std::unique_ptr<Stream>> streams_;
};

// "ESH6", "ESH6:future_mbo" or "SPY:equity_mbo" → the product and symbol; throws UsageError.
std::pair<lake::ProductType, std::string> ParseFeed(const std::string& text) {
  const auto colon = text.find(':');
  const std::string symbol = text.substr(0, colon);
  const std::string product_text = colon == std::string::npos ? "future_mbo" : text.substr(colon + 1);
  if (symbol.empty())
    throw UsageError(fmt::format("--live-feed '{}': SYMBOL[:PRODUCT], e.g. ESH6 or SPY:equity_mbo", text));
  const auto product = lake::ParseProductType(product_text);
  if (product != lake::ProductType::kFutureMbo && product != lake::ProductType::kEquityMbo) {
    throw UsageError(
        fmt::format("--live-feed {}: the live engine runs future_mbo or equity_mbo, not '{}'", text, product_text));
  }
  return {*product, symbol};
}

// What a feed subscribes on its dataset: futures by their parent (ES.FUT: the engine routes the contract),
// an equity by its ticker.
std::pair<std::string, ingest::LiveSubscription> FeedSubscription(lake::ProductType product,
                                                                  const std::string& symbol) {
  if (product == lake::ProductType::kEquityMbo) return {"XNAS.ITCH", {"mbo", "raw_symbol", {symbol}}};
  std::string root;
  try {  // a ticker under future_mbo would subscribe ES.FUT and never see its records
    root = source::RawRootOf(product, symbol);
  } catch (const std::invalid_argument&) {
    throw UsageError(fmt::format(
        "--live-feed {}: not a futures contract (e.g. ESH6); for an equity write {}:equity_mbo", symbol, symbol));
  }
  return {"GLBX.MDP3", {"mbo", "parent", {root + ".FUT"}}};
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
      const auto [product, symbol] = ParseFeed(text);
      if (std::any_of(config.live.begin(), config.live.end(), [&](const auto& l) { return l.symbol == symbol; })) {
        throw UsageError(fmt::format("--live-feed {}: given twice", symbol));
      }
      const auto [dataset, subscription] = FeedSubscription(product, symbol);
      DatasetPlan& plan = plans[dataset];
      if (plan.feeds.empty()) {
        plan.client = args.live_client.client;
        plan.client.dataset = dataset;
      }
      AddSubscription(plan.client.subscriptions, subscription);
      LiveEngineOptions engine;
      engine.product = product;
      engine.symbol = symbol;
      engine.dt = dt;
      engine.session_start_ns = bounds.first;
      engine.session_end_ns = bounds.second;
      engine.close_grace_ns = int64_t{args.live_client.close_grace_ms} * 1'000'000;
      auto hub = std::make_shared<serve::WindowHub>(
          fmt::format("live {} {} {}..{}", symbol, dt, bounds.first, bounds.second), /*keep=*/2, /*cap=*/64);
      config.live.push_back({product, symbol, dt, hub});
      plan.feeds.push_back({engine, hub});
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
                  "(future_mbo: GLBX.MDP3, ES.FUT) or SPY:equity_mbo (XNAS.ITCH, the ticker); one Live session "
                  "per dataset, key from DATABENTO_API_KEY");
  cmd->add_option("--gateway", args->gateways,
                  "Live gateway [DATASET=]HOST:PORT, repeatable (default <dataset>.lsg.databento.com:13000)");
  cmd->add_option("--live-dt", args->live_dt, "Live: the session date YYYY-MM-DD (default: today in New York)");
  AddLiveConnectionOptions(*cmd, args->live_client);
  cmd->callback([args] { Execute(*args); });
}

}  // namespace spymaster::cli
