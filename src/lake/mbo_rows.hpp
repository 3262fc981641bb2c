// Fast row access to bronze MBO record batches (the 15-column MboEvent contract and the option
// variant, which adds 4 columns): typed column pointers, one small struct per row.
//
//   auto reader = lake::OpenPartitionReader(registry, root, "bronze.future_mbo.mbo", {"ESH6", dt});
//   while (batch = reader->Next()) { lake::MboBatchView v(*batch); for (i...) Apply(v.Row(i)); }
#pragma once

#include <cstdint>

#include <arrow/type_fwd.h>

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

class MboBatchView {
 public:
  // Throws std::invalid_argument when a required column is missing or mistyped.
  // ts_recv may be left out of the batch (the book does not use it); Row().ts_recv is then 0.
  explicit MboBatchView(const arrow::RecordBatch& batch);

  int64_t size() const { return rows_; }
  MboRow Row(int64_t i) const {
    return MboRow{ts_recv_ != nullptr ? ts_recv_[i] : 0, ts_event_[i], price_[i],    size_[i], order_id_[i],
                  sequence_[i], instrument_id_[i], flags_[i], Char(action_, action_offsets_, i),
                  Char(side_, side_offsets_, i)};
  }

 private:
  static char Char(const uint8_t* data, const int32_t* offsets, int64_t i) {
    return offsets[i + 1] > offsets[i] ? static_cast<char>(data[offsets[i]]) : '\0';
  }

  int64_t rows_;
  const int64_t* ts_recv_;
  const int64_t* ts_event_;
  const int64_t* price_;
  const int64_t* size_;
  const int64_t* order_id_;
  const int64_t* sequence_;
  const int64_t* instrument_id_;
  const int64_t* flags_;
  const uint8_t* action_;
  const int32_t* action_offsets_;
  const uint8_t* side_;
  const int32_t* side_offsets_;
};

}  // namespace spymaster::lake
