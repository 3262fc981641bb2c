// The single `spymaster` executable. Exit codes: 0 ok, 1 runtime error (data or I/O), 2 usage error,
// 128 + signal after SIGINT/SIGTERM. This file is the one place that maps errors to exit codes.
#include <malloc.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <string.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "bench/bench_command.hpp"
#include "cli/commands.hpp"
#include "common/error.hpp"
#include "common/standard_output.hpp"
#include "lake/interrupt.hpp"

namespace {

int ExitCode(spymaster::ErrorKind kind) {
  switch (kind) {
    case spymaster::ErrorKind::kUsage:
      return 2;
    case spymaster::ErrorKind::kData:
    case spymaster::ErrorKind::kIo:
      return 1;
  }
  return 1;
}

// After SIGINT/SIGTERM (lake commands handle them, see lake/interrupt.hpp): 128 + signal.
int InterruptedExit() {
  const int sig = spymaster::lake::InterruptSignal();
  std::fflush(stdout);
  std::fprintf(stderr,
               "spymaster: interrupted by SIG%s; stopped, uncommitted temporaries removed, committed "
               "partitions are complete\n",
               sigabbrev_np(sig));
  return 128 + sig;
}

int Fail(const char* what, int code) {
  if (spymaster::lake::InterruptSignal() != 0) return InterruptedExit();  // the error is the interruption's
  std::fflush(stdout);  // what the command printed before the error stays before the message
  std::fprintf(stderr, "error: %s\n", what);
  return code;
}

int Run(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const spymaster::Error& e) {
    return Fail(e.what(), ExitCode(e.kind()));
  } catch (const std::exception& e) {  // a library's own exception (std::bad_alloc, fmt, parquet): runtime
    return Fail(e.what(), 1);
  }
  if (spymaster::lake::InterruptSignal() != 0) return InterruptedExit();
  return 0;
}

// Batch runs allocate and free large buffers all the time (Parquet pages, 64 Ki-row column batches of tens
// of MB). Arrow's bundled jemalloc and glibc's mmap threshold hand them back to the kernel, which then
// faults and zeroes every page again (≈ 200 k faults, a fifth of `run --layer all`'s CPU on the real-size
// hour, docs/engine.md). glibc's heap with a fixed mmap threshold and no trimming reuses them instead.
// ARROW_DEFAULT_MEMORY_POOL, MALLOC_* and GLIBC_TUNABLES set by the user win.
void KeepFreedMemory() {
  setenv("ARROW_DEFAULT_MEMORY_POOL", "system", /*overwrite=*/0);
  if (getenv("GLIBC_TUNABLES") != nullptr || getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum on 64-bit
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  KeepFreedMemory();
  // Logs and progress go to stderr; stdout carries only a command's result (JSON, summaries).
  spdlog::set_default_logger(spdlog::stderr_color_mt("spymaster"));
  CLI::App app{"Spymaster: Databento order flow as physics, from raw DBN to a live browser view"};
  app.set_version_flag("--version", SPYMASTER_VERSION);
  app.require_subcommand(1);
  spymaster::cli::AddDbnCommand(app);
  spymaster::bench::AddBenchCommand(app);
  spymaster::cli::AddSimulateCommand(app);
  spymaster::cli::AddSelectContractCommand(app);
  spymaster::cli::AddRunCommand(app);
  spymaster::cli::AddDemoCommand(app);
  spymaster::cli::AddServeCommand(app);
  spymaster::cli::AddDownloadCommand(app);
  spymaster::cli::AddLiveCommand(app);
  const int code = Run(app, argc, argv);
  try {
    spymaster::FinishStdout();
  } catch (const spymaster::Error& e) {
    // After a failure the first error is the one to report (and the exit code is non-zero already).
    if (code == 0) return Fail(e.what(), ExitCode(e.kind()));
  }
  return code;
}
