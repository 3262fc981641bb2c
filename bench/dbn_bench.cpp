// DBN decode throughput on generated MBO files (1 M records, plain and zstd): records/s and bytes/s.
#include <unistd.h>

#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "dbn/encoder.hpp"
#include "dbn/synthetic.hpp"
#include "dbn/throughput.hpp"

namespace spymaster::dbn {
namespace {

constexpr std::uint64_t kRecords = 1'000'000;

// Files generated once per process and removed at exit.
struct SyntheticFiles {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("spymaster-dbn-bench-{}", ::getpid());
  std::filesystem::path plain = dir / "synthetic.mbo.dbn";
  std::filesystem::path zstd = dir / "synthetic.mbo.dbn.zst";

  SyntheticFiles() {
    std::filesystem::create_directories(dir);
    WriteSyntheticMboFile(plain, kRecords, Compression::kNone);
    WriteSyntheticMboFile(zstd, kRecords, Compression::kZstd);
  }
  ~SyntheticFiles() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

const SyntheticFiles& Files() {
  static const SyntheticFiles files;
  return files;
}

template <PassResult (*kPass)(const std::filesystem::path&)>
void Run(benchmark::State& state, const std::filesystem::path& path) {
  PassResult result;
  for (auto _ : state) {
    result = kPass(path);
    benchmark::DoNotOptimize(result.checksum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * result.records));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * result.bytes));
}

void BM_DbnPlainDecode(benchmark::State& state) { Run<DecodePass>(state, Files().plain); }
void BM_DbnZstdDecode(benchmark::State& state) { Run<DecodePass>(state, Files().zstd); }
void BM_DbnPlainMboChecksum(benchmark::State& state) { Run<MboChecksumPass>(state, Files().plain); }
void BM_DbnZstdMboChecksum(benchmark::State& state) { Run<MboChecksumPass>(state, Files().zstd); }
void BM_LibzstdAlone(benchmark::State& state) { Run<ZstdOnlyPass>(state, Files().zstd); }

void BM_DbnEncodeZstd(benchmark::State& state) {
  const auto path = Files().dir / "encode.dbn.zst";
  for (auto _ : state) WriteSyntheticMboFile(path, kRecords, Compression::kZstd);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRecords));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kRecords * sizeof(MboMsg)));
}

BENCHMARK(BM_DbnPlainDecode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DbnZstdDecode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DbnPlainMboChecksum)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DbnZstdMboChecksum)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LibzstdAlone)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DbnEncodeZstd)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace spymaster::dbn
