// `spymaster bench pipeline [--scale S] [--repeat N] [--raw-lake DIR]`: the whole `run --product-type
// future_mbo --layer all --symbol ES` for one ES hour, as a user runs it. Without --raw-lake it first
// simulates the hour at the given scale into a temporary lake; bronze and the selection map are
// prepared once, then each repetition deletes bronze, silver and gold and runs this executable as a child
// process, so wall time, CPU time and peak RSS are the command's own (as /usr/bin/time reports them).
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_command.hpp"
#include "bench/es_hour.hpp"
#include "common/error.hpp"

extern char** environ;

namespace spymaster::bench {
namespace {

namespace fs = std::filesystem;

struct Args {
  double scale = 5.0;
  int repeat = 5;
  std::string raw_lake;
};

struct ChildRun {
  double wall_s = 0;
  double cpu_s = 0;  // user + system
  double max_rss_mb = 0;
};

// Runs `spymaster <args>` with stdout and stderr discarded; throws naming the command on failure.
ChildRun RunSelf(const std::vector<std::string>& args) {
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<char*> argv = {const_cast<char*>(self.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  std::string command = "spymaster";
  for (const auto& a : args) command += " " + a;
  if (spawned != 0) throw Error(ErrorKind::kIo, fmt::format("cannot start `{}`: {}", command, std::strerror(spawned)));
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) throw Error(ErrorKind::kIo, fmt::format("cannot wait for `{}`", command));
  ChildRun run;
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw Error(ErrorKind::kData, fmt::format("`{}` failed (status {}); run it by hand to see why", command, status));
  }
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  run.cpu_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  run.max_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  return run;
}

void Run(const Args& args) {
  const BenchEsHour hour("pipeline", args.scale, args.raw_lake);
  const fs::path lake = hour.ScratchLake();
  const std::string dt(BenchEsHour::kDt);
  const std::vector<std::string> common = {"--product-type", "future_mbo", "--symbol", "ES",
                                           "--dt",           dt,           "--lake",   lake.string()};
  auto run_args = [&](const char* layer) {
    std::vector<std::string> a = {"run", "--layer", layer};
    a.insert(a.end(), common.begin(), common.end());
    return a;
  };
  // `ES` resolves through the selection map, which is built from bronze: prepare both once.
  RunSelf(run_args("bronze"));
  RunSelf({"select-contract", "--dates", dt, "--lake", lake.string()});

  std::vector<ChildRun> runs;
  for (int i = 0; i < std::max(1, args.repeat); ++i) {
    for (const char* layer : {"bronze", "silver", "gold"}) fs::remove_all(lake / layer);
    runs.push_back(RunSelf(run_args("all")));
    const ChildRun& r = runs.back();
    std::printf("  run %d: %.2f s wall, %.2f s CPU, %.0f MB peak RSS\n", i + 1, r.wall_s, r.cpu_s, r.max_rss_mb);
    std::fflush(stdout);
  }
  std::sort(runs.begin(), runs.end(), [](const ChildRun& a, const ChildRun& b) { return a.wall_s < b.wall_s; });
  const ChildRun& median = runs[runs.size() / 2];
  double max_rss = 0;
  for (const auto& r : runs) max_rss = std::max(max_rss, r.max_rss_mb);
  std::printf(
      "run --layer all (future_mbo ES %s): wall min %.2f / median %.2f / max %.2f s, median CPU %.2f s, "
      "peak RSS %.0f MB\n",
      dt.c_str(), runs.front().wall_s, median.wall_s, runs.back().wall_s, median.cpu_s, max_rss);
}

}  // namespace

void AddPipelineBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  auto* cmd = bench.add_subcommand(
      "pipeline", "The whole `run --layer all` for one ES hour (raw → bronze → silver → gold), as child processes");
  cmd->add_option("--scale", args->scale, "Simulator event-rate scale (5 ≈ a real ES hour)")->capture_default_str();
  cmd->add_option("--repeat", args->repeat, "Timed runs")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_option("--raw-lake", args->raw_lake, "Use this lake's raw ES files for 2026-01-06 instead of simulating");
  cmd->callback([args] { Run(*args); });
}

}  // namespace spymaster::bench
