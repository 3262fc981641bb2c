// Instrument definitions (DBN InstrumentDefMsg v3) of the simulated instruments, in the venue's style:
// CME options on ESH6 (and a user-defined spread), OPRA equity options.
#pragma once

#include <cstdint>

#include "dbn/record.hpp"
#include "sim/instruments.hpp"
#include "sim/session.hpp"

namespace spymaster::sim {

dbn::InstrumentDefMsg MakeDefinition(const ProductPlan& plan, const Instrument& instrument, const Session& session,
                                     std::uint64_t ts);

}  // namespace spymaster::sim
