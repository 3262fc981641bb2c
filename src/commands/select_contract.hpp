// `spymaster select-contract` as a function the CLI and the Python package (spymaster.select_contract)
// share: expands --dates (UsageError naming it), builds the front-month selection from bronze
// future_mbo and writes <lake>/selection/mbo_contract_day_selection.parquet (pipeline/contract_selection.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/contract_selection.hpp"

namespace spymaster::commands {

struct SelectContractResult {
  std::vector<pipeline::SelectionRow> rows;
  std::filesystem::path file;  // the selection file written
};

SelectContractResult SelectContractCommand(const std::string& dates, const std::filesystem::path& lake_root);

}  // namespace spymaster::commands
