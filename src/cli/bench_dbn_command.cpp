// `spymaster bench dbn [FILE]`: DBN decode throughput. Without FILE it generates synthetic MBO files
// (plain and zstd) in a temporary directory first, so it needs no external data.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/bench_commands.hpp"
#include "dbn/decoder.hpp"
#include "dbn/synthetic.hpp"
#include "dbn/throughput.hpp"

namespace spymaster::cli {
namespace {

struct BenchDbnArgs {
  std::string file;
  std::uint64_t records = 10'000'000;
  int repeat = 3;
  std::string keep_dir;  // write the synthetic files here and keep them (for side-by-side runs of other tools)
};

double CpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Best of `repeat` runs (after one warm-up run that pulls the file into the page cache). Rates use the
// process CPU time, which (unlike wall time) holds steady on a machine shared with other jobs.
struct Timing {
  double cpu = 1e300;
  double wall = 1e300;
};

Timing BestSeconds(int repeat, const std::function<dbn::PassResult()>& pass, dbn::PassResult& result) {
  result = pass();
  Timing best;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = CpuSeconds();
    result = pass();
    best.cpu = std::min(best.cpu, CpuSeconds() - cpu_start);
    best.wall = std::min(best.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

double Report(const std::string& name, int repeat, const std::function<dbn::PassResult()>& pass) {
  dbn::PassResult r;
  const Timing t = BestSeconds(repeat, pass, r);
  const double gbps = static_cast<double>(r.bytes) / t.cpu / 1e9;
  std::printf("%-22s %11llu records %9.1f Mrec/s %7.2f GB/s  (cpu %.3f s, wall %.3f s, checksum %llx)\n",
              name.c_str(), static_cast<unsigned long long>(r.records), static_cast<double>(r.records) / t.cpu / 1e6,
              gbps, t.cpu, t.wall, static_cast<unsigned long long>(r.checksum));
  std::fflush(stdout);
  return gbps;
}

class TempDir {
 public:
  TempDir()
      : path_{std::filesystem::temp_directory_path() / fmt::format("spymaster-bench-dbn-{}", ::getpid())} {
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

void RunBenchDbn(const BenchDbnArgs& args) {
  if (!args.file.empty()) {
    const std::filesystem::path path{args.file};
    const bool zstd = dbn::Decoder::FromFile(path).compressed();
    std::printf("file: %s (%s)\n", args.file.c_str(), zstd ? "zstd" : "plain");
    const double ours = Report(zstd ? "zstd decode" : "plain decode", args.repeat, [&] { return dbn::DecodePass(path); });
    Report("decode + MBO checksum", args.repeat, [&] { return dbn::MboChecksumPass(path); });
    if (zstd) {
      const double raw = Report("libzstd alone", args.repeat, [&] { return dbn::ZstdOnlyPass(path); });
      std::printf("zstd decode / libzstd alone: %.0f %%\n", 100.0 * ours / raw);
    }
    return;
  }
  TempDir temp;
  const std::filesystem::path dir = args.keep_dir.empty() ? temp.path() : std::filesystem::path{args.keep_dir};
  std::filesystem::create_directories(dir);
  const auto plain = dir / "synthetic.mbo.dbn";
  const auto zst = dir / "synthetic.mbo.dbn.zst";
  const auto start = std::chrono::steady_clock::now();
  dbn::WriteSyntheticMboFile(plain, args.records, dbn::Compression::kNone);
  dbn::WriteSyntheticMboFile(zst, args.records, dbn::Compression::kZstd);
  std::printf("generated %llu synthetic MBO records: %.1f MB plain, %.1f MB zstd (%.1f s)\n",
              static_cast<unsigned long long>(args.records), std::filesystem::file_size(plain) / 1e6,
              std::filesystem::file_size(zst) / 1e6,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  Report("plain decode", args.repeat, [&] { return dbn::DecodePass(plain); });
  Report("plain + MBO checksum", args.repeat, [&] { return dbn::MboChecksumPass(plain); });
  const double ours = Report("zstd decode", args.repeat, [&] { return dbn::DecodePass(zst); });
  Report("zstd + MBO checksum", args.repeat, [&] { return dbn::MboChecksumPass(zst); });
  const double raw = Report("libzstd alone", args.repeat, [&] { return dbn::ZstdOnlyPass(zst); });
  std::printf("zstd decode / libzstd alone: %.0f %%\n", 100.0 * ours / raw);
}

}  // namespace

void AddBenchDbnCommand(CLI::App& bench) {
  auto args = std::make_shared<BenchDbnArgs>();
  auto* cmd = bench.add_subcommand("dbn", "DBN decode throughput: plain, zstd, and with an MBO checksum");
  cmd->add_option("file", args->file, "DBN file to measure (default: generate synthetic MBO files)");
  cmd->add_option("--records", args->records, "Synthetic records to generate when no FILE is given")
      ->check(CLI::Range(1ULL, 1'000'000'000ULL));
  cmd->add_option("--keep-dir", args->keep_dir, "Write the synthetic files to this directory and keep them");
  cmd->add_option("--repeat", args->repeat, "Timed runs per measurement (best is reported)")->check(CLI::Range(1, 100));
  cmd->callback([args] { RunBenchDbn(*args); });
}

}  // namespace spymaster::cli
