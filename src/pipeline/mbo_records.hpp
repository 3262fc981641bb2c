// The records an MBO engine stage reads for one task: the bronze partition, or the raw DBN day file through
// bronze's normalization (RecordOrigin), decoded a few batches ahead on a second thread. The silver stage
// and the Python package's window stream (commands/window_stream.hpp) open their input here, so both see
// the same events.
#pragma once

#include <memory>
#include <vector>

#include "engine/product_config.hpp"
#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "pipeline/stage.hpp"

namespace spymaster::pipeline {

// Opens the task's records. With `inputs`, appends their lineage (raw files are hashed for it, so callers
// that write no manifest pass nullptr). Throws lake::LakeError naming the bronze partition when it is not
// complete, std::runtime_error naming the directory when no raw file is found.
std::unique_ptr<engine::RecordSource> OpenMboRecords(const StageContext& ctx, const Task& task,
                                                     std::vector<lake::InputRef>* inputs);

// The engine configuration of an MBO product (future_mbo, equity_mbo); throws std::invalid_argument for
// the option products, which have their own engine.
engine::ProductConfig MboProductConfig(ProductType product_type);

}  // namespace spymaster::pipeline
