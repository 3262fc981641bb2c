// Partition writes are atomic, contract-checked, idempotent and leave a manifest; reads give back
// exactly what was written.
#include "lake/partition.hpp"

#include <arrow/api.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/sha256.hpp"
#include "lake/commit_journal.hpp"
#include "lake/contract_check.hpp"
#include "lake/durable_file.hpp"
#include "lake/failpoint.hpp"
#include "lake/interrupt.hpp"
#include "lake/mbo_rows.hpp"

namespace spymaster::lake {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr std::string_view kSnapshot = "silver.future_mbo.book_snapshot_1s";

std::shared_ptr<arrow::Table> SnapshotTable(int64_t rows, int64_t first_window = 1'767'709'800) {
  std::vector<std::shared_ptr<arrow::Array>> columns;
  const auto schema = DatasetRegistry::LoadDefault().Get(kSnapshot).contract.ArrowSchema();
  for (const auto& field : schema->fields()) {
    if (field->type()->id() == arrow::Type::INT64) {
      arrow::Int64Builder b;
      for (int64_t i = 0; i < rows; ++i)
        EXPECT_TRUE(b.Append((first_window + i) * 1'000'000'000 + field->name().size()).ok());
      columns.push_back(b.Finish().ValueOrDie());
    } else if (field->type()->id() == arrow::Type::DOUBLE) {
      arrow::DoubleBuilder b;
      for (int64_t i = 0; i < rows; ++i) EXPECT_TRUE(b.Append(6900.25 + i).ok());
      columns.push_back(b.Finish().ValueOrDie());
    } else {
      arrow::BooleanBuilder b;
      for (int64_t i = 0; i < rows; ++i) EXPECT_TRUE(b.Append(i % 3 != 0).ok());
      columns.push_back(b.Finish().ValueOrDie());
    }
  }
  return arrow::Table::Make(schema, columns, rows);
}

// Bronze MBO rows: order_id i, action/side cycling through the codes, the other integers i.
std::shared_ptr<arrow::Table> BronzeTable(const std::shared_ptr<arrow::Schema>& schema, int64_t rows) {
  std::vector<std::shared_ptr<arrow::Array>> cols;
  for (const auto& f : schema->fields()) {
    if (f->type()->id() == arrow::Type::STRING) {
      arrow::StringBuilder b;
      for (int64_t i = 0; i < rows; ++i) {
        const std::string v = f->name() == "action" ? std::string(1, "ACMRTFN"[(i * 7 / 3) % 7])
                              : f->name() == "side" ? std::string(1, "ABN"[(i / 5) % 3])
                                                    : std::string("ESH6");
        EXPECT_TRUE(b.Append(v).ok());
      }
      cols.push_back(b.Finish().ValueOrDie());
    } else {
      arrow::Int64Builder b;
      for (int64_t i = 0; i < rows; ++i) EXPECT_TRUE(b.Append(i).ok());
      cols.push_back(b.Finish().ValueOrDie());
    }
  }
  return arrow::Table::Make(schema, cols, rows);
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteText(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

class PartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("spymaster_partition_" + std::to_string(getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  static std::vector<std::string> Names(const fs::path& dir) {
    std::vector<std::string> names;
    if (!fs::is_directory(dir)) return names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  std::vector<std::string> Siblings(const fs::path& dir) const { return Names(dir.parent_path()); }
  std::vector<std::string> Temporaries() const { return Names(root_ / "_tmp"); }
  DatasetRegistry registry_ = DatasetRegistry::LoadDefault();
  fs::path root_;
  PartitionKey key_{"ESH6", "2026-01-06"};
};

TEST_F(PartitionTest, WriteThenReadRoundTripsWithManifestAndSuccess) {
  const auto table = SnapshotTable(2500);
  const StageInfo info{
      "silver_test", {{"bronze.future_mbo.mbo", "2026-01-06", std::string(64, 'a')}}, {{"unknown_ids", 3}}};
  const auto result = WritePartition(registry_, root_, kSnapshot, key_, *table, info);
  const fs::path dir = root_ / "silver/product_type=future_mbo/symbol=ESH6/table=book_snapshot_1s/dt=2026-01-06";
  EXPECT_EQ(result.dir, dir);
  EXPECT_EQ(result.rows, 2500);
  EXPECT_FALSE(result.skipped);
  EXPECT_TRUE(IsComplete(dir));
  EXPECT_TRUE(fs::is_regular_file(dir / "part-00000.parquet"));
  EXPECT_EQ(fs::file_size(dir / "_SUCCESS"), 0u);
  EXPECT_THAT(Siblings(dir), ::testing::ElementsAre("dt=2026-01-06"));
  EXPECT_THAT(Temporaries(), ::testing::IsEmpty());  // no temporary left behind

  std::ifstream in(dir / "_MANIFEST.json");
  const auto manifest = nlohmann::json::parse(in);
  EXPECT_EQ(manifest["dataset"], kSnapshot);
  EXPECT_EQ(manifest["dt"], "2026-01-06");
  EXPECT_EQ(manifest["symbol"], "ESH6");
  EXPECT_EQ(manifest["row_count"], 2500);
  EXPECT_EQ(manifest["contract_path"], "contracts/silver/future_mbo/book_snapshot_1s.avsc");
  EXPECT_EQ(manifest["contract_sha256"], registry_.Get(kSnapshot).contract.sha256);
  EXPECT_EQ(manifest["stage"], "silver_test");
  EXPECT_EQ(manifest["engine_version"], kEngineVersion);
  EXPECT_EQ(manifest["inputs"][0]["manifest_sha256"], std::string(64, 'a'));
  EXPECT_EQ(manifest["counters"]["unknown_ids"], 3);
  EXPECT_EQ(manifest["manifest_version"], 2);
  ASSERT_EQ(manifest["files"].size(), 1u);
  EXPECT_EQ(manifest["files"][0]["name"], "part-00000.parquet");
  EXPECT_EQ(manifest["files"][0]["bytes"], fs::file_size(dir / "part-00000.parquet"));
  EXPECT_EQ(manifest["files"][0]["rows"], 2500);
  EXPECT_EQ(manifest["params"], nlohmann::json::object());

  const auto back = ReadPartition(registry_, root_, kSnapshot, key_);
  EXPECT_TRUE(back->Equals(*table)) << back->schema()->ToString();
  const auto ref = InputRefFor(registry_, root_, kSnapshot, key_);
  EXPECT_EQ(ref.manifest_sha256, common::Sha256File(dir / "_MANIFEST.json"));
  EXPECT_EQ(ListSymbols(registry_, root_, kSnapshot), std::vector<std::string>{"ESH6"});

  const auto cols = ReadPartitionColumns(registry_, root_, kSnapshot, key_, {"mid_price", "window_start_ts_ns"});
  EXPECT_EQ(cols->schema()->field(0)->name(), "mid_price");
  EXPECT_TRUE(cols->column(1)->Equals(table->GetColumnByName("window_start_ts_ns")));

  auto reader = OpenPartitionReader(registry_, root_, kSnapshot, key_, 1000);
  int64_t rows = 0, batches = 0;
  std::shared_ptr<arrow::RecordBatch> batch;
  while (reader->ReadNext(&batch).ok() && batch) {
    rows += batch->num_rows();
    ++batches;
  }
  EXPECT_EQ(rows, 2500);
  EXPECT_GE(batches, 3);

  // Projected stream: only the asked columns, in contract order, same values.
  auto projected = OpenPartitionReader(registry_, root_, kSnapshot, key_, 1000, {"mid_price", "window_start_ts_ns"});
  ASSERT_EQ(projected->schema()->num_fields(), 2);
  EXPECT_EQ(projected->schema()->field(0)->name(), "window_start_ts_ns");
  ASSERT_TRUE(projected->ReadNext(&batch).ok());
  ASSERT_NE(batch, nullptr);
  ASSERT_EQ(batch->num_columns(), 2);
  EXPECT_TRUE(batch->column(1)->Equals(*table->GetColumnByName("mid_price")->chunk(0)->Slice(0, batch->num_rows())));
  EXPECT_THAT([&] { OpenPartitionReader(registry_, root_, kSnapshot, key_, 1000, {"nope"}); },
              ::testing::ThrowsMessage<LakeError>(HasSubstr("'nope'")));
}

TEST_F(PartitionTest, PartitionDtMustBeARealCalendarDate) {
  for (const char* dt : {"2026-02-30", "2026-13-01", "26-01-06", "2026-01-06/..", "2026-1-6"}) {
    EXPECT_THAT(
        [&] {
          PartitionWriter w(registry_, root_, kSnapshot, {key_.symbol, dt});
        },
        ::testing::ThrowsMessage<LakeError>(AllOf(HasSubstr("invalid partition dt"), HasSubstr(dt))))
        << dt;
  }
  EXPECT_FALSE(std::filesystem::exists(root_ / "silver")) << "a refused partition left a directory";
}

TEST_F(PartitionTest, CompletePartitionIsSkippedUnlessOverwrite) {
  WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(10), StageInfo{"s", {}, {}});
  const auto again = WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(20), StageInfo{"s", {}, {}});
  EXPECT_TRUE(again.skipped);
  EXPECT_EQ(ReadPartition(registry_, root_, kSnapshot, key_)->num_rows(), 10);
  EXPECT_THAT([&] { PartitionWriter w(registry_, root_, kSnapshot, key_); },
              ::testing::ThrowsMessage<LakeError>(HasSubstr("already complete")));
  const auto over = WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(20), StageInfo{"s", {}, {}}, true);
  EXPECT_FALSE(over.skipped);
  EXPECT_EQ(ReadPartition(registry_, root_, kSnapshot, key_)->num_rows(), 20);
  EXPECT_THAT(Siblings(over.dir), ::testing::ElementsAre("dt=2026-01-06"));
}

TEST_F(PartitionTest, OverwriteIsRefusedForBronze) {
  EXPECT_THAT([&] { PartitionWriter w(registry_, root_, "bronze.future_mbo.mbo", key_, true); },
              ::testing::ThrowsMessage<LakeError>(HasSubstr("never deleted")));
}

TEST_F(PartitionTest, ContractViolationNamesDatasetAndColumnAndLeavesNothing) {
  auto table = SnapshotTable(5);
  auto bad = table->RemoveColumn(4).ValueOrDie();
  EXPECT_THAT(
      [&] {
        WritePartition(registry_, root_, kSnapshot, key_, *bad, StageInfo{"s", {}, {}});
      },
      ::testing::ThrowsMessage<ContractError>(
          AllOf(HasSubstr(std::string(kSnapshot)), HasSubstr("'best_ask_price_int'"))));
  EXPECT_FALSE(fs::exists(root_ / "silver"));
  EXPECT_THAT(Temporaries(), ::testing::IsEmpty());  // the temporary directory was removed
}

TEST_F(PartitionTest, UncommittedWriterLeavesNoPartition) {
  {
    PartitionWriter w(registry_, root_, kSnapshot, key_);
    w.Write(*SnapshotTable(100));
    // The temporary is under <lake>/_tmp/, where no partition glob reaches.
    ASSERT_EQ(Temporaries().size(), 1u);
    EXPECT_THAT(Temporaries()[0], HasSubstr(".silver.future_mbo.book_snapshot_1s.ESH6.2026-01-06"));
    EXPECT_FALSE(fs::exists(root_ / "silver"));
  }
  EXPECT_THAT(Temporaries(), ::testing::IsEmpty());
  EXPECT_FALSE(fs::exists(root_ / "silver"));
  EXPECT_THAT([&] { ReadPartition(registry_, root_, kSnapshot, key_); },
              ::testing::ThrowsMessage<LakeError>(HasSubstr("input not ready")));
}

TEST_F(PartitionTest, FinishOnAnotherThreadThenCommitPublishesTheRowsAndRefusesLaterWrites) {
  const auto table = SnapshotTable(300);
  PartitionWriter w(registry_, root_, kSnapshot, key_);
  w.Write(*table);
  std::thread([&] { w.Finish(); }).join();
  w.Finish();  // a second call is a no-op, as the one inside Prepare is
  EXPECT_THAT([&] { w.Write(*table); }, ::testing::ThrowsMessage<LakeError>(HasSubstr("written after Finish")));
  const auto result = w.Commit(StageInfo{"silver_test", {}, {}});
  EXPECT_EQ(result.rows, 300);
  EXPECT_TRUE(ReadPartition(registry_, root_, kSnapshot, key_)->Equals(*table));
  EXPECT_EQ(nlohmann::json::parse(ReadText(result.dir / "_MANIFEST.json"))["row_count"], 300);
}

TEST_F(PartitionTest, SyncPathsSyncsAllAndNamesAPathItCannotOpen) {
  fs::create_directories(root_ / "a");
  WriteText(root_ / "a" / "f", "x");
  EXPECT_NO_THROW(SyncPaths({root_, root_ / "a", root_ / "a" / "f"}));
  EXPECT_THAT(
      [&] {
        SyncPaths({root_ / "a", root_ / "missing", root_ / "a" / "f"});
      },
      ::testing::ThrowsMessage<LakeError>(HasSubstr((root_ / "missing").string())));
}

TEST_F(PartitionTest, DirectoryWithoutSuccessIsNotAPartition) {
  WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(3), StageInfo{"s", {}, {}});
  const fs::path dir = PartitionDir(registry_.Get(kSnapshot), root_, key_);
  fs::remove(dir / "_SUCCESS");
  EXPECT_FALSE(IsComplete(dir));
  EXPECT_THROW(ReadPartition(registry_, root_, kSnapshot, key_), LakeError);
}

TEST_F(PartitionTest, CrashedWriterTemporaryIsCleanedByTheNextWriter) {
  // A child process dies mid-write (no destructors run), like kill -9.
  const pid_t child = fork();
  if (child == 0) {
    PartitionWriter w(registry_, root_, kSnapshot, key_);
    w.Write(*SnapshotTable(100));
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  const fs::path dir = PartitionDir(registry_.Get(kSnapshot), root_, key_);
  EXPECT_FALSE(IsComplete(dir));
  EXPECT_FALSE(fs::exists(dir));
  ASSERT_EQ(Temporaries().size(), 1u);
  EXPECT_THAT(Temporaries()[0], ::testing::StartsWith(std::to_string(child) + "-"));
  // A live writer's temporary is left alone; the dead child's goes.
  PartitionWriter live(registry_, root_, kSnapshot, {"ESM6", "2026-01-06"});
  WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(7), StageInfo{"s", {}, {}});
  EXPECT_THAT(Siblings(dir), ::testing::ElementsAre("dt=2026-01-06"));
  ASSERT_EQ(Temporaries().size(), 1u);
  EXPECT_THAT(Temporaries()[0], ::testing::StartsWith(std::to_string(getpid()) + "-"));
  EXPECT_EQ(ReadPartition(registry_, root_, kSnapshot, key_)->num_rows(), 7);
}

TEST_F(PartitionTest, BadPartitionValuesAreRejected) {
  EXPECT_THROW(PartitionWriter(registry_, root_, kSnapshot, {"../x", "2026-01-06"}), LakeError);
  EXPECT_THROW(PartitionWriter(registry_, root_, kSnapshot, {"ESH6", "2026-1-6"}), LakeError);
}

TEST_F(PartitionTest, UnpartitionedDatasetIsOneFileReplacedAtomically) {
  const auto& spec = registry_.Get("selection.future_mbo.mbo_contract_day_selection");
  arrow::StringBuilder s;
  ASSERT_TRUE(s.Append("2026-01-06").ok());
  auto str = s.Finish().ValueOrDie();
  arrow::Int64Builder l;
  ASSERT_TRUE(l.Append(0).ok());
  auto lng = l.Finish().ValueOrDie();
  arrow::Int32Builder i;
  ASSERT_TRUE(i.Append(0).ok());
  auto table = arrow::Table::Make(spec.contract.ArrowSchema(), {str, str, str, str, lng, lng, i.Finish().ValueOrDie()});
  for (int round = 0; round < 2; ++round) {
    PartitionWriter w(registry_, root_, spec.key, {}, true);
    w.Write(*table);
    w.Commit(StageInfo{"select_contract", {}, {}});
  }
  EXPECT_TRUE(fs::is_regular_file(root_ / "selection/mbo_contract_day_selection.parquet"));
  EXPECT_EQ(ReadPartition(registry_, root_, spec.key, {})->num_rows(), 1);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(root_ / "selection")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ::testing::ElementsAre("mbo_contract_day_selection.parquet",
                                            "mbo_contract_day_selection.parquet.manifest.json"));
}

// A partition with _SUCCESS whose files no longer match its manifest used to read as fewer (or zero)
// rows. Every read path refuses it, naming the partition, what differs and the repair; overwrite repairs
// silver/gold.
TEST_F(PartitionTest, DamagedPartitionIsRefusedByEveryReadAndOverwriteRepairsIt) {
  struct Damage {
    std::string name;
    std::function<void(const fs::path&)> apply;
    std::string what;
    bool seen_without_opening_parquet = true;  // IsComplete checks names and sizes only
  };
  const std::vector<Damage> damages = {
      {"truncated",
       [](const fs::path& d) {
         fs::resize_file(d / "part-00000.parquet", fs::file_size(d / "part-00000.parquet") / 2);
       },
       "bytes, the manifest says"},
      {"emptied", [](const fs::path& d) { fs::resize_file(d / "part-00000.parquet", 0); }, "has 0 bytes"},
      {"deleted", [](const fs::path& d) { fs::remove(d / "part-00000.parquet"); }, "part-00000.parquet is missing"},
      {"extra file", [](const fs::path& d) { fs::copy_file(d / "part-00000.parquet", d / "part-00001.parquet"); },
       "part-00001.parquet is not in the manifest"},
      {"manifest deleted", [](const fs::path& d) { fs::remove(d / "_MANIFEST.json"); }, "_MANIFEST.json is missing"},
      {"manifest of an older spymaster",
       [](const fs::path& d) {
         auto m = nlohmann::json::parse(ReadText(d / "_MANIFEST.json"));
         m.erase("files");
         m.erase("manifest_version");
         WriteText(d / "_MANIFEST.json", m.dump());
       },
       "written by an older spymaster"},
      {"row count",
       [](const fs::path& d) {
         auto m = nlohmann::json::parse(ReadText(d / "_MANIFEST.json"));
         m["files"][0]["rows"] = 11;
         m["row_count"] = 11;
         WriteText(d / "_MANIFEST.json", m.dump());
       },
       "has 10 rows, the manifest says 11", false},
  };
  const fs::path dir = PartitionDir(registry_.Get(kSnapshot), root_, key_);
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.name);
    fs::remove_all(root_);
    WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(10), StageInfo{"s", {}, {}});
    damage.apply(dir);
    const auto refused = ::testing::ThrowsMessage<LakeError>(
        AllOf(HasSubstr(dir.string()), HasSubstr("is damaged"), HasSubstr(damage.what), HasSubstr("--overwrite")));
    EXPECT_THAT([&] { ReadPartition(registry_, root_, kSnapshot, key_); }, refused);
    EXPECT_THAT([&] { ReadPartitionColumns(registry_, root_, kSnapshot, key_, {"mid_price"}); }, refused);
    EXPECT_THAT([&] { OpenPartitionReader(registry_, root_, kSnapshot, key_); }, refused);
    EXPECT_THAT([&] { InputRefFor(registry_, root_, kSnapshot, key_); }, refused);
    EXPECT_THAT([&] { InputRefFor(registry_, root_, kSnapshot, key_, Params{}); }, refused);
    if (damage.seen_without_opening_parquet) {
      EXPECT_THAT([&] { IsComplete(dir); }, refused);
      EXPECT_THAT([&] { ListSymbols(registry_, root_, kSnapshot); }, refused);
      // A plain writer neither skips it as complete nor replaces it.
      EXPECT_THAT(
          [&] {
            WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(4), StageInfo{"s", {}, {}});
          },
          refused);
    }
    WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(4), StageInfo{"s", {}, {}}, /*overwrite=*/true);
    EXPECT_EQ(ReadPartition(registry_, root_, kSnapshot, key_)->num_rows(), 4);
    EXPECT_THAT(Siblings(dir), ::testing::ElementsAre("dt=2026-01-06"));
    EXPECT_THAT(Temporaries(), ::testing::IsEmpty());
  }
}

TEST_F(PartitionTest, DamagedBronzeSaysToRemoveItAndRerunBronze) {
  const std::string key = "bronze.future_mbo.mbo";
  WritePartition(registry_, root_, key, key_, *BronzeTable(registry_.Get(key).contract.ArrowSchema(), 100),
                 StageInfo{"s", {}, {}});
  const fs::path dir = PartitionDir(registry_.Get(key), root_, key_);
  fs::resize_file(dir / "part-00000.parquet", 100);
  EXPECT_THAT([&] { OpenPartitionReader(registry_, root_, key, key_, 1000, MboBookColumns(), true); },
              ::testing::ThrowsMessage<LakeError>(AllOf(
                  HasSubstr("has 100 bytes"), HasSubstr(fmt::format("remove {} and rerun bronze", dir.string())))));
}

TEST_F(PartitionTest, ParamsAreRecordedAndADifferentSetIsRefused) {
  const Params session{{"session", "09:30-10:30 America/New_York"}};
  const Params other{{"session", "09:30-09:40 America/New_York"}};
  const fs::path dir = PartitionDir(registry_.Get(kSnapshot), root_, key_);
  EXPECT_FALSE(IsCompleteWith(dir, session));
  WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(3), StageInfo{"s", {}, {}, session});
  EXPECT_EQ(nlohmann::json::parse(ReadText(dir / "_MANIFEST.json"))["params"]["session"],
            "09:30-10:30 America/New_York");
  EXPECT_TRUE(IsCompleteWith(dir, session));
  EXPECT_EQ(InputRefFor(registry_, root_, kSnapshot, key_, session).manifest_sha256,
            InputRefFor(registry_, root_, kSnapshot, key_).manifest_sha256);
  const auto refused =
      ::testing::ThrowsMessage<LakeError>(AllOf(HasSubstr("computed with session=09:30-10:30 America/New_York"),
                                                HasSubstr("this run asks for session=09:30-09:40 America/New_York"),
                                                HasSubstr("--overwrite"), HasSubstr(dir.string())));
  EXPECT_THAT([&] { IsCompleteWith(dir, other); }, refused);
  EXPECT_THAT([&] { InputRefFor(registry_, root_, kSnapshot, key_, other); }, refused);
}

// SIGTERM (in a child: the flag cannot be reset) stops a writer at its next batch and a reader at its
// next batch; unwinding removes the temporary.
TEST_F(PartitionTest, InterruptStopsWritersAndReadersAndLeavesNoTemporary) {
  WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(10), StageInfo{"s", {}, {}});
  const pid_t child = fork();
  if (child == 0) {
    int code = 0;
    {
      InstallInterruptHandlers();
      PartitionWriter w(registry_, root_, kSnapshot, {"ESM6", "2026-01-06"});
      w.Write(*SnapshotTable(3));
      auto reader = OpenPartitionReader(registry_, root_, kSnapshot, key_);
      std::raise(SIGTERM);
      if (InterruptSignal() != SIGTERM) code = 1;
      try {
        w.Write(*SnapshotTable(3));
        code = 2;
      } catch (const Interrupted& e) {
        if (std::string(e.what()) != "interrupted by SIGTERM") code = 3;
      }
      std::shared_ptr<arrow::RecordBatch> batch;
      if (!reader->ReadNext(&batch).IsCancelled()) code = 4;
    }
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_THAT(Temporaries(), ::testing::IsEmpty());
  EXPECT_FALSE(fs::exists(PartitionDir(registry_.Get(kSnapshot), root_, {"ESM6", "2026-01-06"})));
}

// Three partitions committed as one group (like silver + gold of a task) with a failure injected at
// every rename and every removal of the commit, thrown or ending the process on the spot: after
// recovery the three are all old or all new, never a mix, and nothing is left in _tmp/ or _txn/.
TEST_F(PartitionTest, CommitGroupIsAllOrNothingWithAFailureAtEveryStep) {
  // About 40 commits with their fsyncs: on tmpfs when there is one (fsync is what this test does not
  // check, and costs ~10 ms per call on a virtual disk).
  if (fs::is_directory("/dev/shm")) {
    fs::remove_all(root_);
    root_ = fs::path("/dev/shm") / root_.filename();
    fs::remove_all(root_);
  }
  const std::vector<PartitionKey> keys = {{"ESH6", "2026-01-06"}, {"ESM6", "2026-01-06"}, {"ESU6", "2026-01-06"}};
  auto commit_group = [&](int64_t rows, bool overwrite) {
    std::vector<std::unique_ptr<PartitionWriter>> writers;
    std::vector<PartitionWriter*> group;
    for (const auto& k : keys) {
      writers.push_back(std::make_unique<PartitionWriter>(registry_, root_, kSnapshot, k, overwrite));
      writers.back()->Write(*SnapshotTable(rows));
      writers.back()->Prepare(StageInfo{"s", {}, {}});
      group.push_back(writers.back().get());
    }
    CommitPartitions(group);
  };
  auto rows_after_recovery = [&] {
    RecoverPendingCommits(root_);
    std::vector<int64_t> rows;
    for (const auto& k : keys) {
      rows.push_back(IsComplete(PartitionDir(registry_.Get(kSnapshot), root_, k))
                         ? ReadPartition(registry_, root_, kSnapshot, k)->num_rows()
                         : -1);
    }
    return rows;
  };
  constexpr int64_t kOld = 5, kNew = 7;
  for (const bool overwrite : {false, true}) {
    for (const std::string point : {"commit.rename", "commit.unlink"}) {
      for (const bool exit : {false, true}) {
        int failures = 0;
        for (int n = 1; n < 20; ++n) {
          const std::string spec = fmt::format("{}:{}{}", point, n, exit ? ":exit" : "");
          SCOPED_TRACE(fmt::format("{} {}", overwrite ? "overwrite" : "fresh", spec));
          fs::remove_all(root_);
          if (overwrite) {
            for (const auto& k : keys)
              WritePartition(registry_, root_, kSnapshot, k, *SnapshotTable(kOld), StageInfo{"s", {}, {}});
          }
          bool failed = false;
          if (exit) {
            const pid_t child = fork();
            if (child == 0) {
              SetFailpointForTest(spec);
              commit_group(kNew, overwrite);
              _exit(0);
            }
            int status = 0;
            ASSERT_EQ(waitpid(child, &status, 0), child);
            ASSERT_TRUE(WIFEXITED(status));
            ASSERT_THAT(WEXITSTATUS(status), ::testing::AnyOf(0, kFailpointExitCode));
            failed = WEXITSTATUS(status) == kFailpointExitCode;
          } else {
            SetFailpointForTest(spec);
            try {
              commit_group(kNew, overwrite);
            } catch (const LakeError& e) {
              EXPECT_THAT(e.what(), HasSubstr("failpoint " + point));
              failed = true;
            }
            SetFailpointForTest("");
          }
          const std::vector<int64_t> rows = rows_after_recovery();
          EXPECT_THAT(Temporaries(), ::testing::IsEmpty());
          EXPECT_THAT(Names(root_ / "_txn"), ::testing::ElementsAre("lock"));
          if (!failed) {
            EXPECT_EQ(rows, std::vector<int64_t>(3, kNew));
            break;
          }
          ++failures;
          // Only a failure before the journal is published leaves the old state.
          const bool published = !(point == "commit.rename" && n == 1);
          EXPECT_EQ(rows, std::vector<int64_t>(3, published ? kNew : overwrite ? kOld : -1));
        }
        // Every step failed once: renames = journal + (aside +) into place per partition; removals =
        // (trash per partition +) journal.
        const int want = point == "commit.rename" ? 1 + 3 * (overwrite ? 2 : 1) : (overwrite ? 3 : 0) + 1;
        EXPECT_EQ(failures, want) << point << (overwrite ? " overwrite" : " fresh") << (exit ? " exit" : " throw");
      }
    }
  }
}

// Bronze read with strings_as_dictionary (what the engine stages do): action and side arrive as dictionary
// arrays, across several batches, and MboBatchView gives the same rows as from plain strings.
TEST_F(PartitionTest, MboRowsReadTheSameFromDictionaryColumns) {
  const auto schema = registry_.Get("bronze.future_mbo.mbo").contract.ArrowSchema();
  constexpr int64_t kRows = 3000;
  WritePartition(registry_, root_, "bronze.future_mbo.mbo", key_, *BronzeTable(schema, kRows),
                 StageInfo{"test", {}, {}});

  auto rows_of = [&](bool dictionary) {
    auto reader = OpenPartitionReader(
        registry_, root_, "bronze.future_mbo.mbo", key_, 1000,
        {"ts_event", "price", "size", "order_id", "sequence", "instrument_id", "flags", "action", "side"}, dictionary);
    EXPECT_EQ(reader->schema()->GetFieldByName("side")->type()->id(),
              dictionary ? arrow::Type::DICTIONARY : arrow::Type::STRING);
    std::string chars;
    std::shared_ptr<arrow::RecordBatch> batch;
    while (reader->ReadNext(&batch).ok() && batch) {
      EXPECT_EQ(batch->GetColumnByName("action")->type_id(),
                dictionary ? arrow::Type::DICTIONARY : arrow::Type::STRING);
      const MboBatchView view(*batch);
      for (int64_t i = 0; i < view.size(); ++i) {
        const MboRow r = view.Row(i);
        EXPECT_EQ(r.order_id, static_cast<int64_t>(chars.size() / 2));
        chars += r.action;
        chars += r.side;
      }
    }
    return chars;
  };
  const std::string plain = rows_of(false);
  ASSERT_EQ(plain.size(), 2u * kRows);
  EXPECT_EQ(plain.substr(0, 12), "AAMATAAAMATB");  // (action, side) of rows 0..5
  EXPECT_EQ(rows_of(true), plain);
}

TEST(MboBatchView, ReadsTypedColumns) {
  const auto registry = DatasetRegistry::LoadDefault();
  const auto schema = registry.Get("bronze.future_mbo.mbo").contract.ArrowSchema();
  std::vector<std::shared_ptr<arrow::Array>> cols;
  for (const auto& f : schema->fields()) {
    if (f->type()->id() == arrow::Type::STRING) {
      arrow::StringBuilder b;
      EXPECT_TRUE(b.Append(f->name() == "action" ? "M" : f->name() == "side" ? "B" : "ESH6").ok());
      cols.push_back(b.Finish().ValueOrDie());
    } else {
      arrow::Int64Builder b;
      EXPECT_TRUE(b.Append(static_cast<int64_t>(schema->GetFieldIndex(f->name())) * 10).ok());
      cols.push_back(b.Finish().ValueOrDie());
    }
  }
  const auto batch = arrow::RecordBatch::Make(schema, 1, cols);
  const MboRow row = MboBatchView(*batch).Row(0);
  EXPECT_EQ(row.ts_recv, 0);
  EXPECT_EQ(row.size, 10);
  EXPECT_EQ(row.ts_event, 20);
  EXPECT_EQ(row.order_id, 50);
  EXPECT_EQ(row.flags, 70);
  EXPECT_EQ(row.instrument_id, 80);
  EXPECT_EQ(row.sequence, 110);
  EXPECT_EQ(row.price, 140);
  EXPECT_EQ(row.action, 'M');
  EXPECT_EQ(row.side, 'B');
}

}  // namespace
}  // namespace spymaster::lake
