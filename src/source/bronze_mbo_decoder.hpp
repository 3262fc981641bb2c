// Bronze MBO record batches → engine events, with the checks a book needs: every field in range and rows
// in (ts_event, sequence) order. A bronze partition read back (BronzeMboSource) and bronze's own batches
// handed to the engine while they are written (TeeMboSource) both go through it, so they cannot differ.
#pragma once

#include <arrow/type_fwd.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "book/mbo_event.hpp"

namespace spymaster::source {

class BronzeMboDecoder {
 public:
  // `where` names the partition in error messages.
  explicit BronzeMboDecoder(std::string where) : where_(std::move(where)) {}

  // Replaces `events` with the batch's rows (the columns of lake::MboBookColumns; action and side as
  // strings or dictionaries). Throws a data Error naming the partition and row for a field out of
  // range or a row out of (ts_event, sequence) order, counting rows across batches.
  void Decode(const arrow::RecordBatch& batch, std::vector<book::MboEvent>& events);
  int64_t rows() const { return rows_; }
  const std::string& where() const { return where_; }

 private:
  std::string where_;
  int64_t rows_ = 0;
  int64_t prev_ts_ = std::numeric_limits<int64_t>::min();
  int64_t prev_seq_ = 0;
};

}  // namespace spymaster::source
