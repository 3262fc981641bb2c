// The options of a bronze option partition (bronze.future_option_mbo.mbo, bronze.equity_option_mbo.cmbp_1)
// as the option engine takes them: (instrument_id, right, strike) from the definition columns, one
// definition per id, in increasing instrument_id. Throws spymaster::Error (data) naming the partition on a
// right other than C/P or an id with two definitions, lake::LakeError when the partition is not complete.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/option_engine.hpp"
#include "lake/partition.hpp"
#include "lake/registry.hpp"

namespace spymaster::source {

std::vector<engine::OptionInstrument> ReadOptionInstruments(const lake::DatasetRegistry& registry,
                                                            const std::filesystem::path& lake_root,
                                                            const std::string& key, const lake::PartitionKey& part);

}  // namespace spymaster::source
