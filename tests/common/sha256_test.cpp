// Expected digests are the FIPS 180-2 test vectors (appendix B.1 and B.2).
#include "common/sha256.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/error.hpp"

namespace spymaster::common {
namespace {

constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kTwoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kTwoBlocksText = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256Test, FipsVectors) {
  EXPECT_EQ(Sha256Hex("abc"), kAbc);
  EXPECT_EQ(Sha256Hex(kTwoBlocksText), kTwoBlocks);
}

TEST(Sha256Test, FileEqualsBytesAndMissingFileIsIoErrorNamingIt) {
  const auto path = std::filesystem::temp_directory_path() / ("sha256_test_" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary) << kTwoBlocksText;
  EXPECT_EQ(Sha256File(path), kTwoBlocks);
  std::filesystem::remove(path);
  try {
    Sha256File(path);
    FAIL() << "no error for a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_THAT(e.what(), ::testing::HasSubstr(path.string()));
  }
}

}  // namespace
}  // namespace spymaster::common
