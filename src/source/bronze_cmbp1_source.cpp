#include "source/bronze_cmbp1_source.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "common/error.hpp"
#include "source/cmbp1_normalizer.hpp"

namespace spymaster::source {
namespace {

const std::vector<std::string> kColumns = {"ts_event",  "ts_recv",   "instrument_id", "bid_px_00",
                                           "ask_px_00", "bid_sz_00", "ask_sz_00"};

}  // namespace

BronzeCmbp1Source::BronzeCmbp1Source(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                     std::string dataset_key, const lake::PartitionKey& partition)
    : BronzePartitionSource(registry, lake_root, dataset_key, partition, 1 << 15, kColumns,
                            /*strings_as_dictionary=*/false) {}

std::span<const book::MboEvent> BronzeCmbp1Source::NextBatch() {
  constexpr int64_t kU32 = std::numeric_limits<uint32_t>::max();
  const std::shared_ptr<arrow::RecordBatch> batch = ReadBatch();
  events_.clear();
  if (!batch) return {};
  // By name: Parquet hands the columns back in file order (ts_recv first), not in kColumns' order.
  const int64_t* col[7];
  for (int c = 0; c < 7; ++c) {
    const auto column = batch->GetColumnByName(kColumns[c]);
    const auto* a = dynamic_cast<const arrow::Int64Array*>(column.get());
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
    CheckSorted(ts, recv, "(ts_event, ts_recv)");
    if (ts < 0 || iid < 0 || iid > kU32 || col[5][i] > kU32 || col[6][i] > kU32) {
      throw Error(ErrorKind::kData,
                  fmt::format("{}: row {} has a field out of range (ts_event {}, instrument_id {}, sizes {} {})",
                              where_, rows_, ts, iid, col[5][i], col[6][i]));
    }
    QuoteEvents(static_cast<uint64_t>(ts), static_cast<uint32_t>(iid), static_cast<uint32_t>(rows_), col[3][i],
                static_cast<uint32_t>(std::max<int64_t>(0, col[5][i])), col[4][i],
                static_cast<uint32_t>(std::max<int64_t>(0, col[6][i])), &events_[static_cast<std::size_t>(2 * i)]);
  }
  return events_;
}

}  // namespace spymaster::source
