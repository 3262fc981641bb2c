// Discovery of raw Databento batch files in the lake and what bronze needs from them: the files of
// one (product_type, root symbol, schema, date) and their lineage hash. The layout is in lake/raw_layout.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lake/partition.hpp"
#include "lake/product_type.hpp"

namespace spymaster::pipeline {

// Data files of the date (name contains YYYYMMDD and the schema, ends .dbn or .dbn.zst) in every job
// directory of the table, sorted by path. Throws std::runtime_error naming the directory when none.
std::vector<std::filesystem::path> FindRawFiles(const std::filesystem::path& lake_root,
                                                lake::ProductType product_type,
                                                std::string_view root_symbol, std::string_view schema,
                                                std::string_view dt);

// The raw root a partition symbol's records come from: a futures contract's root (ESH6 → ES, by its CME
// month code and 1–2 digit year), the ticker itself for equities. Throws std::invalid_argument for a
// futures symbol without a contract suffix.
std::string RawRootOf(lake::ProductType product_type, std::string_view symbol);

// Lineage of a raw file: sha256 of its job's manifest.json when present, else of the file itself.
lake::InputRef RawInputRef(const std::filesystem::path& file, std::string_view schema, std::string_view dt);

}  // namespace spymaster::pipeline
