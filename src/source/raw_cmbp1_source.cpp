#include "source/raw_cmbp1_source.hpp"

#include <stdexcept>

namespace spymaster::source {
namespace {

constexpr std::size_t kBatchTops = 1 << 13;  // two events each

const OptionDefinitions& DefinitionsOf(const RawCmbp1Options& options) {
  if (options.files.empty()) throw std::invalid_argument("raw CMBP-1 source: no input files");
  if (options.definitions == nullptr) throw std::invalid_argument("raw CMBP-1 source: no option definitions");
  return *options.definitions;
}

}  // namespace

RawCmbp1Source::RawCmbp1Source(RawCmbp1Options options)
    : options_(std::move(options)), normalizer_(DefinitionsOf(options_)) {
  events_.reserve(2 * kBatchTops);
}

std::span<const book::MboEvent> RawCmbp1Source::NextBatch() {
  events_.clear();
  const OptionMeta* meta = nullptr;
  while (events_.size() < 2 * kBatchTops) {
    if (!decoder_) {
      if (next_file_ == options_.files.size()) break;
      decoder_ = std::make_unique<dbn::Decoder>(dbn::Decoder::FromFile(options_.files[next_file_++]));
      normalizer_.StartFile();
    }
    const dbn::Cmbp1Msg* row = normalizer_.Next(*decoder_, meta);
    if (row == nullptr) {
      decoder_.reset();
      continue;
    }
    if (meta->underlying != options_.underlying) {
      ++other_underlying_;
      continue;
    }
    const auto& top = row->levels[0];
    events_.resize(events_.size() + 2);
    QuoteEvents(row->hd.ts_event, row->hd.instrument_id, static_cast<uint32_t>(kept_++), top.bid_px, top.bid_sz,
                top.ask_px, top.ask_sz, &events_[events_.size() - 2]);
  }
  return events_;
}

std::map<std::string, int64_t> RawCmbp1Source::Counters() const {
  const RawCmbp1Counts& n = normalizer_.counts();
  return {{"raw_records_read", n.cmbp1},
          {"other_records_skipped", n.other},
          {"not_0dte_dropped", n.not_zero_dte},
          {"null_price_zeroed", n.null_prices},
          {"other_partition_records", other_underlying_}};
}

}  // namespace spymaster::source
