// The shared frame cache: hits return the same immutable group; the byte bound evicts oldest first.
#include "serve/frame_cache.hpp"

#include <gtest/gtest.h>

namespace spymaster::serve {
namespace {

WindowMessagesPtr Group(std::size_t bytes) {
  auto g = std::make_shared<WindowMessages>();
  g->messages.push_back(TextMessage(std::string(bytes, 'x')));
  g->bytes = bytes;
  return g;
}

TEST(FrameCacheTest, HitReturnsTheSameGroup) {
  FrameCache cache(1000);
  EXPECT_EQ(cache.Find("a"), nullptr);
  const auto g = Group(10);
  cache.Insert("a", g);
  EXPECT_EQ(cache.Find("a"), g);
  cache.Insert("a", Group(10));  // a second encoder of the same window keeps the first
  EXPECT_EQ(cache.Find("a"), g);
  EXPECT_EQ(cache.bytes(), 10u);
}

TEST(FrameCacheTest, EvictsOldestPastTheBound) {
  FrameCache cache(100);
  cache.Insert("a", Group(40));
  cache.Insert("b", Group(40));
  cache.Insert("c", Group(40));
  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_NE(cache.Find("b"), nullptr);
  EXPECT_NE(cache.Find("c"), nullptr);
  EXPECT_EQ(cache.bytes(), 80u);
  cache.Insert("huge", Group(101));  // larger than the whole cache: not kept
  EXPECT_EQ(cache.Find("huge"), nullptr);
  EXPECT_EQ(cache.bytes(), 80u);
}

}  // namespace
}  // namespace spymaster::serve
