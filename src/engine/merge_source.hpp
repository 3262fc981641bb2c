// Two record sources as one stream in ts_event order (ties: the first source first), each record tagged
// with its input (MboEvent::origin 0 or 1). The option engine reads its underlying's records and its
// options' records through one of these, so both advance one window clock (architecture.md, Options).
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/record_source.hpp"

namespace spymaster::engine {

class MergeSource final : public RecordSource {
 public:
  MergeSource(std::unique_ptr<RecordSource> first, std::unique_ptr<RecordSource> second, std::size_t batch = 4096)
      : inputs_{Input{std::move(first)}, Input{std::move(second)}}, batch_(batch) {
    out_.reserve(batch_);
  }

  std::span<const book::MboEvent> NextBatch() override {
    out_.clear();
    while (out_.size() < batch_) {
      for (Input& in : inputs_) Refill(in);
      const bool have0 = inputs_[0].pos < inputs_[0].batch.size();
      const bool have1 = inputs_[1].pos < inputs_[1].batch.size();
      if (!have0 && !have1) break;
      const int pick =
          !have1 || (have0 && inputs_[0].batch[inputs_[0].pos].ts_event <= inputs_[1].batch[inputs_[1].pos].ts_event)
              ? 0
              : 1;
      book::MboEvent e = inputs_[pick].batch[inputs_[pick].pos++];
      e.origin = static_cast<uint8_t>(pick);
      out_.push_back(e);
    }
    return out_;
  }

  std::map<std::string, int64_t> Counters() const override {
    std::map<std::string, int64_t> all = inputs_[1].source->Counters();
    for (const auto& [name, value] : inputs_[0].source->Counters()) all["underlying_" + name] = value;
    return all;
  }

 private:
  struct Input {
    std::unique_ptr<RecordSource> source;
    std::span<const book::MboEvent> batch = {};
    std::size_t pos = 0;
    bool done = false;
  };
  static void Refill(Input& in) {
    if (in.pos < in.batch.size() || in.done) return;
    in.batch = in.source->NextBatch();
    in.pos = 0;
    in.done = in.batch.empty();
  }

  Input inputs_[2];
  std::size_t batch_;
  std::vector<book::MboEvent> out_;
};

}  // namespace spymaster::engine
