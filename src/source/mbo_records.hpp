// The records an MBO engine stage reads for one task: the bronze partition, or the raw DBN day file through
// bronze's normalization (RecordOrigin), decoded a few batches ahead on a second thread. The silver stage,
// the Python package's window stream (commands/window_stream.hpp) and serve's compute source open their
// input here, so all see the same events.
#pragma once

#include <memory>
#include <vector>

#include "engine/product_config.hpp"
#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "lake/product_type.hpp"
#include "source/record_request.hpp"

namespace spymaster::source {

// Opens the request's records. With `inputs`, appends their lineage (raw files are hashed for it, so callers
// that write no manifest pass nullptr). Throws lake::LakeError naming the bronze partition when it is not
// complete, std::runtime_error naming the directory when no raw file is found.
std::unique_ptr<engine::RecordSource> OpenMboRecords(const RecordRequest& request, std::vector<lake::InputRef>* inputs);

// The engine configuration of an MBO product (future_mbo, equity_mbo); throws std::invalid_argument for
// the option products, which have their own engine.
engine::ProductConfig MboProductConfig(lake::ProductType product_type);

}  // namespace spymaster::source
