// Conversion of v1/v2 records to newer layouts (spec §7), field by field, as the reference decoder does.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dbn/record.hpp"

namespace spymaster::dbn {

// Version the records of a `from`-version stream have after upgrading to `to` (0 = keep as is).
// Returns true when a record of `rtype` needs converting from `from` to `to`.
bool NeedsUpgrade(RType rtype, std::uint8_t from, std::uint8_t to);

// Writes the `to`-version form of `record` (a `from`-version record for which NeedsUpgrade is true) into
// `out`, which must hold kMaxRecordLen bytes and be 8-byte aligned. Carries a trailing ts_out over when
// `ts_out` is set. Returns the size written (equal to the new header length * 4).
std::size_t UpgradeRecord(const RecordHeader& record, std::uint8_t from, std::uint8_t to, bool ts_out, std::byte* out);

}  // namespace spymaster::dbn
