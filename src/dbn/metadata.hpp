// DBN metadata header (spec §2): what precedes the records of a DBN stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dbn/enums.hpp"

namespace spymaster::dbn {

struct MappingInterval {
  std::uint32_t start_date = 0;  // YYYYMMDD, inclusive
  std::uint32_t end_date = 0;    // YYYYMMDD, exclusive
  std::string symbol;            // output-stype symbol, e.g. instrument id as decimal text

  bool operator==(const MappingInterval&) const = default;
};

struct SymbolMapping {
  std::string raw_symbol;  // input-stype symbol
  std::vector<MappingInterval> intervals;

  bool operator==(const SymbolMapping&) const = default;
};

struct Metadata {
  std::uint8_t version = kDbnVersion;
  std::string dataset;                  // e.g. "GLBX.MDP3"
  std::optional<Schema> schema;         // nullopt = mixed (0xFFFF on disk)
  std::uint64_t start = 0;              // ns since epoch
  std::uint64_t end = kUndefTimestamp;  // ns since epoch; kUndefTimestamp = unspecified
  std::uint64_t limit = 0;              // 0 = no limit
  std::optional<SType> stype_in;        // nullopt = mixed (0xFF on disk)
  SType stype_out = SType::kInstrumentId;
  bool ts_out = false;
  std::size_t symbol_cstr_len = kSymbolCstrLen;  // 22 for v1, 71 for v2/v3
  std::vector<std::string> symbols;
  std::vector<std::string> partial;
  std::vector<std::string> not_found;
  std::vector<SymbolMapping> mappings;

  bool operator==(const Metadata&) const = default;
};

// Serialises `metadata` as it appears on disk: 8-byte prelude + fixed + variable section (+ v3 padding).
// Throws std::invalid_argument for an unsupported version or a symbol that doesn't fit symbol_cstr_len.
std::vector<std::byte> EncodeMetadata(const Metadata& metadata);

// Parses a complete metadata block that starts with the "DBN" prelude. `bytes` must hold at least
// 8 + the prelude's length field. Throws DecodeError (decode_error.hpp) naming `source` on malformed input.
Metadata DecodeMetadata(std::span<const std::byte> bytes, const std::string& source = "<memory>");

// Size in bytes of the metadata block (prelude included) that starts `bytes`, from its 8-byte prelude.
// Throws DecodeError on a wrong magic, an unsupported version or a length below the fixed section.
std::size_t MetadataSize(std::span<const std::byte> prelude, const std::string& source = "<memory>");

}  // namespace spymaster::dbn
