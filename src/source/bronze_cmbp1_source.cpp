#include "source/bronze_cmbp1_source.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "book/quote_tops.hpp"
#include "common/arrow_status.hpp"
#include "common/error.hpp"

namespace spymaster::source {
namespace {

const std::vector<std::string> kColumns = {"ts_event",  "ts_recv",   "instrument_id", "bid_px_00",
                                           "ask_px_00", "bid_sz_00", "ask_sz_00"};

}  // namespace

BronzeCmbp1Source::BronzeCmbp1Source(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                     std::string dataset_key, const lake::PartitionKey& partition)
    : where_(fmt::format("{} symbol={} dt={}", dataset_key, partition.symbol, partition.dt)),
      reader_(lake::OpenPartitionReader(registry, lake_root, dataset_key, partition, 1 << 15, kColumns)),
      prev_ts_(std::numeric_limits<int64_t>::min()),
      prev_recv_(std::numeric_limits<int64_t>::min()) {}

std::span<const book::MboEvent> BronzeCmbp1Source::NextBatch() {
  constexpr int64_t kU32 = std::numeric_limits<uint32_t>::max();
  std::shared_ptr<arrow::RecordBatch> batch;
  CheckOk(reader_->ReadNext(&batch), [&] { return where_; });
  events_.clear();
  if (!batch) return {};
  const int64_t* col[7];
  for (int c = 0; c < 7; ++c) {
    const auto* a = dynamic_cast<const arrow::Int64Array*>(batch->column(c).get());
    if (a == nullptr || a->null_count() > 0) {
      throw Error(ErrorKind::kData, fmt::format("{}: column {} is not a non-null int64", where_, kColumns[c]));
    }
    col[c] = a->raw_values();
  }
  events_.resize(static_cast<std::size_t>(batch->num_rows()) * 2);
  for (int64_t i = 0; i < batch->num_rows(); ++i, ++rows_) {
    const int64_t ts = col[0][i];
    const int64_t recv = col[1][i];
    const int64_t iid = col[2][i];
    if (ts < prev_ts_ || (ts == prev_ts_ && recv < prev_recv_)) {
      throw Error(ErrorKind::kData,
                  fmt::format("{}: row {} is out of (ts_event, ts_recv) order: ({}, {}) after ({}, {}); bronze must "
                              "be sorted",
                              where_, rows_, ts, recv, prev_ts_, prev_recv_));
    }
    prev_ts_ = ts;
    prev_recv_ = recv;
    if (ts < 0 || iid < 0 || iid > kU32 || col[5][i] > kU32 || col[6][i] > kU32) {
      throw Error(ErrorKind::kData,
                  fmt::format("{}: row {} has a field out of range (ts_event {}, instrument_id {}, sizes {} {})",
                              where_, rows_, ts, iid, col[5][i], col[6][i]));
    }
    for (int s = 0; s < 2; ++s) {
      book::MboEvent& e = events_[static_cast<std::size_t>(2 * i + s)];
      e = book::MboEvent{};
      e.ts_event = static_cast<uint64_t>(ts);
      e.instrument_id = static_cast<uint32_t>(iid);
      e.sequence = static_cast<uint32_t>(rows_);
      e.action = book::kQuoteAction;
      e.side = s == 0 ? 'B' : 'A';
      e.price = col[3 + s][i];
      e.size = static_cast<uint32_t>(std::max<int64_t>(0, col[5 + s][i]));
    }
  }
  return events_;
}

}  // namespace spymaster::source
