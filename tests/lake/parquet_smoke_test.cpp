// Retires the Arrow/Parquet-from-pyarrow linking risk: write a Parquet file and read it back.
#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>

#include <filesystem>

namespace {

TEST(ParquetSmoke, WriteThenReadRoundTrips) {
  arrow::Int64Builder ts;
  arrow::DoubleBuilder px;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(ts.Append(1'767'710'000'000'000'000 + i).ok());
    ASSERT_TRUE(px.Append(6900.25 + i * 0.25).ok());
  }
  auto schema =
      arrow::schema({arrow::field("ts_event", arrow::int64(), false), arrow::field("price", arrow::float64(), false)});
  auto table = arrow::Table::Make(schema, {ts.Finish().ValueOrDie(), px.Finish().ValueOrDie()});

  auto path = std::filesystem::temp_directory_path() / "spymaster_parquet_smoke.parquet";
  auto out = arrow::io::FileOutputStream::Open(path.string()).ValueOrDie();
  auto props = parquet::WriterProperties::Builder().compression(parquet::Compression::ZSTD)->build();
  ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 256, props).ok());
  ASSERT_TRUE(out->Close().ok());

  auto in = arrow::io::ReadableFile::Open(path.string()).ValueOrDie();
  auto reader = parquet::arrow::OpenFile(in, arrow::default_memory_pool()).ValueOrDie();
  std::shared_ptr<arrow::Table> back;
  ASSERT_TRUE(reader->ReadTable(&back).ok());
  EXPECT_EQ(back->num_rows(), 1000);
  EXPECT_TRUE(back->schema()->Equals(*schema));
  EXPECT_TRUE(back->Equals(*table));
  std::filesystem::remove(path);
}

}  // namespace
