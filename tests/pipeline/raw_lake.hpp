// Test helper: writes raw Databento-style day files with our DBN encoder into a temporary lake, at
// <lake>/raw/source=databento/product_type=<pt>/symbol=<root>/table=<schema>/<job>/<file> (job
// TEST-<schema> unless given).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/sha256.hpp"
#include "dbn/encoder.hpp"
#include "lake/raw_layout.hpp"
#include "lake/registry.hpp"
#include "source/raw_input.hpp"

namespace spymaster::pipeline::testing {

inline constexpr uint64_t kDay = 1'767'657'600'000'000'000;  // 2026-01-06T00:00:00Z
inline constexpr uint64_t kSecond = 1'000'000'000;
inline constexpr uint64_t kDayClose = kDay + 21 * 3600 * kSecond;  // 2026-01-06 16:00 ET: a 0DTE expiration
inline constexpr int64_t kPx = 6'900'000'000'000;                  // $6900 in 1e-9 units

inline dbn::Metadata DayMetadata(std::string dataset, dbn::Schema schema,
                                 std::vector<std::pair<std::string, uint32_t>> symbols, uint32_t yyyymmdd = 20260106) {
  dbn::Metadata m;
  m.dataset = std::move(dataset);
  m.schema = schema;
  m.start = kDay;
  m.end = kDay + 86'400 * kSecond;
  m.stype_in = dbn::SType::kParent;
  m.stype_out = dbn::SType::kInstrumentId;
  for (auto& [symbol, id] : symbols) {
    m.mappings.push_back({symbol, {{yyyymmdd, yyyymmdd + 1, std::to_string(id)}}});
  }
  return m;
}

inline dbn::MboMsg Mbo(uint32_t instrument_id, uint64_t ts_event, uint64_t ts_recv, char action, char side,
                       int64_t price, uint32_t size, uint64_t order_id, uint32_t sequence, uint8_t flags = 0) {
  dbn::MboMsg m;
  m.hd.instrument_id = instrument_id;
  m.hd.publisher_id = 1;
  m.hd.ts_event = ts_event;
  m.ts_recv = ts_recv;
  m.action = action;
  m.side = side;
  m.price = price;
  m.size = size;
  m.order_id = order_id;
  m.sequence = sequence;
  m.flags = flags;
  m.channel_id = 7;
  m.ts_in_delta = 1234;
  return m;
}

inline dbn::InstrumentDefMsg OptionDef(uint32_t id, char cls, const char* underlying, int64_t strike,
                                       uint64_t expiration, uint64_t ts_event = kDay, char user_defined = 'N') {
  dbn::InstrumentDefMsg d;
  d.hd.instrument_id = id;
  d.hd.ts_event = ts_event;
  d.ts_recv = ts_event;
  d.instrument_class = cls;
  d.strike_price = strike;
  d.expiration = expiration;
  d.user_defined_instrument = user_defined;
  std::snprintf(d.underlying.data(), d.underlying.size(), "%s", underlying);
  return d;
}

class RawLake : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("spymaster_pipeline_" + std::to_string(getpid()) + "_" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // Writes records (any DBN record structs) as a zstd day file; returns its path.
  template <class R>
  std::filesystem::path WriteRaw(lake::ProductType pt, const std::string& root_symbol, const std::string& schema,
                                 const std::string& file_prefix, const dbn::Metadata& metadata,
                                 const std::vector<R>& records, const std::string& dt = "20260106",
                                 std::string job = "") {
    if (job.empty()) job = "TEST-" + schema;
    const auto dir = lake::RawTableDir(root_, pt, root_symbol, schema) / job;
    std::filesystem::create_directories(dir);
    const auto path = dir / (file_prefix + "-" + dt + "." + schema + ".dbn.zst");
    auto enc = dbn::Encoder::ToFile(path, metadata, dbn::Compression::kZstd);
    for (const auto& r : records) enc.Write(r);
    enc.Finish();
    // Like Databento's: every file of the job with its size and hash (bronze checks both).
    const auto manifest_path = dir / "manifest.json";
    nlohmann::json manifest = {{"job_id", job}, {"files", nlohmann::json::array()}};
    if (std::ifstream in(manifest_path); in) manifest = nlohmann::json::parse(in);
    auto& files = manifest["files"];
    for (auto it = files.begin(); it != files.end();) {
      it = (*it)["filename"] == path.filename().string() ? files.erase(it) : it + 1;
    }
    files.push_back({{"filename", path.filename().string()},
                     {"size", std::filesystem::file_size(path)},
                     {"hash", "sha256:" + common::Sha256File(path)}});
    std::ofstream(manifest_path) << manifest.dump();
    return path;
  }

  lake::DatasetRegistry registry_ = lake::DatasetRegistry::LoadDefault();
  std::filesystem::path root_;
};

}  // namespace spymaster::pipeline::testing
