// Named failure points on the lake's commit path, for crash and error injection in tests.
//
// SPYMASTER_FAILPOINT=<name>:<n>[:exit] (read once per process) makes the n-th hit (1-based) of the
// point <name> throw LakeError, or with ":exit" end the process at once with _exit(87), without any
// cleanup (like kill -9 or a power cut at that instant). Points: "commit.rename" (every rename of a
// commit: publishing its journal, moving a replaced partition aside, moving a new one into place) and
// "commit.unlink" (removing a replaced partition, removing the journal). Unset: a hit costs one atomic
// load.
#pragma once

#include <string_view>

namespace spymaster::lake {

inline constexpr int kFailpointExitCode = 87;

void FailpointHit(std::string_view name);

// Replaces the environment's setting (same syntax; "" disables) and restarts the counts. Tests only.
void SetFailpointForTest(std::string_view spec);

}  // namespace spymaster::lake
