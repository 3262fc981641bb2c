// Bronze stages: raw DBN day files → normalized Parquet, one partition per output symbol (silver.md
// §2 with Part 1's changes). Every record of the day file is kept (no time filter); rows are sorted
// by (ts_event, sequence) (CMBP-1: (ts_event, ts_recv)); prices stay 1e-9 fixed point, the null price
// becomes 0 except on A/M, where it is an error. Raw files must be in ts_recv order; a record out of
// order is an error naming file, record index and byte offset. Task symbol = the raw root (ES, SPY).
//
// future_mbo         mbo; drops spreads (symbol with '-'); fan-out by contract (ESH6, ESM6, ...)
// future_option_mbo  mbo + definition; 0DTE by definition expiration (New York date); drops spreads,
//                    UD: and user-defined instruments; joins underlying/right/strike/expiration;
//                    fan-out by underlying (ESH6)
// equity_mbo         mbo; fan-out by symbol
// equity_option_mbo  cmbp-1 + definition; 0DTE, underlying == task symbol; joins; fan-out by underlying
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/stage.hpp"
#include "source/tee_mbo_source.hpp"

namespace spymaster::pipeline {

StageResult RunBronzeFutureMbo(const StageContext& ctx, const Task& task);
StageResult RunBronzeFutureOptionMbo(const StageContext& ctx, const Task& task);
StageResult RunBronzeEquityMbo(const StageContext& ctx, const Task& task);
StageResult RunBronzeEquityOptionCmbp1(const StageContext& ctx, const Task& task);

// Bronze of future_mbo or equity_mbo that also pushes the batches of partition `symbol` into `source` as
// it writes them (see bronze_silver_tee.hpp). `source` gets End once every batch of the partition is
// pushed (before its commit), or Fail when bronze will not stream it (already complete, or rows out of
// order in the raw file, which bronze then writes sorted from a second read); an error of the stage
// itself is thrown, not passed on. `committed_rows` is set when the partition commits.
struct BronzeTee {
  std::string symbol;
  source::TeeMboSource* source;
  int64_t committed_rows = -1;
};
StageResult RunBronzeMboTeed(const StageContext& ctx, const Task& task, BronzeTee& tee);

}  // namespace spymaster::pipeline
