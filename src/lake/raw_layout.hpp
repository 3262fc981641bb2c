// Where raw Databento batch files live in the lake: the simulator writes there, bronze reads there, the
// CLI looks there. Header-only and free of Arrow, like product_type.hpp, so the simulator can use it.
//
// <lake>/raw/source=databento/product_type=<pt>/symbol=<root>/table=<schema>/<job_id>/
//     <dataset>-<YYYYMMDD>.<schema>.dbn[.zst]   (+ manifest.json, metadata.json, ...)
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "lake/product_type.hpp"

namespace spymaster::lake {

// <lake>/raw
inline std::filesystem::path RawDir(const std::filesystem::path& lake_root) {
  return lake_root / ToString(Layer::kRaw);
}

// <lake>/raw/source=databento/product_type=<pt>/symbol=<root>, or with a schema its table=<schema> below.
inline std::filesystem::path RawTableDir(const std::filesystem::path& lake_root, ProductType product_type,
                                         std::string_view root_symbol, std::string_view schema = {}) {
  std::filesystem::path dir = RawDir(lake_root) / "source=databento" /
                              ("product_type=" + std::string(ToString(product_type))) /
                              ("symbol=" + std::string(root_symbol));
  if (!schema.empty()) dir /= "table=" + std::string(schema);
  return dir;
}

}  // namespace spymaster::lake
