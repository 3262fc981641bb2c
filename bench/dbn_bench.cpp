// `spymaster bench dbn [FILE]`: DBN decode throughput (plain, zstd, with an MBO checksum, against libzstd
// alone) and zstd encode throughput. Without FILE it generates synthetic MBO files (plain and zstd) in a
// temporary directory first, so it needs no external data.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "bench/bench_command.hpp"
#include "bench/dbn_passes.hpp"
#include "bench/synthetic_dbn.hpp"
#include "bench/timing.hpp"
#include "dbn/decoder.hpp"
#include "dbn/record.hpp"

namespace spymaster::bench {
namespace {

struct Args {
  std::string file;
  std::uint64_t records = 10'000'000;
  int repeat = 3;
  std::string keep_dir;  // write the synthetic files here and keep them (for side-by-side runs of other tools)
};

void Print(const std::string& name, const PassResult& r, const Timing& t) {
  std::printf("%-22s %11llu records %9.1f Mrec/s %7.2f GB/s  (cpu %.3f s, wall %.3f s, checksum %llx)\n", name.c_str(),
              static_cast<unsigned long long>(r.records), static_cast<double>(r.records) / t.cpu / 1e6,
              static_cast<double>(r.bytes) / t.cpu / 1e9, t.cpu, t.wall, static_cast<unsigned long long>(r.checksum));
  std::fflush(stdout);
}

// Best of `repeat` runs after one warm-up run that pulls the file into the page cache; returns GB/s per CPU
// second.
template <class Pass>
double Report(const std::string& name, int repeat, Pass pass) {
  PassResult result = pass();
  const Timing t = BestOf(repeat, [&] { result = pass(); });
  Print(name, result, t);
  return static_cast<double>(result.bytes) / t.cpu / 1e9;
}

class TempDir {
 public:
  TempDir() : path_{std::filesystem::temp_directory_path() / fmt::format("spymaster-bench-dbn-{}", ::getpid())} {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void Run(const Args& args) {
  if (!args.file.empty()) {
    const std::filesystem::path path{args.file};
    const bool zstd = dbn::Decoder::FromFile(path).compressed();
    std::printf("file: %s (%s)\n", args.file.c_str(), zstd ? "zstd" : "plain");
    const double ours = Report(zstd ? "zstd decode" : "plain decode", args.repeat, [&] { return DecodePass(path); });
    Report("decode + MBO checksum", args.repeat, [&] { return MboChecksumPass(path); });
    if (zstd) {
      const double raw = Report("libzstd alone", args.repeat, [&] { return ZstdOnlyPass(path); });
      std::printf("zstd decode / libzstd alone: %.0f %%\n", 100.0 * ours / raw);
    }
    return;
  }
  TempDir temp;
  const std::filesystem::path dir = args.keep_dir.empty() ? temp.path() : std::filesystem::path{args.keep_dir};
  std::filesystem::create_directories(dir);
  const auto plain = dir / "synthetic.mbo.dbn";
  const auto zst = dir / "synthetic.mbo.dbn.zst";
  const PassResult written{args.records, args.records * sizeof(dbn::MboMsg), 0};
  Print("plain encode", written,
        BestOf(args.repeat, [&] { WriteSyntheticMboFile(plain, args.records, dbn::Compression::kNone); }));
  Print("zstd encode", written,
        BestOf(args.repeat, [&] { WriteSyntheticMboFile(zst, args.records, dbn::Compression::kZstd); }));
  std::printf("synthetic MBO files: %.1f MB plain, %.1f MB zstd\n", std::filesystem::file_size(plain) / 1e6,
              std::filesystem::file_size(zst) / 1e6);
  Report("plain decode", args.repeat, [&] { return DecodePass(plain); });
  Report("plain + MBO checksum", args.repeat, [&] { return MboChecksumPass(plain); });
  const double ours = Report("zstd decode", args.repeat, [&] { return DecodePass(zst); });
  Report("zstd + MBO checksum", args.repeat, [&] { return MboChecksumPass(zst); });
  const double raw = Report("libzstd alone", args.repeat, [&] { return ZstdOnlyPass(zst); });
  std::printf("zstd decode / libzstd alone: %.0f %%\n", 100.0 * ours / raw);
}

}  // namespace

void AddDbnBench(CLI::App& bench) {
  auto args = std::make_shared<Args>();
  auto* cmd = bench.add_subcommand("dbn", "DBN decode throughput (plain, zstd, with an MBO checksum) and encode");
  cmd->add_option("file", args->file, "DBN file to decode (default: generate synthetic MBO files)");
  cmd->add_option("--records", args->records, "Synthetic records to generate when no FILE is given")
      ->check(CLI::Range(1ULL, 1'000'000'000ULL));
  cmd->add_option("--keep-dir", args->keep_dir, "Write the synthetic files to this directory and keep them");
  cmd->add_option("--repeat", args->repeat, "Timed runs per measurement (best is reported)")->check(CLI::Range(1, 100));
  cmd->callback([args] { Run(*args); });
}

}  // namespace spymaster::bench
