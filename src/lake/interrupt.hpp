// SIGINT/SIGTERM as an orderly stop of lake work.
//
// The handler only records the signal. Lake writers and readers check it between batches
// (ThrowIfInterrupted) and throw Interrupted, so the stack unwinds normally: uncommitted temporaries
// are removed and nothing half-written is published. A commit that has begun (journal written) runs to
// its end first. A second signal ends the process at once (the default action), as without handlers.
// Commands that write the lake install the handlers; the CLI exits 128 + signal (130 for Ctrl-C, 143
// for SIGTERM) when InterruptSignal() is set.
#pragma once

#include <stdexcept>

namespace spymaster::lake {

class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void InstallInterruptHandlers();
// 0, or the first SIGINT/SIGTERM received since InstallInterruptHandlers.
int InterruptSignal();
void ThrowIfInterrupted();

}  // namespace spymaster::lake
