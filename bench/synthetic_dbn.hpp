// Deterministic synthetic MBO files for `spymaster bench dbn`: a plausible mix of adds, cancels, modifies
// and trades around one price level, so that compression ratios resemble real MBO files.
#pragma once

#include <cstdint>
#include <filesystem>

#include "dbn/enums.hpp"

namespace spymaster::bench {

// Writes `count` synthetic GLBX.MDP3 ESH6 MBO records to `path` (v3 metadata + records), streaming; the
// i-th record is a pure function of i.
void WriteSyntheticMboFile(const std::filesystem::path& path, std::uint64_t count, dbn::Compression compression);

}  // namespace spymaster::bench
