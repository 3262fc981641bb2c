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

#include "pipeline/stage.hpp"

namespace spymaster::pipeline {

StageResult RunBronzeFutureMbo(const StageContext& ctx, const Task& task);
StageResult RunBronzeFutureOptionMbo(const StageContext& ctx, const Task& task);
StageResult RunBronzeEquityMbo(const StageContext& ctx, const Task& task);
StageResult RunBronzeEquityOptionCmbp1(const StageContext& ctx, const Task& task);

}  // namespace spymaster::pipeline
