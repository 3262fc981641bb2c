// Engine records straight from raw Databento MBO files (plain or zstd DBN, or "-" for standard input),
// through the same routing and null-price rule as bronze (mbo_routing.hpp), keeping one partition's
// records (a contract such as ESH6, a ticker, or an options underlying). Records come in file (arrival)
// order; the engine's window clock handles records whose ts_event lags (late records).
//
// Pull (files):  source::RawMboSource src({files, 20260106, {.drop_spreads = true}, "ESH6"});
//                engine::Drive(src, engine);
// Push (socket): source::PushMboFeed feed("live", source::RawMboOptions{{}, 20260106, {.drop_spreads = true}, "ESH6"});
//                for (auto& e : feed.Feed(bytes)) engine.OnEvent(e);  ...  feed.Finish();
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dbn/decoder.hpp"
#include "engine/record_source.hpp"
#include "source/mbo_normalizer.hpp"
#include "source/push_feed.hpp"

namespace spymaster::source {

struct RawMboOptions {
  std::vector<std::filesystem::path> files;  // in order; "-" reads standard input
  uint32_t yyyymmdd = 0;                     // the session date, for the metadata's symbol mappings
  RoutingRules rules;
  std::string partition;  // keep the records routed here
};

// Routing, normalization and conversion of one decoder's records; what both modes share (PushFeed's Filter).
class RawMboFilter {
 public:
  // options.files is unused.
  explicit RawMboFilter(const RawMboOptions& options)
      : yyyymmdd_(options.yyyymmdd), partition_(options.partition), normalizer_(options.rules) {}
  void StartFile(const dbn::Decoder& decoder);
  // Appends the kept events of the decoder's ready records to `out` until it holds `max` or the decoder
  // has nothing ready. Returns false when the decoder returned nullptr. Throws std::runtime_error naming
  // the source and byte offset for an add/modify without a price or records out of ts_recv order
  // (MboNormalizer, the pass bronze makes).
  bool Pump(dbn::Decoder& decoder, std::vector<book::MboEvent>& out, std::size_t max);
  std::map<std::string, int64_t> Counters() const;

 private:
  int32_t Keep();

  uint32_t yyyymmdd_;
  std::string partition_;
  MboNormalizer normalizer_;
  int32_t keep_ = -1;                // router partition index of partition_; -1 = not routed yet
  std::size_t partitions_seen_ = 0;  // router partitions when keep_ was last looked up
  int64_t other_partition_ = 0;
};

class RawMboSource final : public engine::RecordSource {
 public:
  explicit RawMboSource(RawMboOptions options);
  std::span<const book::MboEvent> NextBatch() override;
  std::map<std::string, int64_t> Counters() const override { return filter_.Counters(); }

 private:
  RawMboOptions options_;
  RawMboFilter filter_;
  std::size_t next_file_ = 0;
  std::unique_ptr<dbn::Decoder> decoder_;
  std::vector<book::MboEvent> events_;
};

// The push form: PushMboFeed feed(name, options) (options.files unused; the name appears in errors).
using PushMboFeed = PushFeed<RawMboFilter>;

}  // namespace spymaster::source
