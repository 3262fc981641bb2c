// spymaster serve [--lake DIR] [--host 127.0.0.1] [--port 8001] [--threads 2] [--web DIR]
//                 [--session-start HH:MM --session-end HH:MM]
//                 [--live --live-symbol ESH6|SPY [--live-product-type future_mbo|equity_mbo] [--live-dt D]
//                  [--gateway HOST:PORT] [Live client options]]
// The stream server (serve/server.hpp). Prints "serving http://HOST:PORT" on stdout once listening
// (with --port 0, the port the system chose), runs until SIGINT/SIGTERM, then exits 0.
//
// --live: one thread runs the Live client (key from DATABENTO_API_KEY) and the engine of --live-symbol
// (cli/live_engine.hpp; futures from GLBX.MDP3 ES.FUT, or with --live-product-type equity_mbo an equity
// from XNAS.ITCH subscribed by its ticker, unless --dataset/--symbols/--stype say otherwise), publishing
// each closed window to a serve::WindowHub that every source=live client of (--live-symbol, --live-dt)
// reads; connection changes go to those clients as {"type":"status"}. When the Live client gives up,
// clients get the error and the server exits 1.
#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

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
  bool live = false;
  std::string live_symbol;
  std::string live_product_type = "future_mbo";
  std::string live_dt;  // default: today in New York
  LiveCliOptions live_client;
  bool dataset_given = false;  // equity_mbo defaults --dataset and --stype unless they were given
  bool stype_given = false;
};

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string StatusJson(const std::string& state, const std::string& message) {
  return nlohmann::json{{"type", "status"}, {"source", "live"}, {"state", state}, {"message", message}}.dump();
}

// The Live client and engine of `serve --live`, on their own thread, publishing to the hub.
class LiveFeed {
 public:
  LiveFeed(const ingest::LiveOptions& client, const std::string& key, const LiveEngineOptions& engine,
           std::shared_ptr<serve::WindowHub> hub)
      : hub_(std::move(hub)),
        options_missing_(std::make_shared<const std::string>(
            "live: serve --live feeds the underlying's MBO only, so the options surface is empty")),
        client_(client, key),
        engine_(engine, [this](const engine::WindowPtr& w) { Publish(w); }) {
    client_.set_tick_handler([this] {
      engine_.OnTick();
      if (engine_.finished()) client_.Stop();  // the timer closed the session's last window
    });
    client_.set_status_handler([this](const std::string& state, const std::string& message) {
      if (state != "live") engine_.OnDisconnect();
      hub_->Status(StatusJson(state, message));
    });
    hub_->Status(StatusJson(
        "connecting",
        fmt::format("connecting to the Live gateway {}:{}",
                    client.host.empty() ? ingest::LiveClient::DefaultHost(client.dataset) : client.host, client.port)));
  }

  // Runs until the session's last window, Stop(), or a failure (returned; the hub's clients are told).
  std::optional<std::string> Run() {
    try {
      client_.Run([this](const dbn::Metadata& md, const dbn::RecordRef& rec) {
        engine_.OnRecord(md, rec);
        return !engine_.finished();
      });
      if (engine_.finished()) {
        hub_->Status(StatusJson("ended", "the live session's last window has closed"));
        hub_->End();
      }
      return std::nullopt;
    } catch (const std::exception& e) {
      const std::string message = fmt::format("live feed failed: {}", e.what());
      hub_->End(message);
      return message;
    }
  }
  void Stop() { client_.Stop(); }

 private:
  void Publish(const engine::WindowPtr& w) {
    auto window = std::make_shared<serve::StreamWindow>();
    window->window = w;
    window->options_missing = options_missing_;
    window->closed_ns = SteadyNowNs();
    hub_->Publish(std::move(window));
  }

  std::shared_ptr<serve::WindowHub> hub_;
  std::shared_ptr<const std::string> options_missing_;
  ingest::LiveClient client_;
  LiveEngine engine_;
};

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

  std::unique_ptr<LiveFeed> feed;
  if (args.live) {
    if (args.live_symbol.empty()) {
      throw UsageError("--live-symbol: required with --live (the contract or ticker, e.g. ESH6 or SPY)");
    }
    const auto product = lake::ParseProductType(args.live_product_type);
    if (product != lake::ProductType::kFutureMbo && product != lake::ProductType::kEquityMbo) {
      throw UsageError(
          fmt::format("--live-product-type {}: the live engine runs future_mbo or equity_mbo", args.live_product_type));
    }
    const bool equity = product == lake::ProductType::kEquityMbo;
    try {  // a ticker under future_mbo would subscribe ES.FUT and never see its records
      if (!equity) source::RawRootOf(*product, args.live_symbol);
    } catch (const std::invalid_argument&) {
      throw UsageError(fmt::format(
          "--live-symbol {}: not a futures contract (e.g. ESH6); for an equity add --live-product-type equity_mbo",
          args.live_symbol));
    }
    LiveCliOptions cli = args.live_client;
    if (cli.symbols.empty()) cli.symbols = equity ? args.live_symbol : "ES.FUT";
    if (equity && !args.dataset_given) cli.client.dataset = "XNAS.ITCH";
    if (equity && !args.stype_given) cli.client.stype_in = "raw_symbol";
    const ingest::LiveOptions client = ResolveLiveOptions(cli);
    const std::string dt =
        args.live_dt.empty()
            ? common::FormatDate(common::NewYorkDate(
                  std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())))
            : common::FormatDate(WithUsageErrors("--live-dt", [&] { return common::ParseDate(args.live_dt); }));
    const auto bounds = config.session_bounds(dt);
    LiveEngineOptions engine;
    engine.product = *product;
    engine.symbol = args.live_symbol;
    engine.dt = dt;
    engine.session_start_ns = bounds.first;
    engine.session_end_ns = bounds.second;
    engine.close_grace_ns = int64_t{cli.close_grace_ms} * 1'000'000;
    auto hub = std::make_shared<serve::WindowHub>(
        fmt::format("live {} {} {}..{}", engine.symbol, dt, bounds.first, bounds.second), /*keep=*/2, /*cap=*/64);
    config.live.push_back({engine.product, engine.symbol, dt, hub});
    feed = std::make_unique<LiveFeed>(client, ingest::ApiKeyFromEnvironment(), engine, hub);
  }

  serve::Server server(std::move(config), *registry);
  std::cout << fmt::format("serving http://{}:{} (lake {})", args.host, server.port(), args.lake) << std::endl;
  std::optional<std::string> live_failure;
  std::thread live_thread;
  if (feed) {
    live_thread = std::thread([&] {
      live_failure = feed->Run();
      if (live_failure) server.Stop();
    });
  }
  server.Run();
  if (feed) {
    feed->Stop();
    live_thread.join();
  }
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
  cmd->add_flag("--live", args->live,
                "Also stream the Live feed (source=live): Databento Live client, key from DATABENTO_API_KEY");
  cmd->add_option("--live-symbol", args->live_symbol, "Live: the contract or ticker the engine follows, e.g. ESH6");
  cmd->add_option("--live-product-type", args->live_product_type,
                  "Live: future_mbo (GLBX.MDP3, ES.FUT) or equity_mbo (XNAS.ITCH, the ticker as raw_symbol)")
      ->capture_default_str();
  cmd->add_option("--live-dt", args->live_dt, "Live: the session date YYYY-MM-DD (default: today in New York)");
  AddLiveClientOptions(*cmd, args->live_client)->default_str("ES.FUT, or the ticker for equity_mbo");
  cmd->callback([args, cmd] {
    args->dataset_given = cmd->get_option("--dataset")->count() > 0;
    args->stype_given = cmd->get_option("--stype")->count() > 0;
    Execute(*args);
  });
}

}  // namespace spymaster::cli
