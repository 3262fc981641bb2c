// Partition writes are atomic, contract-checked, idempotent and leave a manifest; reads give back
// exactly what was written.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <arrow/api.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lake/contract_check.hpp"
#include "lake/mbo_rows.hpp"
#include "lake/partition.hpp"

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
      for (int64_t i = 0; i < rows; ++i) EXPECT_TRUE(b.Append((first_window + i) * 1'000'000'000 + field->name().size()).ok());
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

class PartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("spymaster_partition_" + std::to_string(getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::vector<std::string> Siblings(const fs::path& dir) const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir.parent_path())) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  DatasetRegistry registry_ = DatasetRegistry::LoadDefault();
  fs::path root_;
  PartitionKey key_{"ESH6", "2026-01-06"};
};

TEST_F(PartitionTest, WriteThenReadRoundTripsWithManifestAndSuccess) {
  const auto table = SnapshotTable(2500);
  const StageInfo info{"silver_test", {{"bronze.future_mbo.mbo", "2026-01-06", std::string(64, 'a')}}, {{"unknown_ids", 3}}};
  const auto result = WritePartition(registry_, root_, kSnapshot, key_, *table, info);
  const fs::path dir = root_ / "silver/product_type=future_mbo/symbol=ESH6/table=book_snapshot_1s/dt=2026-01-06";
  EXPECT_EQ(result.dir, dir);
  EXPECT_EQ(result.rows, 2500);
  EXPECT_FALSE(result.skipped);
  EXPECT_TRUE(IsComplete(dir));
  EXPECT_TRUE(fs::is_regular_file(dir / "part-00000.parquet"));
  EXPECT_EQ(fs::file_size(dir / "_SUCCESS"), 0u);
  EXPECT_THAT(Siblings(dir), ::testing::ElementsAre("dt=2026-01-06"));  // no temporary left behind

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

  const auto back = ReadPartition(registry_, root_, kSnapshot, key_);
  EXPECT_TRUE(back->Equals(*table)) << back->schema()->ToString();
  const auto ref = InputRefFor(registry_, root_, kSnapshot, key_);
  EXPECT_EQ(ref.manifest_sha256, Sha256File(dir / "_MANIFEST.json"));
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
  EXPECT_THAT([&] { WritePartition(registry_, root_, kSnapshot, key_, *bad, StageInfo{"s", {}, {}}); },
              ::testing::ThrowsMessage<ContractError>(
                  AllOf(HasSubstr(std::string(kSnapshot)), HasSubstr("'best_ask_price_int'"))));
  const fs::path parent = root_ / "silver/product_type=future_mbo/symbol=ESH6/table=book_snapshot_1s";
  EXPECT_TRUE(fs::is_empty(parent));  // the temporary directory was removed
}

TEST_F(PartitionTest, UncommittedWriterLeavesNoPartition) {
  fs::path parent;
  {
    PartitionWriter w(registry_, root_, kSnapshot, key_);
    w.Write(*SnapshotTable(100));
    parent = w.final_dir().parent_path();
    EXPECT_EQ(std::distance(fs::directory_iterator(parent), fs::directory_iterator()), 1);  // the temporary
  }
  EXPECT_TRUE(fs::is_empty(parent));
  EXPECT_THAT([&] { ReadPartition(registry_, root_, kSnapshot, key_); },
              ::testing::ThrowsMessage<LakeError>(HasSubstr("input not ready")));
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
  ASSERT_EQ(Siblings(dir).size(), 1u);
  EXPECT_THAT(Siblings(dir)[0], ::testing::StartsWith(".tmp-dt=2026-01-06."));
  WritePartition(registry_, root_, kSnapshot, key_, *SnapshotTable(7), StageInfo{"s", {}, {}});
  EXPECT_THAT(Siblings(dir), ::testing::ElementsAre("dt=2026-01-06"));
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

// Bronze read with strings_as_dictionary (what the engine stages do): action and side arrive as dictionary
// arrays, across several batches, and MboBatchView gives the same rows as from plain strings.
TEST_F(PartitionTest, MboRowsReadTheSameFromDictionaryColumns) {
  const auto schema = registry_.Get("bronze.future_mbo.mbo").contract.ArrowSchema();
  constexpr int64_t kRows = 3000;
  std::vector<std::shared_ptr<arrow::Array>> cols;
  for (const auto& f : schema->fields()) {
    if (f->type()->id() == arrow::Type::STRING) {
      arrow::StringBuilder b;
      for (int64_t i = 0; i < kRows; ++i) {
        const std::string v = f->name() == "action" ? std::string(1, "ACMRTFN"[(i * 7 / 3) % 7])
                              : f->name() == "side" ? std::string(1, "ABN"[(i / 5) % 3])
                                                    : std::string("ESH6");
        EXPECT_TRUE(b.Append(v).ok());
      }
      cols.push_back(b.Finish().ValueOrDie());
    } else {
      arrow::Int64Builder b;
      for (int64_t i = 0; i < kRows; ++i) EXPECT_TRUE(b.Append(i).ok());
      cols.push_back(b.Finish().ValueOrDie());
    }
  }
  WritePartition(registry_, root_, "bronze.future_mbo.mbo", key_, *arrow::Table::Make(schema, cols, kRows),
                 StageInfo{"test", {}, {}});

  auto rows_of = [&](bool dictionary) {
    auto reader = OpenPartitionReader(registry_, root_, "bronze.future_mbo.mbo", key_, 1000,
                                      {"ts_event", "price", "size", "order_id", "sequence", "instrument_id", "flags",
                                       "action", "side"},
                                      dictionary);
    EXPECT_EQ(reader->schema()->GetFieldByName("side")->type()->id(),
              dictionary ? arrow::Type::DICTIONARY : arrow::Type::STRING);
    std::string chars;
    std::shared_ptr<arrow::RecordBatch> batch;
    while (reader->ReadNext(&batch).ok() && batch) {
      EXPECT_EQ(batch->GetColumnByName("action")->type_id(), dictionary ? arrow::Type::DICTIONARY : arrow::Type::STRING);
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
