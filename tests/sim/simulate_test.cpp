#include "sim/simulate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace spymaster::sim {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Every episode squeezed into a two-minute session so that the test day is small.
constexpr const char* kShortScenario = R"({
  "premarket_minutes": 1, "snapshot_lead_s": 5,
  "episodes": [
    {"kind": "flicker", "at_s": 10, "duration_s": 8, "side": "ask", "distance_ticks": 2, "size_lots": 50, "period_ms": 200},
    {"kind": "wall", "at_s": 20, "duration_s": 30, "side": "bid", "distance_bp": 3, "size_lots": 300},
    {"kind": "vacuum", "at_s": 55, "duration_s": 3, "side": "ask", "move_bp": 8},
    {"kind": "lull", "at_s": 70, "duration_s": 20},
    {"kind": "clear_snapshot", "at_s": 95},
    {"kind": "unknown_cancels", "at_s": 100, "duration_s": 1, "count": 3},
    {"kind": "crossed", "at_s": 110, "duration_s": 0.2}
  ]
})";

class SimulateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / fmt_name(::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    scenario_ = root_ / "short.json";
    std::ofstream(scenario_) << kShortScenario;
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string fmt_name(const char* test) {
    return std::string("spymaster_sim_") + test + "_" + std::to_string(getpid());
  }

  SimOptions Options(const std::string& lake, std::uint64_t seed = 11) const {
    SimOptions o;
    o.seed = seed;
    o.start = "09:30";
    o.end = "09:32";
    o.lake = root_ / lake;
    o.scenario = scenario_.string();
    return o;
  }

  // relative path -> bytes of every file under dir
  static std::map<std::string, std::string> Snapshot(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      out[fs::relative(e.path(), dir).string()] = s.str();
    }
    return out;
  }

  fs::path root_;
  fs::path scenario_;
};

TEST_F(SimulateTest, SameSeedGivesByteIdenticalFilesWhateverTheThreadCount) {
  SimOptions a = Options("a");
  a.threads = 2;
  SimOptions b = Options("b");
  b.threads = 1;
  const SimReport ra = Simulate(a);
  Simulate(b);
  EXPECT_EQ(ra.files.size(), 12u);
  EXPECT_GT(ra.records, 10000u);
  const auto sa = Snapshot(a.lake);
  const auto sb = Snapshot(b.lake);
  EXPECT_EQ(sa.size(), 12u * 5u);  // data file + four side files per job
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [path, bytes] : sa) {
    ASSERT_TRUE(sb.count(path)) << path;
    EXPECT_TRUE(bytes == sb.at(path)) << path << " differs between identical runs";
  }
}

TEST_F(SimulateTest, DifferentSeedGivesDifferentDay) {
  const auto sa = (Simulate(Options("a", 11)), Snapshot(root_ / "a"));
  const auto sb = (Simulate(Options("b", 12)), Snapshot(root_ / "b"));
  int differing_data_files = 0;
  for (const auto& [path, bytes] : sa) {
    if (path.ends_with(".dbn.zst") && path.find("definition") == std::string::npos && bytes != sb.at(path)) {
      ++differing_data_files;
    }
  }
  EXPECT_EQ(differing_data_files, 9);  // every mbo (4), cmbp-1 (2) and statistics (3) file
}

TEST_F(SimulateTest, WritesTheRawLakeLayout) {
  const SimReport r = Simulate(Options("lake"));
  const fs::path es = root_ / "lake/raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo/SIM-20260106-mbo";
  EXPECT_TRUE(fs::exists(es / "glbx-mdp3-20260106.mbo.dbn.zst"));
  for (const char* side : {"metadata.json", "manifest.json", "symbology.json", "condition.json"}) {
    EXPECT_TRUE(fs::exists(es / side)) << side;
  }
  EXPECT_TRUE(fs::exists(root_ / "lake/raw/source=databento/product_type=equity_option_mbo/symbol=QQQ/table=cmbp-1/"
                                 "SIM-20260106-cmbp-1/opra-pillar-20260106.cmbp-1.dbn.zst"));
  for (const auto& f : r.files) {
    EXPECT_EQ(fs::file_size(f.path), f.bytes);
    EXPECT_GT(f.records, 0u) << f.path;
  }
}

TEST_F(SimulateTest, RefusesToOverwriteUnlessAsked) {
  SimOptions o = Options("lake");
  o.products = {"equity_mbo"};
  Simulate(o);
  const fs::path spy = o.lake /
                       "raw/source=databento/product_type=equity_mbo/symbol=SPY/table=mbo/SIM-20260106-mbo/"
                       "xnas-itch-20260106.mbo.dbn.zst";
  const auto before = Snapshot(o.lake);
  o.seed = 99;
  try {
    Simulate(o);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("already present"));
    EXPECT_THAT(e.what(), HasSubstr("xnas-itch-20260106.mbo.dbn.zst"));
  }
  EXPECT_EQ(Snapshot(o.lake), before);
  o.overwrite = true;
  Simulate(o);
  EXPECT_NE(Snapshot(o.lake).at(fs::relative(spy, o.lake).string()), before.at(fs::relative(spy, o.lake).string()));
  for (const auto& e : fs::recursive_directory_iterator(o.lake)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

TEST_F(SimulateTest, ALeftoverJobDirectoryIsNotSilentlyReplaced) {
  SimOptions o = Options("lake");
  o.products = {"equity_mbo"};
  const fs::path job = o.lake / "raw/source=databento/product_type=equity_mbo/symbol=QQQ/table=mbo/SIM-20260106-mbo";
  fs::create_directories(job);
  std::ofstream(job / "notes.txt") << "mine";
  try {
    Simulate(o);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("raw job directory already present"));
  }
  EXPECT_TRUE(fs::exists(job / "notes.txt"));
}

TEST_F(SimulateTest, NeverOverwritesAnotherJobsRawFiles) {
  SimOptions o = Options("lake");
  o.products = {"future_mbo"};
  const fs::path other =
      o.lake / "raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo/GLBX-20260121-HPWHBMXMKL";
  fs::create_directories(other);
  std::ofstream(other / "glbx-mdp3-20260106.mbo.dbn.zst") << "real data";
  o.overwrite = true;
  try {
    Simulate(o);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("GLBX-20260121-HPWHBMXMKL"));
  }
  EXPECT_FALSE(fs::exists(other.parent_path() / "SIM-20260106-mbo"));
}

TEST_F(SimulateTest, BadParametersNameThemselvesAndWriteNothing) {
  auto error = [&](auto mutate) {
    SimOptions o = Options("lake");
    mutate(o);
    try {
      Simulate(o);
    } catch (const std::exception& e) {
      EXPECT_FALSE(fs::exists(o.lake / "raw")) << e.what();
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(error([](SimOptions& o) { o.dt = "2026-02-30"; }), HasSubstr("--dt"));
  EXPECT_THAT(error([](SimOptions& o) { o.dt = "2026-01-10"; }), HasSubstr("Saturday"));
  EXPECT_THAT(error([](SimOptions& o) { o.end = "09:00"; }), HasSubstr("--end 09:00 is not after --start 09:30"));
  EXPECT_THAT(error([](SimOptions& o) { o.start = "25:00"; }), HasSubstr("--start"));
  EXPECT_THAT(error([](SimOptions& o) { o.products = {"future_mbo", "bonds"}; }), HasSubstr("unknown product 'bonds'"));
  EXPECT_THAT(error([](SimOptions& o) { o.scale = 0; }), HasSubstr("--scale"));
  EXPECT_THAT(error([&](SimOptions& o) { o.scenario = (root_ / "missing.json").string(); }), HasSubstr("missing.json"));
}

TEST_F(SimulateTest, UnwritableLakeIsAClearError) {
  std::ofstream(root_ / "a_file") << "x";
  SimOptions o = Options("a_file");
  o.lake = root_ / "a_file" / "lake";
  try {
    Simulate(o);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot create directory"));
    EXPECT_THAT(e.what(), HasSubstr("a_file"));
  }
}

// Caps the size of any file this process writes, so that a write fails half way with a real EFBIG
// from the kernel (as a full disk would), with no test hook in the writers.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);  // else the kernel kills the process instead
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

TEST_F(SimulateTest, AWriteFailingHalfWayRollsBackTheRunAndKeepsOtherJobs) {
  SimOptions o = Options("lake");
  o.threads = 1;
  // A limit between the two largest files of this run: the largest fails part way while other jobs are
  // complete in staging, and all of them must be rolled back.
  SimReport probe = Simulate(Options("probe"));
  std::sort(probe.files.begin(), probe.files.end(), [](const auto& a, const auto& b) { return a.bytes > b.bytes; });
  ASSERT_GT(probe.files[0].bytes, probe.files[1].bytes + 1024);
  const rlim_t limit = (probe.files[0].bytes + probe.files[1].bytes) / 2;
  const std::string failing_dir = fs::relative(probe.files[0].path.parent_path().parent_path(), root_ / "probe");
  const std::string failing_file = probe.files[0].path.filename();

  SimOptions monday = o;
  monday.dt = "2026-01-05";
  Simulate(monday);  // simulated jobs SIM-20260105-* beside the ones this day will write
  const fs::path es_table = o.lake / "raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo";
  const fs::path other_job = es_table / "GLBX-20260105-HPWHBMXMKL";
  fs::create_directories(other_job);
  std::ofstream(other_job / "glbx-mdp3-20260105.mbo.dbn.zst", std::ios::binary) << std::string("real\0data", 9);
  std::ofstream(other_job / "manifest.json") << R"({"job_id": "GLBX-20260105-HPWHBMXMKL"})";

  const auto failing_run = [&](const SimOptions& options) {
    const auto before = Snapshot(o.lake);
    std::string error = "no error";
    {
      FileSizeLimit guard(limit);
      try {
        Simulate(options);
      } catch (const std::runtime_error& e) {
        error = e.what();
      }
    }
    EXPECT_THAT(error, HasSubstr(failing_dir + "/"));
    EXPECT_THAT(error, HasSubstr(failing_file));
    EXPECT_THAT(error, HasSubstr("write failed: File too large"));
    EXPECT_TRUE(Snapshot(o.lake) == before) << "raw files changed by a failed run";
    for (const auto& e : fs::recursive_directory_iterator(o.lake)) {
      EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
    }
    return before;
  };

  const auto before = failing_run(o);
  EXPECT_EQ(before.size(), 12u * 5u + 2u);  // Monday's twelve jobs and the other job's two files
  for (const auto& e : fs::recursive_directory_iterator(o.lake)) {
    EXPECT_EQ(e.path().filename().string().find("SIM-20260106"), std::string::npos) << e.path();
  }
  EXPECT_EQ(Snapshot(other_job).at("glbx-mdp3-20260105.mbo.dbn.zst"), std::string("real\0data", 9));

  // With --overwrite, a failed run keeps the previous run (another seed) of the same job ids too.
  SimOptions previous = o;
  previous.seed = 12;
  Simulate(previous);
  SimOptions again = o;
  again.overwrite = true;
  EXPECT_EQ(failing_run(again).size(), 2u * 12u * 5u + 2u);
}

TEST_F(SimulateTest, DescribeNeedsNoFiles) {
  const std::string text = Describe(Options("none"));
  EXPECT_THAT(text, HasSubstr("crossed"));
  EXPECT_THAT(text, HasSubstr("09:30:00.000"));
  EXPECT_FALSE(fs::exists(root_ / "none"));
}

}  // namespace
}  // namespace spymaster::sim
