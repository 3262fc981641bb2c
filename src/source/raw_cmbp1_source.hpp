// Engine records straight from raw OPRA CMBP-1 day files (plain or zstd DBN), through the pass bronze
// makes (cmbp1_normalizer.hpp), keeping the 0DTE options of one underlying. Each top becomes the quote
// tracker's two records, as from bronze. Records come in file (ts_recv) order; bronze sorts by (ts_event,
// ts_recv), so the two agree whenever ts_event never goes back, and the engine's window clock counts a
// top whose ts_event lags as late otherwise.
//
//   source::RawCmbp1Source src({files, &definitions, "SPY"});
//   engine::Drive(merged_with_the_underlying, engine);
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

namespace spymaster::source {

struct RawCmbp1Options {
  std::vector<std::filesystem::path> files;        // in order
  const OptionDefinitions* definitions = nullptr;  // the 0DTE options; must outlive the source
  std::string underlying;                          // keep the options on this underlying (SPY)
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
  Cmbp1Normalizer normalizer_;
  std::size_t next_file_ = 0;
  std::unique_ptr<dbn::Decoder> decoder_;
  std::vector<book::MboEvent> events_;
  int64_t kept_ = 0;
  int64_t other_underlying_ = 0;
};

}  // namespace spymaster::source
