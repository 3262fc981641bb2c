// Fast row access to bronze MBO record batches (the 15-column MboEvent contract and the option
// variant, which adds 4 columns): typed column pointers, one small struct per row.
//
//   auto reader = lake::OpenPartitionReader(registry, root, "bronze.future_mbo.mbo", {"ESH6", dt});
//   while (batch = reader->Next()) { lake::MboBatchView v(*batch); for (i...) Apply(v.Row(i)); }
#pragma once

#include <arrow/type_fwd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace spymaster::lake {

struct MboRow {
  int64_t ts_recv;
  int64_t ts_event;
  int64_t price;  // 1e-9 fixed point; 0 where the raw record had the null sentinel (C/R/T/F/N)
  int64_t size;
  int64_t order_id;
  int64_t sequence;
  int64_t instrument_id;
  int64_t flags;
  char action;  // A C M R T F N
  char side;    // A B N
};

// The bronze columns the book reads, for OpenPartitionReader: skipping ts_recv, ts_in_delta, symbol and
// the constant ids saves about half of the decoding.
inline const std::vector<std::string>& MboBookColumns() {
  static const std::vector<std::string> kColumns = {"ts_event",      "price", "size",   "order_id", "sequence",
                                                    "instrument_id", "flags", "action", "side"};
  return kColumns;
}

class MboBatchView {
 public:
  // Throws a data Error naming the column when one is missing or mistyped. action and side may be
  // string or dictionary<int32, string> columns (OpenPartitionReader's strings_as_dictionary); an empty
  // string reads as '\0'. ts_recv may be left out of the batch (the book does not use it); Row().ts_recv
  // is then 0.
  explicit MboBatchView(const arrow::RecordBatch& batch);

  int64_t size() const { return rows_; }
  MboRow Row(int64_t i) const {
    return MboRow{ts_recv_ != nullptr ? ts_recv_[i] : 0,
                  ts_event_[i],
                  price_[i],
                  size_[i],
                  order_id_[i],
                  sequence_[i],
                  instrument_id_[i],
                  flags_[i],
                  action_[i],
                  side_[i]};
  }

 private:
  int64_t rows_;
  const int64_t* ts_recv_;
  const int64_t* ts_event_;
  const int64_t* price_;
  const int64_t* size_;
  const int64_t* order_id_;
  const int64_t* sequence_;
  const int64_t* instrument_id_;
  const int64_t* flags_;
  // One char per row, decoded once per batch from either column encoding.
  std::vector<char> action_;
  std::vector<char> side_;
};

}  // namespace spymaster::lake
