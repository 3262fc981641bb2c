#include "ingest/cram.hpp"

#include <gtest/gtest.h>

namespace spymaster::ingest {
namespace {

TEST(CramTest, SpecTestVector) {
  // shared/spec/dbn.md §11.2.
  EXPECT_EQ(CramReply("challenge-123", "db-abcdefghijklmnopqrstuvwxyz12345"),
            "44151f08364aed917587b50ac9df3c58db3fe9937c39ad2d5e7da0584b24dd97-12345");
}

}  // namespace
}  // namespace spymaster::ingest
