// spymaster serve [--lake DIR] [--host 127.0.0.1] [--port 8001] [--threads 2] [--web DIR]
//                 [--session-start HH:MM --session-end HH:MM]
// The stream server (serve/server.hpp). Prints "serving http://HOST:PORT" on stdout once listening
// (with --port 0, the port the system chose), runs until SIGINT/SIGTERM, then exits 0.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "common/error.hpp"
#include "lake/registry.hpp"
#include "pipeline/contract_selection.hpp"
#include "pipeline/session.hpp"
#include "serve/server.hpp"

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
};

void Execute(const ServeArgs& args) {
  const int start_minute =
      WithUsageErrors("--session-start", [&] { return pipeline::ParseMinuteOfDay(args.session_start); });
  const int end_minute = WithUsageErrors("--session-end", [&] { return pipeline::ParseMinuteOfDay(args.session_end); });
  WithUsageErrors("--session-start/--session-end",
                  [&] { return pipeline::SessionBoundsNs("2026-01-06", start_minute, end_minute); });
  auto registry = std::make_shared<lake::DatasetRegistry>(lake::DatasetRegistry::LoadDefault());
  serve::ServerConfig config;
  config.lake_root = args.lake;
  config.host = args.host;
  config.port = static_cast<uint16_t>(args.port);
  config.threads = args.threads;
  config.web_root = args.web;
  config.resolve_es = [registry, lake = config.lake_root](const std::string& dt) {
    const auto selection = pipeline::LoadSelection(*registry, lake);
    const auto it = selection.find(dt);
    if (it == selection.end()) throw std::runtime_error(fmt::format("the selection map has no entry for {}", dt));
    return it->second;
  };
  config.session_bounds = [start_minute, end_minute](const std::string& dt) {
    const auto b = pipeline::SessionBoundsNs(dt, start_minute, end_minute);
    return std::pair<int64_t, int64_t>(b.start_ns, b.end_ns);
  };
  serve::Server server(config, *registry);
  std::cout << fmt::format("serving http://{}:{} (lake {})", args.host, server.port(), args.lake) << std::endl;
  server.Run();
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
  cmd->add_option("--web", args->web, "Directory of the built web app served at GET /");
  cmd->add_option("--session-start", args->session_start,
                  "Compute source: session start, America/New_York HH:MM (as the lake was built)")
      ->capture_default_str();
  cmd->add_option("--session-end", args->session_end, "Compute source: session end, America/New_York HH:MM")
      ->capture_default_str();
  cmd->callback([args] { Execute(*args); });
}

}  // namespace spymaster::cli
