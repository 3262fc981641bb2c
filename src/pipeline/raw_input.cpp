#include "pipeline/raw_input.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace spymaster::pipeline {
namespace fs = std::filesystem;

fs::path RawTableDir(const fs::path& lake_root, lake::ProductType product_type, std::string_view root_symbol,
                     std::string_view schema) {
  return lake_root / "raw" / "source=databento" / fmt::format("product_type={}", lake::ToString(product_type)) /
         fmt::format("symbol={}", root_symbol) / fmt::format("table={}", schema);
}

std::vector<fs::path> FindRawFiles(const fs::path& lake_root, lake::ProductType product_type,
                                   std::string_view root_symbol, std::string_view schema, std::string_view dt) {
  const fs::path dir = RawTableDir(lake_root, product_type, root_symbol, schema);
  std::string yyyymmdd(dt);
  yyyymmdd.erase(std::remove(yyyymmdd.begin(), yyyymmdd.end(), '-'), yyyymmdd.end());
  const std::string schema_part = fmt::format(".{}.dbn", schema);
  std::vector<fs::path> files;
  if (fs::is_directory(dir)) {
    for (const auto& job : fs::directory_iterator(dir)) {
      if (!job.is_directory()) continue;
      for (const auto& entry : fs::directory_iterator(job.path())) {
        const std::string name = entry.path().filename().string();
        const bool dbn = name.ends_with(".dbn") || name.ends_with(".dbn.zst");
        if (entry.is_regular_file() && dbn && name.find(yyyymmdd) != std::string::npos &&
            name.find(schema_part) != std::string::npos) {
          files.push_back(entry.path());
        }
      }
    }
  }
  if (files.empty()) {
    throw std::runtime_error(fmt::format("missing raw input: no {} file for {} under {} (expected "
                                         "<job_id>/<dataset>-{}.{}.dbn.zst)",
                                         schema, dt, dir.string(), yyyymmdd, schema));
  }
  std::sort(files.begin(), files.end());
  return files;
}

lake::InputRef RawInputRef(const fs::path& file, std::string_view schema, std::string_view dt) {
  const fs::path manifest = file.parent_path() / "manifest.json";
  const std::string sha = fs::is_regular_file(manifest) ? lake::Sha256File(manifest) : lake::Sha256File(file);
  return lake::InputRef{fmt::format("raw.{}:{}", schema, file.filename().string()), std::string(dt), sha};
}

std::unordered_map<uint32_t, std::string> InstrumentSymbols(const dbn::Metadata& metadata, uint32_t yyyymmdd) {
  // With stype_in instrument_id the roles flip: the mapping key is the id, the interval the symbol.
  const bool ids_in = metadata.stype_in == dbn::SType::kInstrumentId;
  std::unordered_map<uint32_t, std::string> symbols;
  for (const dbn::SymbolMapping& mapping : metadata.mappings) {
    for (const dbn::MappingInterval& interval : mapping.intervals) {
      if (interval.start_date > yyyymmdd || yyyymmdd >= interval.end_date) continue;
      const std::string& id_text = ids_in ? mapping.raw_symbol : interval.symbol;
      uint32_t id = 0;
      const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
      if (ec == std::errc() && end == id_text.data() + id_text.size()) {
        symbols[id] = ids_in ? interval.symbol : mapping.raw_symbol;
      }
    }
  }
  return symbols;
}

}  // namespace spymaster::pipeline
