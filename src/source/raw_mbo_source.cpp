#include "source/raw_mbo_source.hpp"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>

namespace spymaster::source {
namespace {

constexpr std::size_t kBatch = 1 << 14;

book::MboEvent ToEvent(const dbn::MboMsg& m) {
  book::MboEvent e;
  e.ts_event = m.hd.ts_event;
  e.order_id = m.order_id;
  e.price = m.price;
  e.size = m.size;
  e.instrument_id = m.hd.instrument_id;
  e.sequence = m.sequence;
  e.action = m.action;
  e.side = m.side;
  e.flags = m.flags;
  return e;
}

}  // namespace

void RawMboFilter::StartFile(const dbn::Decoder& decoder) {
  router_.StartFile(decoder.metadata(), options_.yyyymmdd);
  prev_ts_recv_ = 0;
  index_ = -1;
}

bool RawMboFilter::Pump(dbn::Decoder& decoder, std::vector<book::MboEvent>& out, std::size_t max) {
  while (out.size() < max) {
    const dbn::RecordRef* rec = decoder.Next();
    if (rec == nullptr) return false;
    ++index_;
    const auto* msg = rec->Get<dbn::MboMsg>();
    if (msg == nullptr) {
      if (const auto* mapping = rec->Get<dbn::SymbolMappingMsg>()) {
        router_.OnSymbolMapping(*mapping);
        keep_ = -2;  // the partition's index cannot change, but it may appear only now
      } else {
        ++other_;
      }
      continue;
    }
    ++mbo_;
    if (msg->ts_recv < prev_ts_recv_) [[unlikely]] {
      decoder.VerifyRest();  // a corrupt zstd frame is the likelier cause, and the better message
      throw std::runtime_error(
          fmt::format("raw file {}: record {} at byte offset {} is out of order (ts_recv {} < previous {})",
                      decoder.source_name(), index_, decoder.record_offset(), msg->ts_recv, prev_ts_recv_));
    }
    prev_ts_recv_ = msg->ts_recv;
    const Route route = router_.RouteOf(msg->hd.instrument_id);
    if (route.partition < 0) {
      ++dropped_[route.drop];
      continue;
    }
    if (keep_ == -2) {
      const auto& names = router_.partitions();
      keep_ = -1;
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == options_.partition) keep_ = static_cast<int32_t>(i);
      }
    }
    if (route.partition != keep_) {
      ++other_partition_;
      continue;
    }
    dbn::MboMsg row = *msg;
    switch (NormalizePrice(row)) {
      case PriceCheck::kOk:
        break;
      case PriceCheck::kZeroed:
        ++zeroed_;
        break;
      case PriceCheck::kMissing:
        decoder.VerifyRest();
        throw std::runtime_error(
            fmt::format("raw file {}: record {} at byte offset {}: MBO action '{}' without a price (order {})",
                        decoder.source_name(), index_, decoder.record_offset(), row.action, row.order_id));
    }
    out.push_back(ToEvent(row));
  }
  return true;
}

std::map<std::string, int64_t> RawMboFilter::Counters() const {
  std::map<std::string, int64_t> c = {{"raw_records_read", mbo_},
                                      {"other_records_skipped", other_},
                                      {"null_price_zeroed", zeroed_},
                                      {"other_partition_records", other_partition_}};
  for (int d = 0; d < kDropReasons; ++d) {
    if (dropped_[d] > 0) c[kDropCounter[d]] = dropped_[d];
  }
  return c;
}

RawMboSource::RawMboSource(RawMboOptions options) : options_(std::move(options)), filter_(options_) {
  if (options_.files.empty()) throw std::invalid_argument("raw MBO source: no input files");
  events_.reserve(kBatch);
}

std::span<const book::MboEvent> RawMboSource::NextBatch() {
  events_.clear();
  while (events_.empty()) {
    if (!decoder_) {
      if (next_file_ == options_.files.size()) return {};
      const auto& file = options_.files[next_file_++];
      decoder_ = std::make_unique<dbn::Decoder>(file == "-" ? dbn::Decoder::FromStdin() : dbn::Decoder::FromFile(file));
      filter_.StartFile(*decoder_);
    }
    if (!filter_.Pump(*decoder_, events_, kBatch)) decoder_.reset();
  }
  return events_;
}

PushMboFeed::PushMboFeed(RawMboOptions options, std::string name)
    : options_(std::move(options)), filter_(options_), decoder_(dbn::Decoder::Push({}, std::move(name))) {}

std::span<const book::MboEvent> PushMboFeed::Drain() {
  events_.clear();
  if (!started_) {
    if (!decoder_.PollStart()) return events_;
    filter_.StartFile(decoder_);
    started_ = true;
  }
  while (filter_.Pump(decoder_, events_, std::numeric_limits<std::size_t>::max())) {
  }
  return events_;
}

std::span<const book::MboEvent> PushMboFeed::Feed(std::span<const std::byte> bytes) {
  decoder_.Feed(bytes);
  return Drain();
}

std::span<const book::MboEvent> PushMboFeed::Finish() {
  decoder_.FinishInput();
  return Drain();
}

}  // namespace spymaster::source
