#include "source/bronze_mbo_source.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include "common/arrow_status.hpp"
#include "lake/mbo_rows.hpp"

namespace spymaster::source {

BronzeMboSource::BronzeMboSource(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                 std::string dataset_key, const lake::PartitionKey& partition)
    : decoder_(fmt::format("{} symbol={} dt={}", dataset_key, partition.symbol, partition.dt)),
      reader_(lake::OpenPartitionReader(registry, lake_root, dataset_key, partition, 1 << 16, lake::MboBookColumns(),
                                        /*strings_as_dictionary=*/true)) {}

std::span<const book::MboEvent> BronzeMboSource::NextBatch() {
  std::shared_ptr<arrow::RecordBatch> batch;
  CheckOk(reader_->ReadNext(&batch), [&] { return decoder_.where(); });
  events_.clear();
  if (!batch) return {};
  decoder_.Decode(*batch, events_);
  return events_;
}

}  // namespace spymaster::source
