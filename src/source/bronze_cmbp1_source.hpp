// Engine records from a bronze CMBP-1 partition (OPRA consolidated top of book, sorted by (ts_event,
// ts_recv)): each row becomes two book::QuoteTops records, the bid side then the ask side (action 'Q'),
// so CMBP-1 runs through the same merge and Drive loop as MBO.
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

namespace spymaster::source {

class BronzeCmbp1Source final : public engine::RecordSource {
 public:
  // Opens the complete partition (throws lake::LakeError when it is not ready or fails its manifest).
  BronzeCmbp1Source(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                    std::string dataset_key, const lake::PartitionKey& partition);

  // Throws a data Error naming the partition and row for a row out of (ts_event, ts_recv) order or a
  // field out of range. Negative sizes count as an empty side (silver.md §6: sizes clamped at 0).
  std::span<const book::MboEvent> NextBatch() override;
  std::map<std::string, int64_t> Counters() const override { return {{"bronze_rows_read", rows_}}; }

 private:
  std::string where_;
  std::shared_ptr<arrow::RecordBatchReader> reader_;
  std::vector<book::MboEvent> events_;
  int64_t rows_ = 0;
  int64_t prev_ts_;
  int64_t prev_recv_;
};

}  // namespace spymaster::source
