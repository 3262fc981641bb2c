#include "source/bronze_partition_source.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include "common/arrow_status.hpp"
#include "common/error.hpp"

namespace spymaster::source {

BronzePartitionSource::BronzePartitionSource(const lake::DatasetRegistry& registry,
                                             const std::filesystem::path& lake_root, std::string_view dataset_key,
                                             const lake::PartitionKey& partition, int64_t batch_rows,
                                             const std::vector<std::string>& columns, bool strings_as_dictionary)
    : where_(fmt::format("{} symbol={} dt={}", dataset_key, partition.symbol, partition.dt)),
      reader_(lake::OpenPartitionReader(registry, lake_root, dataset_key, partition, batch_rows, columns,
                                        strings_as_dictionary)) {}

std::shared_ptr<arrow::RecordBatch> BronzePartitionSource::ReadBatch() {
  std::shared_ptr<arrow::RecordBatch> batch;
  CheckOk(reader_->ReadNext(&batch), [&] { return where_; });
  return batch;
}

void BronzePartitionSource::ThrowUnsorted(int64_t ts_event, int64_t tie, std::string_view order) const {
  throw Error(ErrorKind::kData, fmt::format("{}: row {} is out of {} order: ({}, {}) after ({}, {}); bronze must be "
                                            "sorted",
                                            where_, rows_, order, ts_event, tie, prev_ts_, prev_tie_));
}

}  // namespace spymaster::source
