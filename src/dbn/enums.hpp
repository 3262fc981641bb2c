// DBN enumerations and constants (values from dbn 0.54 / databento-cpp; see shared/spec/dbn.md §1, §3.2, §5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace spymaster::dbn {

inline constexpr std::uint8_t kDbnVersion = 3;  // the version this codec writes by default
inline constexpr std::int64_t kFixedPriceScale = 1'000'000'000;
inline constexpr std::int64_t kUndefPrice = std::numeric_limits<std::int64_t>::max();
inline constexpr std::uint64_t kUndefTimestamp = std::numeric_limits<std::uint64_t>::max();
inline constexpr std::uint32_t kUndefOrderSize = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::int64_t kUndefStatQuantity = std::numeric_limits<std::int64_t>::max();    // v3
inline constexpr std::int32_t kUndefStatQuantityV1 = std::numeric_limits<std::int32_t>::max();  // v1/v2
inline constexpr std::size_t kSymbolCstrLenV1 = 22;
inline constexpr std::size_t kSymbolCstrLen = 71;  // v2 and v3
// Largest record of any supported version (v3 InstrumentDefMsg) plus an 8-byte ts_out suffix.
inline constexpr std::size_t kMaxRecordLen = 520 + 8;

// Bits of the `flags` field of MBO/MBP/trades/CMBP records.
namespace flags {
inline constexpr std::uint8_t kLast = 0x80;          // F_LAST: last record of an event; book is consistent
inline constexpr std::uint8_t kTob = 0x40;           // F_TOB
inline constexpr std::uint8_t kSnapshot = 0x20;      // F_SNAPSHOT
inline constexpr std::uint8_t kMbp = 0x10;           // F_MBP
inline constexpr std::uint8_t kBadTsRecv = 0x08;     // F_BAD_TS_RECV
inline constexpr std::uint8_t kMaybeBadBook = 0x04;  // F_MAYBE_BAD_BOOK
inline constexpr std::uint8_t kPublisherSpecific = 0x02;
}  // namespace flags

// Record type discriminator (RecordHeader::rtype). Unknown values are legal and must be skipped.
enum class RType : std::uint8_t {
  kMbp0 = 0x00,
  kMbp1 = 0x01,
  kMbp10 = 0x0A,
  kOhlcvDeprecated = 0x11,
  kStatus = 0x12,
  kInstrumentDef = 0x13,
  kImbalance = 0x14,
  kError = 0x15,
  kSymbolMapping = 0x16,
  kSystem = 0x17,
  kStatistics = 0x18,
  kOhlcv1S = 0x20,
  kOhlcv1M = 0x21,
  kOhlcv1H = 0x22,
  kOhlcv1D = 0x23,
  kOhlcvEod = 0x24,
  kMbo = 0xA0,
  kCmbp1 = 0xB1,
  kCbbo1S = 0xC0,
  kCbbo1M = 0xC1,
  kTcbbo = 0xC2,
  kBbo1S = 0xC3,
  kBbo1M = 0xC4,
};

enum class Schema : std::uint16_t {
  kMbo = 0,
  kMbp1 = 1,
  kMbp10 = 2,
  kTbbo = 3,
  kTrades = 4,
  kOhlcv1S = 5,
  kOhlcv1M = 6,
  kOhlcv1H = 7,
  kOhlcv1D = 8,
  kDefinition = 9,
  kStatistics = 10,
  kStatus = 11,
  kImbalance = 12,
  kOhlcvEod = 13,
  kCmbp1 = 14,
  kCbbo1S = 15,
  kCbbo1M = 16,
  kTcbbo = 17,
  kBbo1S = 18,
  kBbo1M = 19,
};
inline constexpr std::uint16_t kNullSchema = 0xFFFF;  // metadata value for "no single schema"

enum class SType : std::uint8_t {
  kInstrumentId = 0,
  kRawSymbol = 1,
  kSmart = 2,
  kContinuous = 3,
  kParent = 4,
  kNasdaqSymbol = 5,
  kCmsSymbol = 6,
  kIsin = 7,
  kUsCode = 8,
  kBbgCompId = 9,
  kBbgCompTicker = 10,
  kFigi = 11,
  kFigiTicker = 12,
};
inline constexpr std::uint8_t kNullSType = 0xFF;  // metadata value for "none / mixed"

enum class Compression : std::uint8_t { kNone = 0, kZstd = 1 };

// Canonical text forms ("mbo", "raw_symbol", "instrument-def"); empty when the value is unknown.
std::string_view ToString(Schema schema);
std::string_view ToString(SType stype);
std::string_view ToString(RType rtype);
std::optional<Schema> SchemaFromString(std::string_view text);
std::optional<SType> STypeFromString(std::string_view text);
// The rtype whose records a file of `schema` holds.
RType RTypeOf(Schema schema);

}  // namespace spymaster::dbn
