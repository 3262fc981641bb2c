#include "serve/warm_heap.hpp"

#include <cstdlib>
#include <vector>

namespace spymaster::serve {

void WarmHeap(std::size_t bytes) {
  constexpr std::size_t kBlock = 1 << 20;
  constexpr std::size_t kPage = 4096;
  std::vector<char*> blocks;
  blocks.reserve(bytes / kBlock);
  for (std::size_t done = 0; done + kBlock <= bytes; done += kBlock) {
    auto* block = static_cast<char*>(std::malloc(kBlock));
    if (block == nullptr) break;
    // volatile: the stores must happen, although the block is freed unread.
    for (std::size_t i = 0; i < kBlock; i += kPage) static_cast<volatile char*>(block)[i] = 1;
    blocks.push_back(block);
  }
  // Newest first, so the blocks merge back into the arena's top as they go.
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) std::free(*it);
}

}  // namespace spymaster::serve
