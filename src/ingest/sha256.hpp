// SHA-256 (OpenSSL) for batch-file verification and the Live API's CRAM reply.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace spymaster::ingest {

// Lower-case hex of SHA-256(text).
std::string Sha256Hex(std::string_view text);

// Lower-case hex of SHA-256 of a file's bytes; throws spymaster::Error (io) naming the file.
std::string FileSha256Hex(const std::filesystem::path& path);

}  // namespace spymaster::ingest
