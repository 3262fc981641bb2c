#include "cli/lake_server.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <system_error>
#include <utility>

#include "pipeline/contract_selection.hpp"
#include "pipeline/session.hpp"

namespace spymaster::cli {

serve::ServerConfig LakeServerConfig(const LakeServerOptions& options,
                                     std::shared_ptr<const lake::DatasetRegistry> registry) {
  serve::ServerConfig config;
  config.lake_root = options.lake_root;
  config.host = options.host;
  config.port = static_cast<uint16_t>(options.port);
  config.threads = options.threads;
  config.web_root = options.web_root;
  config.resolve_es = [registry, lake = config.lake_root](const std::string& dt) {
    const auto selection = pipeline::LoadSelection(*registry, lake);
    const auto it = selection.find(dt);
    if (it == selection.end()) throw std::runtime_error(fmt::format("the selection map has no entry for {}", dt));
    return it->second;
  };
  config.session_bounds = [start = options.session_start_minute,
                           end = options.session_end_minute](const std::string& dt) {
    const auto b = pipeline::SessionBoundsNs(dt, start, end);
    return std::pair<int64_t, int64_t>(b.start_ns, b.end_ns);
  };
  return config;
}

std::filesystem::path DefaultWebRoot() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const auto dist = exe.parent_path().parent_path() / "web" / "dist";
  return std::filesystem::is_regular_file(dist / "index.html", ec) ? dist : std::filesystem::path();
}

}  // namespace spymaster::cli
