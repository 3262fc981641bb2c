// Engine records from a bronze CMBP-1 partition (OPRA consolidated top of book, sorted by (ts_event,
// ts_recv)): each row becomes two book::QuoteTops records, the bid side then the ask side (action 'Q',
// source::QuoteEvents, as from raw), so CMBP-1 runs through the same merge and Drive loop as MBO.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "source/bronze_partition_source.hpp"

namespace spymaster::source {

class BronzeCmbp1Source final : public BronzePartitionSource {
 public:
  // Opens the complete partition (throws lake::LakeError when it is not ready or fails its manifest).
  BronzeCmbp1Source(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                    std::string dataset_key, const lake::PartitionKey& partition);

  // Throws a data Error naming the partition and row for a row out of (ts_event, ts_recv) order or a
  // field out of range. Negative sizes count as an empty side (silver.md §6: sizes clamped at 0).
  std::span<const book::MboEvent> NextBatch() override;
};

}  // namespace spymaster::source
