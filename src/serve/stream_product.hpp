// Which product a stream's symbol is, and the dataset keys that follow: futures (ESH6) read
// future_mbo with options from future_option_mbo, equities (SPY, QQQ) equity_mbo with equity_option_mbo.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "lake/product_type.hpp"

namespace spymaster::serve {

// equity_mbo when the lake has equity_mbo partitions of `symbol` (bronze, silver or gold) or its raw files,
// else future_mbo.
lake::ProductType StreamProduct(const std::filesystem::path& lake_root, const std::string& symbol);
// The options product of an underlying product.
lake::ProductType OptionProduct(lake::ProductType underlying);
// The bronze table (mbo, cmbp_1) and the raw schema (mbo, cmbp-1) of an options product's records: ES
// options come as MBO, OPRA equity options as CMBP-1.
std::string_view OptionBronzeTable(lake::ProductType options);
std::string_view OptionRawSchema(lake::ProductType options);
// The dataset key "<layer>.<product>.<table>".
std::string DatasetKey(std::string_view layer, lake::ProductType product, std::string_view table);

}  // namespace spymaster::serve
