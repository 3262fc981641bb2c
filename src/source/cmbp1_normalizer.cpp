#include "source/cmbp1_normalizer.hpp"

namespace spymaster::source {

void Cmbp1Normalizer::StartFile() {
  order_.Restart();
  index_ = -1;
}

const dbn::Cmbp1Msg* Cmbp1Normalizer::Next(dbn::Decoder& decoder, const OptionMeta*& meta) {
  while (const dbn::RecordRef* rec = decoder.Next()) {
    ++index_;
    const auto* msg = rec->Get<dbn::Cmbp1Msg>();
    if (msg == nullptr || msg->hd.rtype != dbn::RType::kCmbp1) {  // Cmbp1Msg also reads TCBBO
      ++counts_.other;
      continue;
    }
    ++counts_.cmbp1;
    order_.Check(decoder, index_, msg->ts_recv);
    if (!have_last_ || msg->hd.instrument_id != last_id_) {
      last_id_ = msg->hd.instrument_id;
      have_last_ = true;
      const auto found = definitions_.zero_dte.find(last_id_);
      last_meta_ = found == definitions_.zero_dte.end() ? nullptr : &found->second;
    }
    if (last_meta_ == nullptr) {
      ++counts_.not_zero_dte;
      continue;
    }
    row_ = *msg;
    auto& level = row_.levels[0];
    for (int64_t* price : {&level.bid_px, &level.ask_px}) {
      if (*price == dbn::kUndefPrice) {
        *price = 0;
        ++counts_.null_prices;
      }
    }
    meta = last_meta_;
    return &row_;
  }
  return nullptr;
}

}  // namespace spymaster::source
