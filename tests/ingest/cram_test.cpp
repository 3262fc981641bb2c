#include "ingest/cram.hpp"

#include <gtest/gtest.h>

#include "ingest/sha256.hpp"

namespace spymaster::ingest {
namespace {

TEST(CramTest, SpecTestVector) {
  // shared/spec/dbn.md §11.2.
  EXPECT_EQ(CramReply("challenge-123", "db-abcdefghijklmnopqrstuvwxyz12345"),
            "44151f08364aed917587b50ac9df3c58db3fe9937c39ad2d5e7da0584b24dd97-12345");
}

TEST(Sha256Test, KnownDigest) {
  // FIPS 180-2 example "abc".
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace spymaster::ingest
