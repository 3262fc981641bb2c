#include "pipeline/raw_input.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "lake/raw_layout.hpp"

namespace spymaster::pipeline {
namespace fs = std::filesystem;

std::vector<fs::path> FindRawFiles(const fs::path& lake_root, lake::ProductType product_type,
                                   std::string_view root_symbol, std::string_view schema, std::string_view dt) {
  const fs::path dir = lake::RawTableDir(lake_root, product_type, root_symbol, schema);
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

std::string RawRootOf(lake::ProductType product_type, std::string_view symbol) {
  if (product_type != lake::ProductType::kFutureMbo && product_type != lake::ProductType::kFutureOptionMbo) {
    return std::string(symbol);
  }
  std::size_t digits = 0;
  while (digits < symbol.size() && digits < 2 && std::isdigit(static_cast<unsigned char>(symbol[symbol.size() - 1 - digits]))) {
    ++digits;
  }
  constexpr std::string_view kMonthCodes = "FGHJKMNQUVXZ";
  if (digits == 0 || symbol.size() < digits + 2 ||
      kMonthCodes.find(symbol[symbol.size() - 1 - digits]) == std::string_view::npos) {
    throw std::invalid_argument(
        fmt::format("--symbol {}: not a futures contract (root, CME month code and year, e.g. ESH6)", symbol));
  }
  return std::string(symbol.substr(0, symbol.size() - 1 - digits));
}

lake::InputRef RawInputRef(const fs::path& file, std::string_view schema, std::string_view dt) {
  const fs::path manifest = file.parent_path() / "manifest.json";
  const std::string sha = fs::is_regular_file(manifest) ? lake::Sha256File(manifest) : lake::Sha256File(file);
  return lake::InputRef{fmt::format("raw.{}:{}", schema, file.filename().string()), std::string(dt), sha};
}

}  // namespace spymaster::pipeline
