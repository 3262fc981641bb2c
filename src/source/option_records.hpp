// The records an option engine stage reads for one task: the underlying's MBO merged by arrival with its
// options' records (MBO for ES options, CMBP-1 for OPRA), and the option instruments (right, strike) the
// engine maps onto its strike grid. From bronze (both partitions), or from the raw day files through
// bronze's normalization. The option silver stage, the Python package's window stream
// (commands/window_stream.hpp) and serve's compute source open their input here, so all see the same
// events.
#pragma once

#include <memory>
#include <vector>

#include "engine/option_engine.hpp"
#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "source/option_definitions.hpp"
#include "source/record_request.hpp"

namespace spymaster::source {

struct OptionRecords {
  // Raw input only: the 0DTE definitions the options' routing points into; declared first so that it
  // outlives the sources.
  std::unique_ptr<OptionDefinitions> definitions;
  std::vector<engine::OptionInstrument> instruments;
  std::unique_ptr<engine::RecordSource> records;  // the underlying (origin 0) and the options (origin 1)
};

// Opens the request's records (request.symbol: the underlying contract or ticker, ESH6, SPY). With `inputs`,
// appends their lineage (raw files are hashed for it; callers that write no manifest pass nullptr).
// Throws lake::LakeError naming a bronze partition that is not complete, std::runtime_error naming the directory when
// no raw file is found.
OptionRecords OpenOptionRecords(const RecordRequest& request, std::vector<lake::InputRef>* inputs);

}  // namespace spymaster::source
