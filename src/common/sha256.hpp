// SHA-256 (OpenSSL) as lowercase hex: the digest manifests, contracts and Databento batch files use.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace spymaster::common {

std::string Sha256Hex(std::string_view bytes);
// Streams the file (raw day files run to gigabytes); an unreadable file is an I/O error naming it.
std::string Sha256File(const std::filesystem::path& path);

}  // namespace spymaster::common
