// Raw input discovery: a day in several batch-job folders (identical → read once, different → an
// error unless --raw-job picks one), files of one job folder, and the raw files a bronze manifest lists.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/sha256.hpp"
#include "lake/partition.hpp"
#include "pipeline/bronze_stages.hpp"
#include "raw_lake.hpp"

namespace spymaster::pipeline {
namespace {

namespace fs = std::filesystem;
using testing::DayMetadata;
using ::testing::HasSubstr;
using testing::kDay;
using testing::kPx;
using testing::kSecond;
using testing::Mbo;

const std::string kDt = "2026-01-06";
constexpr auto kFutures = lake::ProductType::kFutureMbo;

class RawInput : public testing::RawLake {
 protected:
  // A futures day of `n` ESH6 adds; `job` names its batch-job folder.
  fs::path WriteDay(int n, const std::string& job, const std::string& file_prefix = "glbx-mdp3") {
    std::vector<dbn::MboMsg> records;
    const uint64_t t = kDay + 3600 * kSecond;
    for (int i = 0; i < n; ++i) {
      records.push_back(Mbo(1, t + i, t + i + 5, 'A', 'B', kPx, 1, 100 + i, static_cast<uint32_t>(i)));
    }
    return WriteRaw(kFutures, "ES", "mbo", file_prefix, DayMetadata("GLBX.MDP3", dbn::Schema::kMbo, {{"ESH6", 1}}),
                    records, "20260106", job);
  }
  std::vector<source::RawFile> Find(const std::vector<std::string>& raw_jobs = {}) {
    return source::FindRawFiles(root_, kFutures, "ES", "mbo", kDt, raw_jobs);
  }
  nlohmann::json Manifest(const std::string& symbol) {
    const auto dir = lake::PartitionDir(registry_.Get("bronze.future_mbo.mbo"), root_, {symbol, kDt});
    return nlohmann::json::parse(std::ifstream(dir / "_MANIFEST.json"));
  }
};

TEST_F(RawInput, AnIdenticalCopyInAnotherJobFolderIsReadOnce) {
  const fs::path first = WriteDay(5, "JOB-A");
  fs::copy(first.parent_path(), first.parent_path().parent_path() / "JOB-B");
  const auto files = Find();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, first);
  EXPECT_EQ(files[0].sha256, common::Sha256File(first));

  const auto result = RunBronzeFutureMbo({root_, registry_, false}, {kFutures, "ES", kDt});
  EXPECT_EQ(result.rows, 5);  // not 10
  const auto inputs = Manifest("ESH6")["inputs"];
  ASSERT_EQ(inputs.size(), 1u) << inputs.dump();
  EXPECT_EQ(inputs[0]["path"],
            "raw/source=databento/product_type=future_mbo/symbol=ES/table=mbo/JOB-A/"
            "glbx-mdp3-20260106.mbo.dbn.zst");
}

TEST_F(RawInput, DifferentFilesInTwoJobFoldersAreAnErrorNamingBothUnlessOneIsPicked) {
  const fs::path a = WriteDay(5, "JOB-A");
  const fs::path b = WriteDay(6, "JOB-B");
  EXPECT_THAT([&] { Find(); }, ::testing::ThrowsMessage<std::runtime_error>(
                                   ::testing::AllOf(HasSubstr(a.string()), HasSubstr(b.string()),
                                                    HasSubstr("--raw-job JOB-A"), HasSubstr("--raw-job JOB-B"))));
  const auto picked = Find({"JOB-B"});
  ASSERT_EQ(picked.size(), 1u);
  EXPECT_EQ(picked[0].path, b);
  EXPECT_EQ(picked[0].job_id, "JOB-B");

  StageContext ctx{root_, registry_, false};
  EXPECT_THROW(RunBronzeFutureMbo(ctx, {kFutures, "ES", kDt}), std::runtime_error);
  EXPECT_FALSE(lake::IsComplete(lake::PartitionDir(registry_.Get("bronze.future_mbo.mbo"), root_, {"ESH6", kDt})));
  ctx.raw_jobs = {"JOB-B"};
  EXPECT_EQ(RunBronzeFutureMbo(ctx, {kFutures, "ES", kDt}).rows, 6);
}

TEST_F(RawInput, FilesOfOneJobFolderAreDistinctInputs) {
  // Databento splits a day by symbol inside one job: every file counts, with no hashing needed.
  const fs::path a = WriteDay(5, "JOB-A", "glbx-mdp3-ESH6");
  const fs::path b = WriteDay(5, "JOB-A", "glbx-mdp3-ESM6");
  fs::create_directories(a.parent_path().parent_path() / ".JOB-A.tmp-1");  // simulate's temporary
  fs::copy(a, a.parent_path().parent_path() / ".JOB-A.tmp-1" / a.filename());
  const auto files = Find();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, a);
  EXPECT_EQ(files[1].path, b);
  EXPECT_EQ(files[0].bytes, static_cast<int64_t>(fs::file_size(a)));
  EXPECT_EQ(files[0].sha256, "");
}

TEST_F(RawInput, BronzeManifestListsEachRawFileWithPathSizeAndSha256) {
  const fs::path a = WriteDay(5, "JOB-A", "glbx-mdp3-ESH6");
  const fs::path b = WriteDay(7, "JOB-A", "glbx-mdp3-ESM6");
  EXPECT_EQ(RunBronzeFutureMbo({root_, registry_, false}, {kFutures, "ES", kDt}).rows, 12);
  const auto inputs = Manifest("ESH6")["inputs"];
  ASSERT_EQ(inputs.size(), 2u) << inputs.dump();
  for (size_t i = 0; i < 2; ++i) {
    const fs::path file = i == 0 ? a : b;
    EXPECT_EQ(inputs[i]["path"], file.lexically_relative(root_).generic_string());
    EXPECT_EQ(inputs[i]["bytes"], static_cast<int64_t>(fs::file_size(file)));
    EXPECT_EQ(inputs[i]["sha256"], common::Sha256File(file));
    EXPECT_EQ(inputs[i]["manifest_sha256"], common::Sha256File(file.parent_path() / "manifest.json"));
  }
}

TEST_F(RawInput, RawJobMustNameAJobFolderOfTheProduct) {
  WriteDay(5, "JOB-A");
  EXPECT_NO_THROW(source::CheckRawJobs(root_, kFutures, "ES", {"JOB-A"}));
  EXPECT_THAT([&] { source::CheckRawJobs(root_, kFutures, "ES", {"JOB-X"}); },
              ::testing::ThrowsMessage<std::invalid_argument>(HasSubstr("--raw-job JOB-X: no job folder")));
  EXPECT_THROW(source::CheckRawJobs(root_, kFutures, "ES", {"../JOB-A"}), std::invalid_argument);
  EXPECT_THROW(source::CheckRawJobs(root_, lake::ProductType::kEquityMbo, "SPY", {"JOB-A"}), std::invalid_argument);
}

}  // namespace
}  // namespace spymaster::pipeline
