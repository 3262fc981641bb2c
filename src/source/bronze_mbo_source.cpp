#include "source/bronze_mbo_source.hpp"

#include <arrow/api.h>

#include "lake/mbo_rows.hpp"

namespace spymaster::source {

BronzeMboSource::BronzeMboSource(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                 std::string dataset_key, const lake::PartitionKey& partition)
    : BronzePartitionSource(registry, lake_root, dataset_key, partition, 1 << 16, lake::MboBookColumns(),
                            /*strings_as_dictionary=*/true),
      decoder_(where_) {}

std::span<const book::MboEvent> BronzeMboSource::NextBatch() {
  const std::shared_ptr<arrow::RecordBatch> batch = ReadBatch();
  events_.clear();
  if (!batch) return {};
  decoder_.Decode(*batch, events_);
  rows_ = decoder_.rows();
  return events_;
}

}  // namespace spymaster::source
