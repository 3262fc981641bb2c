// What an engine's record opening (OpenMboRecords, OpenOptionRecords) needs to know about one task: the
// lake, where the records come from, and the (product, symbol, date) they are for. Pipeline's silver
// stages, the Python package's window stream and serve's compute source all open their records
// through it, so they see the same events.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lake/product_type.hpp"
#include "lake/registry.hpp"

namespace spymaster::source {

// Where the engine stages read their records: bronze (default) or the raw DBN day file, through the same
// normalization bronze applies (source/mbo_routing.hpp).
enum class RecordOrigin : uint8_t { kBronze, kRaw };

struct RecordRequest {
  const lake::DatasetRegistry& registry;
  std::filesystem::path lake_root;
  RecordOrigin origin = RecordOrigin::kBronze;
  // Raw origin only: job folders picked with `run --raw-job` (see FindRawFiles).
  std::vector<std::string> raw_jobs = {};
  lake::ProductType product_type;
  std::string symbol;  // the contract or ticker (ESH6, SPY)
  std::string dt;      // YYYY-MM-DD
};

}  // namespace spymaster::source
