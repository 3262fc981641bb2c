#include "source/raw_mbo_source.hpp"

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

void RawMboFilter::StartFile(const dbn::Decoder& decoder) { normalizer_.StartFile(decoder, yyyymmdd_); }

int32_t RawMboFilter::Keep() {
  // A name's partition index never changes once routed, but the partition may appear only later.
  const auto& names = normalizer_.router().partitions();
  if (keep_ < 0 && names.size() != partitions_seen_) {
    partitions_seen_ = names.size();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == partition_) keep_ = static_cast<int32_t>(i);
    }
  }
  return keep_;
}

bool RawMboFilter::Pump(dbn::Decoder& decoder, std::vector<book::MboEvent>& out, std::size_t max) {
  int32_t partition = -1;
  while (out.size() < max) {
    const dbn::MboMsg* row = normalizer_.Next(decoder, partition);
    if (row == nullptr) return false;
    if (partition != Keep()) {
      ++other_partition_;
      continue;
    }
    out.push_back(ToEvent(*row));
  }
  return true;
}

std::map<std::string, int64_t> RawMboFilter::Counters() const {
  const RawMboCounts& n = normalizer_.counts();
  std::map<std::string, int64_t> c = {{"raw_records_read", n.mbo},
                                      {"other_records_skipped", n.other},
                                      {"null_price_zeroed", n.zeroed},
                                      {"other_partition_records", other_partition_}};
  for (int d = 0; d < kDropReasons; ++d) {
    if (n.dropped[d] > 0) c[kDropCounter[d]] = n.dropped[d];
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

}  // namespace spymaster::source
