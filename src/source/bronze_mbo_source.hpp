// Engine records from a bronze MBO partition (sorted by (ts_event, sequence)), read column-wise in
// batches: only the nine columns the book needs, action and side as dictionary indices.
#pragma once

#include <arrow/type_fwd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "lake/registry.hpp"
#include "source/bronze_mbo_decoder.hpp"

namespace spymaster::source {

class BronzeMboSource final : public engine::RecordSource {
 public:
  // Opens the complete partition (throws lake::LakeError when it is not ready or fails its manifest).
  BronzeMboSource(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                  std::string dataset_key, const lake::PartitionKey& partition);

  // Throws std::runtime_error naming the partition and row for a field out of range or a row out of
  // (ts_event, sequence) order: bronze that breaks these cannot be trusted to build a book.
  std::span<const book::MboEvent> NextBatch() override;
  std::map<std::string, int64_t> Counters() const override { return {{"bronze_rows_read", decoder_.rows()}}; }

 private:
  BronzeMboDecoder decoder_;
  std::shared_ptr<arrow::RecordBatchReader> reader_;
  std::vector<book::MboEvent> events_;
};

}  // namespace spymaster::source
