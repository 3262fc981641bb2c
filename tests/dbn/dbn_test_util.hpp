// Helpers shared by the DBN tests: the shared fixture folder, file bytes, independent zstd decompression.
#pragma once

#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace spymaster::dbn::testing {

inline std::filesystem::path FixtureDir() {
  return std::filesystem::path{SPYMASTER_SOURCE_DIR}.parent_path() / "shared" / "fixtures" / "dbn";
}

// Skips the calling test when the fixtures are absent, except under CI where that is a failure.
#define SPYMASTER_REQUIRE_DBN_FIXTURES()                                                      \
  do {                                                                                        \
    if (!std::filesystem::is_directory(::spymaster::dbn::testing::FixtureDir())) {            \
      const char* ci = std::getenv("CI");                                                     \
      if (ci != nullptr && std::string{ci} == "true") {                                       \
        FAIL() << "CI=true but " << ::spymaster::dbn::testing::FixtureDir() << " is missing"; \
      }                                                                                       \
      GTEST_SKIP() << ::spymaster::dbn::testing::FixtureDir() << " not present";              \
    }                                                                                         \
  } while (false)

inline std::vector<std::filesystem::path> FixtureFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(FixtureDir())) {
    if (entry.path().filename().string().starts_with("test_data.")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline std::vector<std::byte> ReadBytes(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  const std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  return {p, p + text.size()};
}

inline bool IsZstd(const std::vector<std::byte>& bytes) {
  return bytes.size() >= 4 && bytes[0] == std::byte{0x28} && bytes[1] == std::byte{0xB5} &&
         bytes[2] == std::byte{0x2F} && bytes[3] == std::byte{0xFD};
}

// Decompresses every frame with libzstd directly (independent of our decoder).
inline std::vector<std::byte> Decompress(const std::vector<std::byte>& bytes) {
  if (!IsZstd(bytes)) return bytes;
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::vector<std::byte> out;
  std::vector<std::byte> chunk(1 << 16);
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    const std::size_t rc = ZSTD_decompressStream(dctx, &o, &in);
    if (ZSTD_isError(rc)) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(o.pos));
  }
  for (;;) {  // drain
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    ZSTD_inBuffer empty{nullptr, 0, 0};
    ZSTD_decompressStream(dctx, &o, &empty);
    if (o.pos == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(o.pos));
  }
  ZSTD_freeDCtx(dctx);
  return out;
}

inline bool IsFragment(const std::filesystem::path& path) {
  return path.filename().string().find(".frag") != std::string::npos;
}

// Version of a fixture from its name: ".vN." infix, else 2 (see fixtures/dbn/SOURCE.md).
inline std::uint8_t NameVersion(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  for (int v = 1; v <= 3; ++v) {
    if (name.find(".v" + std::to_string(v) + ".") != std::string::npos) return static_cast<std::uint8_t>(v);
  }
  return 2;
}

}  // namespace spymaster::dbn::testing
