#include "book/order_map.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace spymaster::book {
namespace {

TEST(OrderMapTest, MatchesStdUnorderedMapUnderRandomInsertErase) {
  OrderMap map(8);  // small start: exercises growth and long probe runs
  std::unordered_map<uint64_t, uint32_t> ref;
  std::mt19937_64 rng(7);
  for (int step = 0; step < 200'000; ++step) {
    const uint64_t key = rng() % 5000;
    if (ref.count(key)) {
      ASSERT_TRUE(map.Erase(key));
      ref.erase(key);
    } else {
      const uint32_t slot = static_cast<uint32_t>(rng() % 1'000'000);
      map.Insert(key, slot);
      ref[key] = slot;
    }
    if (step % 1000 == 0) {
      for (uint64_t k = 0; k < 5000; ++k) {
        auto it = ref.find(k);
        ASSERT_EQ(map.Find(k), it == ref.end() ? OrderMap::kNone : it->second) << "key " << k;
      }
    }
  }
  EXPECT_EQ(map.size(), ref.size());
  EXPECT_FALSE(map.Erase(1'000'000));
}

}  // namespace
}  // namespace spymaster::book
