#include "ingest/job_tracker.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "common/error.hpp"

namespace spymaster::ingest {
namespace {

namespace fs = std::filesystem;

class JobTrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("job_tracker_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(JobTrackerTest, SaveAndLoadRoundTripEveryField) {
  const auto request = MakeRequest(Market::kFutures, "2026-01-06", "", "ES", true, "");
  const fs::path path = dir_ / "logs" / "futures_jobs.json";
  {
    JobTracker tracker(path);
    for (const JobSpec& s : FirstStageJobs(request)) EXPECT_TRUE(tracker.Add(s));
    EXPECT_FALSE(tracker.Add(FirstStageJobs(request)[0]));  // keyed: no duplicates
    TrackedJob& j = tracker.jobs()[1];
    j.state = JobState::kSubmitted;
    j.job_id = "GLBX-20260106-ABCDEFGHIJ";
    j.cost_usd = 12.5;
    j.option_schemas = {"definition", "mbo"};
    tracker.Save();
  }
  // Only the file itself remains: the temporary sibling was renamed over it.
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
  JobTracker loaded(path);
  ASSERT_EQ(loaded.jobs().size(), 2u);
  const TrackedJob& j = loaded.jobs()[1];
  EXPECT_EQ(j.spec.Key(), "GLBX.MDP3|definition|ES|2026-01-06|future_option_mbo");
  EXPECT_EQ(j.spec.symbols.size(), 30u);
  EXPECT_EQ(j.state, JobState::kSubmitted);
  EXPECT_EQ(j.job_id, "GLBX-20260106-ABCDEFGHIJ");
  EXPECT_EQ(j.cost_usd, 12.5);
  EXPECT_EQ(j.option_schemas, (std::vector<std::string>{"definition", "mbo"}));
  EXPECT_EQ(loaded.jobs()[0].state, JobState::kPlanned);
}

TEST_F(JobTrackerTest, MalformedFileIsADataErrorNamingIt) {
  fs::create_directories(dir_);
  const fs::path path = dir_ / "jobs.json";
  std::ofstream(path) << "{\"jobs\": [{\"dataset\": 1}]}";
  try {
    JobTracker tracker(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos);
  }
}

}  // namespace
}  // namespace spymaster::ingest
