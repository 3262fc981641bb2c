// Engine records from a bronze MBO partition (sorted by (ts_event, sequence)), read column-wise in
// batches: only the nine columns the book needs, action and side as dictionary indices.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "source/bronze_mbo_decoder.hpp"
#include "source/bronze_partition_source.hpp"

namespace spymaster::source {

class BronzeMboSource final : public BronzePartitionSource {
 public:
  // Opens the complete partition (throws lake::LakeError when it is not ready or fails its manifest).
  BronzeMboSource(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                  std::string dataset_key, const lake::PartitionKey& partition);

  // Throws a data Error naming the partition and row for a field out of range or a row out of
  // (ts_event, sequence) order: bronze that breaks these cannot be trusted to build a book.
  std::span<const book::MboEvent> NextBatch() override;

 private:
  BronzeMboDecoder decoder_;  // the sort and range checks, shared with TeeMboSource
};

}  // namespace spymaster::source
