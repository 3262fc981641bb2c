// ExportFlatBatch against Arrow's own importer (the one pyarrow runs): the batch comes back equal and on
// the same buffers, and the export keeps the batch alive exactly as long as the C data interface says,
// including a column the consumer moved out and released after the parent.
#include "python/batch_export.hpp"

#include <arrow/api.h>
#include <arrow/c/bridge.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "common/error.hpp"

namespace spymaster::python {
namespace {

std::shared_ptr<arrow::RecordBatch> SampleBatch() {
  arrow::Int64Builder ints;
  arrow::DoubleBuilder doubles;
  arrow::BooleanBuilder bools;
  arrow::StringBuilder strings;
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(ints.Append(i * 1'000'000'007LL).ok());
    EXPECT_TRUE(doubles.Append(i * 0.25).ok());
    EXPECT_TRUE(bools.Append(i % 3 == 0).ok());
    EXPECT_TRUE(strings.Append(i % 2 == 0 ? "A" : "B").ok());
  }
  auto schema =
      arrow::schema({arrow::field("ts", arrow::int64(), false), arrow::field("qty", arrow::float64(), false),
                     arrow::field("valid", arrow::boolean(), false), arrow::field("side", arrow::utf8(), false)});
  return arrow::RecordBatch::Make(schema, 100,
                                  {ints.Finish().ValueOrDie(), doubles.Finish().ValueOrDie(),
                                   bools.Finish().ValueOrDie(), strings.Finish().ValueOrDie()});
}

TEST(BatchExport, ArrowsImporterGetsTheSameRowsOnTheSameBuffers) {
  auto batch = SampleBatch();
  const std::weak_ptr<arrow::RecordBatch> alive = batch;
  const std::shared_ptr<arrow::RecordBatch> want = batch;
  ArrowArray c_array;
  ExportFlatBatch(batch, &c_array);
  batch.reset();
  auto imported = arrow::ImportRecordBatch(&c_array, want->schema()).ValueOrDie();
  EXPECT_EQ(c_array.release, nullptr);  // moved into the import
  ASSERT_TRUE(imported->Equals(*want));
  for (int i = 0; i < want->num_columns(); ++i) {
    const auto& got_buffers = imported->column_data(i)->buffers;
    const auto& want_buffers = want->column_data(i)->buffers;
    ASSERT_EQ(got_buffers.size(), want_buffers.size());
    for (std::size_t b = 1; b < want_buffers.size(); ++b) {
      EXPECT_EQ(got_buffers[b]->data(), want_buffers[b]->data()) << "column " << i << " buffer " << b;
    }
  }
  EXPECT_EQ(alive.use_count(), 2);  // `want` and the export
  imported.reset();
  EXPECT_EQ(alive.use_count(), 1);  // released with the import
}

TEST(BatchExport, AColumnMovedOutOutlivesItsParent) {
  auto batch = SampleBatch();
  const std::weak_ptr<arrow::RecordBatch> alive = batch;
  const auto want = batch->column(3);
  const auto type = want->type();
  ArrowArray parent;
  ExportFlatBatch(std::move(batch), &parent);
  ASSERT_EQ(parent.n_children, 4);
  // Move the side column out, as the C data interface lets a consumer do, then release the parent.
  ArrowArray child;
  std::memcpy(&child, parent.children[3], sizeof(ArrowArray));
  parent.children[3]->release = nullptr;
  parent.release(&parent);
  EXPECT_EQ(parent.release, nullptr);
  EXPECT_FALSE(alive.expired());  // the moved column still holds the batch
  auto column = arrow::ImportArray(&child, type).ValueOrDie();
  EXPECT_TRUE(column->Equals(*want));
  column.reset();
  EXPECT_TRUE(alive.expired());
}

TEST(BatchExport, ReleasingTheParentReleasesEveryColumn) {
  auto batch = SampleBatch();
  const std::weak_ptr<arrow::RecordBatch> alive = batch;
  ArrowArray parent;
  ExportFlatBatch(std::move(batch), &parent);
  EXPECT_FALSE(alive.expired());
  parent.release(&parent);
  EXPECT_TRUE(alive.expired());
}

TEST(BatchExport, NestedColumnsAreRefusedByName) {
  CheckFlatSchema(*SampleBatch()->schema());
  const auto nested =
      arrow::schema({arrow::field("ts", arrow::int64()), arrow::field("legs", arrow::list(arrow::int64()))});
  try {
    CheckFlatSchema(*nested);
    FAIL() << "a list column passed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("column 'legs' of type list<item: int64>"), std::string::npos) << e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kData);
  }
}

}  // namespace
}  // namespace spymaster::python
