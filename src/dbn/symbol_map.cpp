#include "dbn/symbol_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "common/calendar.hpp"

namespace spymaster::dbn {
namespace {

std::uint32_t ParseId(const std::string& text) {
  std::uint32_t id = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) {
    throw std::invalid_argument(fmt::format("symbol mapping: '{}' is not an instrument id", text));
  }
  return id;
}

}  // namespace

std::uint64_t DateToTs(std::uint32_t yyyymmdd) {
  const std::chrono::sys_days day{common::FromYyyymmdd(yyyymmdd)};
  return static_cast<std::uint64_t>(std::chrono::nanoseconds{day.time_since_epoch()}.count());
}

std::uint64_t IndexTs(const RecordRef& record) {
  switch (record.rtype()) {
    case RType::kMbo:
    case RType::kMbp0:
    case RType::kMbp1:
    case RType::kMbp10:
    case RType::kBbo1S:
    case RType::kBbo1M:
    case RType::kCmbp1:
    case RType::kTcbbo:
    case RType::kCbbo1S:
    case RType::kCbbo1M:
    case RType::kStatus:
    case RType::kInstrumentDef:
    case RType::kImbalance:
    case RType::kStatistics: {
      // Every one of these has ts_recv right after the header or at offset 32; read it by layout.
      const std::size_t offset = (record.rtype() == RType::kStatus || record.rtype() == RType::kInstrumentDef ||
                                  record.rtype() == RType::kImbalance || record.rtype() == RType::kStatistics)
                                     ? 16
                                 : record.rtype() == RType::kMbo ? 40
                                                                 : 32;
      std::uint64_t ts;
      std::memcpy(&ts, record.data() + offset, sizeof ts);
      return ts;
    }
    default:
      return record.header().ts_event;
  }
}

TsSymbolMap TsSymbolMap::FromMetadata(const Metadata& metadata) {
  TsSymbolMap map;
  const bool inverse = metadata.stype_out != SType::kInstrumentId;
  if (inverse && metadata.stype_in != SType::kInstrumentId) {
    throw std::invalid_argument(
        "can only map symbols from metadata where either stype_out or stype_in is instrument_id");
  }
  for (const auto& mapping : metadata.mappings) {
    for (const auto& interval : mapping.intervals) {
      if (interval.symbol.empty()) continue;  // old symbology format
      if (inverse) {
        map.Insert(ParseId(mapping.raw_symbol), DateToTs(interval.start_date), DateToTs(interval.end_date),
                   interval.symbol);
      } else {
        map.Insert(ParseId(interval.symbol), DateToTs(interval.start_date), DateToTs(interval.end_date),
                   mapping.raw_symbol);
      }
    }
  }
  return map;
}

void TsSymbolMap::Insert(std::uint32_t instrument_id, std::uint64_t start_ts, std::uint64_t end_ts,
                         std::string symbol) {
  if (start_ts == end_ts) return;
  if (start_ts > end_ts) throw std::invalid_argument("symbol mapping: start_ts after end_ts");
  auto& intervals = intervals_[instrument_id];
  if (intervals.empty() || intervals.back().end_ts <= start_ts) {
    if (!intervals.empty() && intervals.back().end_ts == start_ts && intervals.back().symbol == symbol) {
      intervals.back().end_ts = end_ts;
    } else {
      intervals.push_back({start_ts, end_ts, std::move(symbol)});
    }
    return;
  }
  std::vector<Interval> merged;
  for (const auto& old : intervals) {
    if (old.start_ts < start_ts) merged.push_back({old.start_ts, std::min(old.end_ts, start_ts), old.symbol});
  }
  merged.push_back({start_ts, end_ts, std::move(symbol)});
  for (const auto& old : intervals) {
    if (old.end_ts > end_ts) merged.push_back({std::max(old.start_ts, end_ts), old.end_ts, old.symbol});
  }
  intervals.clear();
  for (auto& next : merged) {
    if (!intervals.empty() && intervals.back().end_ts == next.start_ts && intervals.back().symbol == next.symbol) {
      intervals.back().end_ts = next.end_ts;
    } else {
      intervals.push_back(std::move(next));
    }
  }
}

const std::string* TsSymbolMap::Find(std::uint64_t ts, std::uint32_t instrument_id) const {
  const auto it = intervals_.find(instrument_id);
  if (it == intervals_.end()) return nullptr;
  const auto& intervals = it->second;
  const auto next =
      std::partition_point(intervals.begin(), intervals.end(), [ts](const Interval& i) { return i.start_ts <= ts; });
  if (next == intervals.begin()) return nullptr;
  const Interval& interval = *(next - 1);
  return ts < interval.end_ts ? &interval.symbol : nullptr;
}

}  // namespace spymaster::dbn
