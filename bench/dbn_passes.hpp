// The passes `spymaster bench dbn` times: decoding alone, decoding with an MBO checksum, and libzstd alone.
#pragma once

#include <cstdint>
#include <filesystem>

namespace spymaster::bench {

struct PassResult {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;     // decoded DBN bytes (records only)
  std::uint64_t checksum = 0;  // keeps the compiler from skipping work; equal across passes on one file
};

// Decodes every record of `path` (plain or zstd) as-is, touching only the header.
PassResult DecodePass(const std::filesystem::path& path);

// Decodes `path` and folds order_id, price, size, flags, action, side and ts_recv of every MBO record.
PassResult MboChecksumPass(const std::filesystem::path& path);

// libzstd alone: decompresses `path` into a reused buffer (what `zstd -d > /dev/null` does). `bytes` is the
// decompressed size.
PassResult ZstdOnlyPass(const std::filesystem::path& path);

}  // namespace spymaster::bench
