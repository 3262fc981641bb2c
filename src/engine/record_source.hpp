// Where the engine's records come from, and the one loop that feeds them to it.
//
//   source::BronzeMboSource src(registry, lake_root, "bronze.future_mbo.mbo", {"ESH6", dt});
//   engine::Engine engine(engine::FutureMboConfig(), options, sink);
//   engine::Drive(src, engine);
//
// A source hands out events in arrival order, a batch at a time (one virtual call per batch, none per
// record). Sources are interchangeable: a raw DBN day file, a bronze partition, a vector (tests), a live
// socket; the engine's window clock (window_clock.hpp) gives every one of them the same windows.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "book/mbo_event.hpp"
#include "engine/engine.hpp"

namespace spymaster::engine {

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // The next events, valid until the next call; empty at the end of input. Throws on bad input with a
  // message naming the file and record.
  virtual std::span<const book::MboEvent> NextBatch() = 0;
  // What the source read and dropped, by name (merged into the manifest's counters).
  virtual std::map<std::string, int64_t> Counters() const { return {}; }
};

// Events held in memory (tests, benchmarks), handed out in batches of batch_size.
class VectorSource final : public RecordSource {
 public:
  explicit VectorSource(std::vector<book::MboEvent> events, std::size_t batch_size = 4096)
      : events_(std::move(events)), batch_size_(batch_size == 0 ? 1 : batch_size) {}
  std::span<const book::MboEvent> NextBatch() override {
    const std::size_t n = std::min(batch_size_, events_.size() - pos_);
    std::span<const book::MboEvent> batch(events_.data() + pos_, n);
    pos_ += n;
    return batch;
  }

 private:
  std::vector<book::MboEvent> events_;
  std::size_t batch_size_;
  std::size_t pos_ = 0;
};

// Events held in memory by the caller (benchmarks: one copy for every run), in batches of batch_size.
class SpanSource final : public RecordSource {
 public:
  explicit SpanSource(std::span<const book::MboEvent> events, std::size_t batch_size = 4096)
      : events_(events), batch_size_(batch_size == 0 ? 1 : batch_size) {}
  std::span<const book::MboEvent> NextBatch() override {
    const std::size_t n = std::min(batch_size_, events_.size() - pos_);
    const auto batch = events_.subspan(pos_, n);
    pos_ += n;
    return batch;
  }

 private:
  std::span<const book::MboEvent> events_;
  std::size_t batch_size_;
  std::size_t pos_ = 0;
};

// The one feeding loop, resumable, for any engine (Engine, or OptionEngine with its underlying): Feed hands
// the source's events to the engine until `stop()` holds after an event (a stream stops as soon as a window
// has closed), or until the input ends or the session's last window has closed (later records cannot change
// any output); then it closes the remaining windows and returns false. A later Feed goes on from the next
// event. Windows close one at a time, `stop()` asked after each: a record past a gap of empty windows closes
// them one by one before it is fed, and so does the end of input, so a stream closes each window when its
// client asks for it rather than a burst at once (the same windows: the clock crosses the same boundaries).
class Feeder {
 public:
  template <class AnyEngine, class Stop>
  bool Feed(RecordSource& source, AnyEngine& engine, Stop&& stop) {
    while (!engine.finished()) {
      if (pos_ == batch_.size() && !exhausted_) {
        batch_ = source.NextBatch();
        pos_ = 0;
        exhausted_ = batch_.empty();
      }
      if (exhausted_) {
        engine.CloseNext();
        if (stop()) return true;
        continue;
      }
      while (pos_ < batch_.size()) {
        if (engine.ClosesSeveral(batch_[pos_])) {
          engine.CloseNext();
          if (stop()) return true;
          continue;
        }
        if constexpr (requires { engine.Prefetch(batch_[0], 0); }) {
          // Engines with many books (options) warm the lookups of records kFar and kNear ahead.
          constexpr std::size_t kFar = 8, kNear = 4;
          if (pos_ + kFar < batch_.size()) engine.Prefetch(batch_[pos_ + kFar], 0);
          if (pos_ + kNear < batch_.size()) engine.Prefetch(batch_[pos_ + kNear], 1);
        }
        engine.OnEvent(batch_[pos_++]);
        ++fed_;
        if (engine.finished()) break;
        if (stop()) return true;
      }
    }
    engine.Finish();
    return false;
  }
  int64_t fed() const { return fed_; }

 private:
  std::span<const book::MboEvent> batch_;
  std::size_t pos_ = 0;
  int64_t fed_ = 0;
  bool exhausted_ = false;  // the source's input has ended
};

// Feeds the whole source to the engine (batch runs). Returns the number of events fed.
template <class AnyEngine>
int64_t Drive(RecordSource& source, AnyEngine& engine) {
  Feeder feeder;
  feeder.Feed(source, engine, [] { return false; });
  return feeder.fed();
}

}  // namespace spymaster::engine
