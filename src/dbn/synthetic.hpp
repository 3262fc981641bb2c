// Deterministic synthetic MBO data for benchmarks: a plausible mix of adds, cancels, modifies and trades
// around one price level, so that compression ratios resemble real MBO files.
#pragma once

#include <cstdint>
#include <filesystem>

#include "dbn/enums.hpp"
#include "dbn/metadata.hpp"
#include "dbn/record.hpp"

namespace spymaster::dbn {

// The i-th record of the synthetic sequence (a pure function of i).
MboMsg SyntheticMbo(std::uint64_t i);

// Metadata for a synthetic GLBX.MDP3 ESH6 MBO stream.
Metadata SyntheticMboMetadata();

// Writes `count` synthetic records to `path` (v3 metadata + records), streaming.
void WriteSyntheticMboFile(const std::filesystem::path& path, std::uint64_t count, Compression compression);

}  // namespace spymaster::dbn
