#include "commands/select_contract.hpp"

#include "common/calendar.hpp"
#include "common/error.hpp"
#include "lake/partition.hpp"
#include "lake/registry.hpp"

namespace spymaster::commands {

SelectContractResult SelectContractCommand(const std::string& dates, const std::filesystem::path& lake_root) {
  const auto days = WithUsageErrors("--dates", [&] { return common::ExpandDates(dates); });
  const auto registry = lake::DatasetRegistry::LoadDefault();
  SelectContractResult result;
  result.rows = pipeline::BuildSelection(registry, lake_root, days);
  pipeline::WriteSelection(registry, lake_root, result.rows);
  result.file = lake::PartitionDir(registry.Get(pipeline::kSelectionDataset), lake_root, {});
  return result;
}

}  // namespace spymaster::commands
