// The stream server configured for a lake, as `serve` and `demo` start it: ES resolves through the
// lake's selection map, the compute source uses the given New York session minutes.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "lake/registry.hpp"
#include "serve/server.hpp"

namespace spymaster::cli {

struct LakeServerOptions {
  std::filesystem::path lake_root = "lake";
  std::string host = "127.0.0.1";
  int port = 8001;
  int threads = 2;
  std::filesystem::path web_root;  // empty: no web app
  int session_start_minute = 9 * 60 + 30;
  int session_end_minute = 10 * 60 + 30;
};

serve::ServerConfig LakeServerConfig(const LakeServerOptions& options,
                                     std::shared_ptr<const lake::DatasetRegistry> registry);

// The built web app next to this executable's build directory (<exe dir>/../web/dist), or empty.
std::filesystem::path DefaultWebRoot();

}  // namespace spymaster::cli
