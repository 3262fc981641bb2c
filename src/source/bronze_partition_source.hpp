// What the bronze record sources (BronzeMboSource, BronzeCmbp1Source) share: one complete partition read
// column-wise a batch at a time, its name for errors, the check that rows come sorted, and the rows-read
// counter. Each source turns its batches into engine events.
#pragma once

#include <arrow/type_fwd.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "lake/registry.hpp"

namespace spymaster::source {

class BronzePartitionSource : public engine::RecordSource {
 public:
  std::map<std::string, int64_t> Counters() const override { return {{"bronze_rows_read", rows_}}; }

 protected:
  // Opens the complete partition (throws lake::LakeError when it is not ready or fails its manifest).
  BronzePartitionSource(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                        std::string_view dataset_key, const lake::PartitionKey& partition, int64_t batch_rows,
                        const std::vector<std::string>& columns, bool strings_as_dictionary);

  // The next batch, nullptr at the end. Throws naming the partition when the read fails.
  std::shared_ptr<arrow::RecordBatch> ReadBatch();
  // Row rows_ has sort key (ts_event, tie); throws a data Error naming the partition, the row and both keys
  // when it is lower than the previous row's (`order` names the key, e.g. "(ts_event, sequence)").
  void CheckSorted(int64_t ts_event, int64_t tie, std::string_view order) {
    if (ts_event < prev_ts_ || (ts_event == prev_ts_ && tie < prev_tie_)) [[unlikely]] {
      ThrowUnsorted(ts_event, tie, order);
    }
    prev_ts_ = ts_event;
    prev_tie_ = tie;
  }

  std::string where_;  // "<dataset> symbol=<s> dt=<d>"
  std::vector<book::MboEvent> events_;
  int64_t rows_ = 0;  // rows read so far (the next row's index)

 private:
  [[noreturn]] void ThrowUnsorted(int64_t ts_event, int64_t tie, std::string_view order) const;

  std::shared_ptr<arrow::RecordBatchReader> reader_;
  int64_t prev_ts_ = std::numeric_limits<int64_t>::min();
  int64_t prev_tie_ = std::numeric_limits<int64_t>::min();
};

}  // namespace spymaster::source
