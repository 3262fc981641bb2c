// Book-only throughput: MBO events/s/core applying a synthetic ES hour to the L3 book.
#include <benchmark/benchmark.h>

#include "book/book.hpp"
#include "engine/synthetic_stream.hpp"

namespace {

const std::vector<spymaster::book::MboEvent>& Stream() {
  static const auto events = spymaster::engine::SyntheticMboStream({});
  return events;
}

void BM_BookApply(benchmark::State& state) {
  const auto& events = Stream();
  for (auto _ : state) {
    spymaster::book::Book book;
    int64_t sink = 0;
    for (const auto& e : events) sink += book.Apply(e).add_qty;
    benchmark::DoNotOptimize(sink);
    benchmark::DoNotOptimize(book.BestBid());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
}
BENCHMARK(BM_BookApply)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
