// The book's input: one MBO record as a small value type that both dbn::MboMsg and bronze Parquet rows
// map onto without loss (the fields the book and the window clock need, nothing else).
#pragma once

#include <cstdint>
#include <limits>

namespace spymaster::book {

// Databento record flag bits (dbn.md; the reference used wrong values, README deviation 1).
inline constexpr uint8_t kFlagLast = 0x80;
inline constexpr uint8_t kFlagTob = 0x40;
inline constexpr uint8_t kFlagSnapshot = 0x20;
inline constexpr uint8_t kFlagMbp = 0x10;
inline constexpr uint8_t kFlagBadTsRecv = 0x08;
inline constexpr uint8_t kFlagMaybeBadBook = 0x04;

// Databento's null price (int64 max). Bronze stores 0 instead for C/R/T/F/N records.
inline constexpr int64_t kUndefPrice = std::numeric_limits<int64_t>::max();

struct MboEvent {
  uint64_t ts_event = 0;  // ns since the UTC epoch
  uint64_t order_id = 0;
  int64_t price = 0;  // 1e-9 dollars
  uint32_t size = 0;
  uint32_t instrument_id = 0;
  uint32_t sequence = 0;
  char action = 'N';  // A C M R T F N
  char side = 'N';    // B A N
  uint8_t flags = 0;
  // Which input of a merged stream the record came from (engine::MergeSource): 0 the underlying, 1 its
  // options. Single-input sources leave it 0.
  uint8_t origin = 0;
};

}  // namespace spymaster::book
