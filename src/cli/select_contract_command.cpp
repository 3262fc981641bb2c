// spymaster select-contract --dates a,b|a:b [--lake DIR]: writes <lake>/selection/mbo_contract_day_selection.parquet
// (session_date → front-month ES contract) from bronze future_mbo; see commands/select_contract.hpp.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "commands/select_contract.hpp"
#include "lake/interrupt.hpp"

namespace spymaster::cli {

void AddSelectContractCommand(CLI::App& app) {
  struct Args {
    std::string dates;
    std::string lake = "lake";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("select-contract", "Write the front-month ES selection map for dates");
  cmd->add_option("--dates", args->dates, "Dates: a,b,c or start:end (inclusive)")->required();
  cmd->add_option("--lake", args->lake, "Lake root directory")->capture_default_str();
  cmd->callback([args] {
    lake::InstallInterruptHandlers();
    const auto result = commands::SelectContractCommand(args->dates, args->lake);
    for (const auto& r : result.rows) {
      std::cout << fmt::format("{} -> {} (expires {}, prev {} volume {}, rank2 {}, roll {})\n", r.session_date,
                               r.selected_symbol.empty() ? "-" : r.selected_symbol, r.selected_exp_date,
                               r.prev_trading_date.empty() ? "-" : r.prev_trading_date, r.prev_volume_selected,
                               r.prev_volume_rank2, r.roll_flag);
    }
    std::cout << fmt::format("wrote {} ({} rows)\n", result.file.string(), result.rows.size());
  });
}

}  // namespace spymaster::cli
