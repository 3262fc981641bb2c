// spymaster serve [--lake DIR] [--host 127.0.0.1] [--port 8001] [--threads 2] [--web DIR]
//                 [--session-start HH:MM --session-end HH:MM]
// The stream server (serve/server.hpp). Prints "serving http://HOST:PORT" on stdout once listening
// (with --port 0, the port the system chose), runs until SIGINT/SIGTERM, then exits 0.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/lake_server.hpp"
#include "common/error.hpp"
#include "lake/registry.hpp"
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
  serve::Server server(LakeServerConfig(options, registry), *registry);
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
  cmd->add_option("--web", args->web,
                  "Directory of the built web app served at GET / (default: web/dist of this build)");
  cmd->add_option("--session-start", args->session_start,
                  "Compute source: session start, America/New_York HH:MM (as the lake was built)")
      ->capture_default_str();
  cmd->add_option("--session-end", args->session_end, "Compute source: session end, America/New_York HH:MM")
      ->capture_default_str();
  cmd->callback([args] { Execute(*args); });
}

}  // namespace spymaster::cli
