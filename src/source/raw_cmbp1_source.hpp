// Engine records straight from raw OPRA CMBP-1 day files (plain or zstd DBN), through the pass bronze
// makes (cmbp1_normalizer.hpp), keeping the 0DTE options of one underlying. Each top becomes the quote
// tracker's two records, as from bronze. Records come in file (ts_recv) order; bronze sorts by (ts_event,
// ts_recv), so the two agree whenever ts_event never goes back, and the engine's window clock counts a
// top whose ts_event lags as late otherwise.
//
//   source::RawCmbp1Source src({files, &definitions, "SPY"});
//   engine::Drive(merged_with_the_underlying, engine);
//
// Push (Live): source::PushCmbp1Feed feed("live", definitions, "SPY");
//              for (auto& e : feed.Feed(bytes)) ...;  ...  feed.Finish();
// gives the events RawCmbp1Source gives for a file of the same bytes.
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
#include "source/cmbp1_normalizer.hpp"
#include "source/option_definitions.hpp"
#include "source/push_feed.hpp"

namespace spymaster::source {

struct RawCmbp1Options {
  std::vector<std::filesystem::path> files;        // in order
  const OptionDefinitions* definitions = nullptr;  // the 0DTE options; must outlive the source
  std::string underlying;                          // keep the options on this underlying (SPY)
};

// The kept tops of a CMBP-1 stream as engine events: the options of one underlying, numbered in order
// (MboEvent::sequence) as both the file and the push form number them (PushFeed's Filter).
class Cmbp1Tops {
 public:
  // `definitions` (the 0DTE options) must outlive the tops; they may still grow until the first record.
  Cmbp1Tops(const OptionDefinitions& definitions, std::string underlying)
      : normalizer_(definitions), underlying_(std::move(underlying)) {}
  void StartFile(const dbn::Decoder&) { normalizer_.StartFile(); }
  // Appends the normalizer's next kept tops from `decoder` to `out` until it holds `max` events or the decoder
  // has nothing ready. Returns false when the decoder returned nullptr.
  bool Pump(dbn::Decoder& decoder, std::vector<book::MboEvent>& out, std::size_t max);
  std::map<std::string, int64_t> Counters() const;

 private:
  Cmbp1Normalizer normalizer_;
  std::string underlying_;
  int64_t kept_ = 0;
  int64_t other_underlying_ = 0;
};

class RawCmbp1Source final : public engine::RecordSource {
 public:
  // Throws std::invalid_argument without files or definitions.
  explicit RawCmbp1Source(RawCmbp1Options options);
  // Throws std::runtime_error naming the file, record and byte offset for a record out of ts_recv order
  // (and dbn::DecodeError for corrupt input).
  std::span<const book::MboEvent> NextBatch() override;
  std::map<std::string, int64_t> Counters() const override;

 private:
  RawCmbp1Options options_;
  Cmbp1Tops tops_;
  std::size_t next_file_ = 0;
  std::unique_ptr<dbn::Decoder> decoder_;
  std::vector<book::MboEvent> events_;
};

// The push form: PushCmbp1Feed feed(name, definitions, underlying) (the stream's metadata first; throws as
// RawCmbp1Source does).
using PushCmbp1Feed = PushFeed<Cmbp1Tops>;

}  // namespace spymaster::source
