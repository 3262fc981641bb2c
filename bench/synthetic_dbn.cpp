#include "bench/synthetic_dbn.hpp"

#include "dbn/encoder.hpp"

namespace spymaster::bench {
namespace {

using dbn::MboMsg;

constexpr std::uint64_t kStart = 1767709800000000000ULL;  // 2026-01-06 14:30 UTC (09:30 New York)
constexpr std::uint32_t kInstrumentId = 42140878;

// SplitMix64: cheap, stateless hashing of the record index.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

MboMsg SyntheticMbo(std::uint64_t i) {
  const std::uint64_t r = Mix(i);
  MboMsg msg;
  msg.hd.publisher_id = 1;
  msg.hd.instrument_id = kInstrumentId;
  msg.hd.ts_event = kStart + i * 1'000 + (r & 0xFF);
  msg.ts_recv = msg.hd.ts_event + 20'000 + ((r >> 8) & 0x3FF);
  msg.ts_in_delta = static_cast<std::int32_t>(15'000 + ((r >> 18) & 0xFFF));
  msg.order_id = 6'400'000'000'000ULL + (i >> 1) + ((r >> 30) & 0x3F);
  constexpr std::int64_t kTick = 250'000'000;  // ES: 0.25 index points
  msg.price = 6'900 * dbn::kFixedPriceScale + (static_cast<std::int64_t>((r >> 36) % 41) - 20) * kTick;
  msg.size = static_cast<std::uint32_t>(1 + ((r >> 42) % 20));
  const std::uint64_t kind = (r >> 48) % 100;
  msg.action = kind < 45 ? 'A' : kind < 85 ? 'C' : kind < 95 ? 'M' : kind < 98 ? 'T' : 'F';
  msg.side = ((r >> 56) & 1) != 0 ? 'B' : 'A';
  msg.flags = ((r >> 57) & 3) != 0 ? dbn::flags::kLast : 0;
  msg.channel_id = 0;
  msg.sequence = static_cast<std::uint32_t>(1'000'000 + i);
  return msg;
}

dbn::Metadata SyntheticMboMetadata() {
  dbn::Metadata m;
  m.dataset = "GLBX.MDP3";
  m.schema = dbn::Schema::kMbo;
  m.start = kStart;
  m.end = kStart + 3'600'000'000'000ULL;
  m.stype_in = dbn::SType::kRawSymbol;
  m.stype_out = dbn::SType::kInstrumentId;
  m.symbols = {"ESH6"};
  m.mappings = {{"ESH6", {{20260106, 20260107, std::to_string(kInstrumentId)}}}};
  return m;
}

}  // namespace

void WriteSyntheticMboFile(const std::filesystem::path& path, std::uint64_t count, dbn::Compression compression) {
  auto encoder = dbn::Encoder::ToFile(path, SyntheticMboMetadata(), compression);
  for (std::uint64_t i = 0; i < count; ++i) encoder.Write(SyntheticMbo(i));
  encoder.Finish();
}

}  // namespace spymaster::bench
