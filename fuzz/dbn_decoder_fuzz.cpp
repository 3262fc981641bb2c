// libFuzzer target for the DBN decoder: any input must decode, or fail with DecodeError, without crashing,
// hanging or reading out of bounds. Each input is tried as a full stream (as-is and upgraded to v3) and
// as a fragment of each version; every decoded record is also printed as JSON.
// Run: scripts/build --fuzz fuzzers && build-fuzz/dbn_decoder_fuzz fuzz/corpus/dbn_decoder_fuzz
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "dbn/decoder.hpp"
#include "dbn/json.hpp"

namespace {

void Decode(std::span<const std::byte> bytes, const spymaster::dbn::DecoderOptions& options) {
  using spymaster::dbn::Decoder;
  std::string json;
  try {
    auto decoder = Decoder::FromBuffer(bytes, options, "fuzz");
    while (const auto* record = decoder.Next()) {
      json.clear();
      try {
        spymaster::dbn::AppendJson(json, *record, (record->size() & 4) != 0);
      } catch (const std::invalid_argument&) {  // an rtype without a JSON form
      }
    }
    json.clear();
    spymaster::dbn::AppendJson(json, decoder.metadata(), true);
  } catch (const spymaster::dbn::DecodeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using spymaster::dbn::DecoderOptions;
  using spymaster::dbn::VersionUpgradePolicy;
  const std::span<const std::byte> bytes{reinterpret_cast<const std::byte*>(data), size};
  for (const auto policy : {VersionUpgradePolicy::kAsIs, VersionUpgradePolicy::kUpgradeToV3}) {
    DecoderOptions options;
    options.upgrade_policy = policy;
    Decode(bytes, options);
  }
  for (std::uint8_t version = 0; version <= 3; ++version) {  // 0 = infer from record sizes
    DecoderOptions options;
    options.fragment = true;
    options.fragment_version = version;
    options.fragment_ts_out = version == 2;
    Decode(bytes, options);
  }
  return 0;
}
