// The single `spymaster` executable. Exit codes: 0 ok, 1 runtime error, 2 usage error.
#include <string.h>

#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "bench/bench_command.hpp"
#include "cli/commands.hpp"
#include "lake/interrupt.hpp"

namespace {

// After SIGINT/SIGTERM (lake commands handle them, see lake/interrupt.hpp): 128 + signal.
int InterruptedExit() {
  const int sig = spymaster::lake::InterruptSignal();
  std::fflush(stdout);
  std::fprintf(stderr, "spymaster: interrupted by SIG%s; stopped, uncommitted temporaries removed, committed "
               "partitions are complete\n", sigabbrev_np(sig));
  return 128 + sig;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Spymaster: Databento order flow as physics, from raw DBN to a live browser view"};
  app.set_version_flag("--version", SPYMASTER_VERSION);
  app.require_subcommand(1);
  spymaster::cli::AddDbnCommand(app);
  spymaster::bench::AddBenchCommand(app);
  spymaster::cli::AddSimulateCommand(app);
  spymaster::cli::AddSelectContractCommand(app);
  spymaster::cli::AddRunCommand(app);
  spymaster::cli::AddDemoCommand(app);
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
  } catch (const std::exception& e) {
    std::fflush(stdout);
    if (spymaster::lake::InterruptSignal() != 0) return InterruptedExit();
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  if (spymaster::lake::InterruptSignal() != 0) return InterruptedExit();
  return 0;
}
