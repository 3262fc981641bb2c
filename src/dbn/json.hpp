// The JSON text form of DBN records and metadata, byte-identical to the official `dbn --json` CLI
// (dbn 0.72): field order, 64-bit integers as strings, c_char escaping, and with `pretty` the CLI's
// --pretty output (ISO-8601 timestamps, decimal prices, 4-space indentation).
#pragma once

#include <string>
#include <string_view>

#include "dbn/decoder.hpp"
#include "dbn/metadata.hpp"

namespace spymaster::dbn {

// Appends one JSON object and '\n'. With `symbol` non-null a trailing "symbol" key is written, holding
// *symbol or null when *symbol is nullptr (the reference's --map-symbols). Throws std::invalid_argument
// for an rtype the reference cannot print.
void AppendJson(std::string& out, const RecordRef& record, bool pretty, const std::string* const* symbol = nullptr);

void AppendJson(std::string& out, const Metadata& metadata, bool pretty);

// "2020-12-28T13:00:00.000704060Z" for ns since the epoch.
std::string FormatTimestamp(std::uint64_t ts);
// "3722.750000000" for a 1e-9 fixed-point price.
std::string FormatPrice(std::int64_t px);

}  // namespace spymaster::dbn
