// Front-month ES selection (silver.md §7.1): for each session date, the outright ES contract with the
// largest previous-trading-day volume among those not yet expired, from bronze future_mbo.
//
// - Eligible symbols: bronze future_mbo partitions named ^ES[HMUZ]\d{1,2}$ (no spreads).
// - Expiration: third Friday of the contract month (ESH6 → 2026-03-20); a contract is a candidate on
//   dates strictly before its expiration.
// - Daily volume: sum of `size` over action 'T' rows of the bronze partition.
// - Trading dates: dates with volume > 0 and at least one trade in 05:00–08:30 America/New_York.
// - Pick: max previous-trading-day volume; ties → earliest expiration, then alphabetical. With no
//   previous trading day in bronze (a single simulated day) every volume is 0, so the nearest
//   unexpired contract wins: 2026-01-06 → ESH6.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lake/registry.hpp"

namespace spymaster::pipeline {

inline constexpr std::string_view kSelectionDataset = "selection.future_mbo.mbo_contract_day_selection";

struct SelectionRow {
  std::string session_date;
  std::string selected_symbol;
  std::string selected_exp_date;
  std::string prev_trading_date;  // "" when none
  int64_t prev_volume_selected;
  int64_t prev_volume_rank2;
  int32_t roll_flag;  // 1 when the previous trading date selected a different contract
};

// Expiration (third Friday) of an ES contract symbol, YYYY-MM-DD; nullopt when not ^ES[HMUZ]\d{1,2}$.
std::optional<std::string> EsContractExpiration(std::string_view symbol);

// Rows for the trading dates within [min(dates), max(dates)]. Throws std::runtime_error naming what is
// missing (no bronze contracts, no trading dates in range).
std::vector<SelectionRow> BuildSelection(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                         const std::vector<std::string>& dates);

// Writes <lake>/selection/mbo_contract_day_selection.parquet atomically (replacing an older map).
void WriteSelection(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                    const std::vector<SelectionRow>& rows);

// session_date → selected_symbol from the selection file; throws naming the file when absent, and on
// duplicate session dates. Rows with an empty selected_symbol are left out.
std::map<std::string, std::string> LoadSelection(const lake::DatasetRegistry& registry,
                                                 const std::filesystem::path& lake_root);

// For `run` with bronze and silver/gold of ES: selects the dates the map does not have yet (as
// BuildSelection does, over their range) and writes them into the map, keeping every row it has
// (the map may cover many more dates than one run, or hold an explicit select-contract). Returns the
// rows added; none when the map has every date.
std::vector<SelectionRow> SelectMissingDates(const lake::DatasetRegistry& registry,
                                             const std::filesystem::path& lake_root,
                                             const std::vector<std::string>& dates);

}  // namespace spymaster::pipeline
