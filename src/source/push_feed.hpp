// The push form of a raw DBN source (the Live client's): bytes go in as they arrive, in any split, and the
// engine events they complete come out: the events the pull source gives for a file of the same bytes,
// since both run the same `Filter` over their decoder:
//   void StartFile(const dbn::Decoder&)    once the stream's metadata is in;
//   bool Pump(dbn::Decoder&, std::vector<book::MboEvent>& out, std::size_t max)
//                                          appends the kept events of the decoder's ready records until `out`
//                                          holds `max`; false when the decoder has nothing ready;
//   std::map<std::string, int64_t> Counters() const.
// PushMboFeed (raw_mbo_source.hpp) and PushCmbp1Feed (raw_cmbp1_source.hpp) are its two forms.
#pragma once

#include <cstddef>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "book/mbo_event.hpp"
#include "dbn/decoder.hpp"

namespace spymaster::source {

template <class Filter>
class PushFeed {
 public:
  // `name` appears in errors; `filter_args` construct the Filter.
  template <class... FilterArgs>
  explicit PushFeed(std::string name, FilterArgs&&... filter_args)
      : filter_(std::forward<FilterArgs>(filter_args)...), decoder_(dbn::Decoder::Push({}, std::move(name))) {}

  // Hands in the next bytes; returns the kept events they complete, valid until the next call.
  std::span<const book::MboEvent> Feed(std::span<const std::byte> bytes) {
    decoder_.Feed(bytes);
    return Drain();
  }
  // No more bytes; returns the last events. Throws dbn::DecodeError when the input stops mid-record.
  std::span<const book::MboEvent> Finish() {
    decoder_.FinishInput();
    return Drain();
  }
  std::map<std::string, int64_t> Counters() const { return filter_.Counters(); }

 private:
  std::span<const book::MboEvent> Drain() {
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

  Filter filter_;
  dbn::Decoder decoder_;
  bool started_ = false;
  std::vector<book::MboEvent> events_;
};

}  // namespace spymaster::source
