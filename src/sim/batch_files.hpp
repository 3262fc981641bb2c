// The Databento batch-job artifacts around a simulated data file: the DBN metadata header and the side
// files metadata.json, symbology.json, condition.json and manifest.json, shaped like the real ones in
// shared/fixtures/databento-batch/ so that discovery and the downloader's layout see the same thing.
#pragma once

#include <filesystem>
#include <string>

#include "dbn/metadata.hpp"
#include "sim/instruments.hpp"
#include "sim/session.hpp"

namespace spymaster::sim {

// DBN v3 metadata of a job's data file: the whole UTC day, the job's query symbols, and one mapping
// interval (dt, dt+1) per instrument from raw_symbol to instrument_id.
dbn::Metadata MakeMetadata(const ProductPlan& plan, const Job& job, const Session& session);

// Writes metadata.json, symbology.json and condition.json into `job_dir`, then manifest.json listing
// them and the data file `job.file_name` (which must already be there) with sizes and SHA-256 hashes.
void WriteSideFiles(const std::filesystem::path& job_dir, const ProductPlan& plan, const Job& job,
                    const Session& session);

}  // namespace spymaster::sim
