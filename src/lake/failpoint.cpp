#include "lake/failpoint.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "lake/partition.hpp"

namespace spymaster::lake {
namespace {

struct Failpoint {
  std::string name;
  long long at = 0;  // the hit that fails; 0 = disabled
  bool exit = false;
  long long hits = 0;
};

std::mutex g_mutex;
std::atomic<bool> g_armed{false};
Failpoint g_point;

Failpoint Parse(std::string_view spec) {
  Failpoint p;
  if (spec.empty()) return p;
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) {
    throw LakeError(fmt::format("SPYMASTER_FAILPOINT '{}': want <name>:<n>[:exit]", spec));
  }
  p.name = std::string(spec.substr(0, colon));
  std::string rest(spec.substr(colon + 1));
  if (rest.ends_with(":exit")) {
    p.exit = true;
    rest.resize(rest.size() - 5);
  }
  char* end = nullptr;
  p.at = std::strtoll(rest.c_str(), &end, 10);
  if (rest.empty() || *end != '\0' || p.at < 1) {
    throw LakeError(fmt::format("SPYMASTER_FAILPOINT '{}': the count must be a positive integer", spec));
  }
  return p;
}

void Arm(Failpoint p) {
  g_point = std::move(p);
  g_armed = g_point.at > 0;
}

std::once_flag g_env_once;

void ReadEnvironmentOnce() {
  std::call_once(g_env_once, [] {
    const char* env = std::getenv("SPYMASTER_FAILPOINT");
    if (env != nullptr) {
      std::lock_guard lock(g_mutex);
      Arm(Parse(env));
    }
  });
}

}  // namespace

void FailpointHit(std::string_view name) {
  ReadEnvironmentOnce();
  if (!g_armed.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(g_mutex);
  if (g_point.at == 0 || g_point.name != name || ++g_point.hits != g_point.at) return;
  if (g_point.exit) {
    std::fprintf(stderr, "failpoint %s:%lld: exiting\n", g_point.name.c_str(), g_point.at);
    _exit(kFailpointExitCode);
  }
  throw LakeError(fmt::format("failpoint {}:{} hit (SPYMASTER_FAILPOINT)", g_point.name, g_point.at));
}

void SetFailpointForTest(std::string_view spec) {
  ReadEnvironmentOnce();
  std::lock_guard lock(g_mutex);
  Arm(Parse(spec));
}

}  // namespace spymaster::lake
