#include "serve/stream_product.hpp"

#include <fmt/format.h>

#include <system_error>

#include "lake/raw_layout.hpp"

namespace spymaster::serve {

lake::ProductType StreamProduct(const std::filesystem::path& lake_root, const std::string& symbol) {
  const std::string dir = fmt::format("product_type={}", lake::ToString(lake::ProductType::kEquityMbo));
  std::error_code ec;
  for (const char* layer : {"bronze", "silver", "gold"}) {
    if (std::filesystem::is_directory(lake_root / layer / dir / ("symbol=" + symbol), ec)) {
      return lake::ProductType::kEquityMbo;
    }
  }
  if (std::filesystem::is_directory(lake::RawTableDir(lake_root, lake::ProductType::kEquityMbo, symbol), ec)) {
    return lake::ProductType::kEquityMbo;  // raw files only (source=raw)
  }
  return lake::ProductType::kFutureMbo;
}

lake::ProductType OptionProduct(lake::ProductType underlying) {
  return underlying == lake::ProductType::kEquityMbo ? lake::ProductType::kEquityOptionMbo
                                                     : lake::ProductType::kFutureOptionMbo;
}

std::string_view OptionBronzeTable(lake::ProductType options) {
  return options == lake::ProductType::kEquityOptionMbo ? "cmbp_1" : "mbo";
}

std::string_view OptionRawSchema(lake::ProductType options) {
  return options == lake::ProductType::kEquityOptionMbo ? "cmbp-1" : "mbo";
}

std::string DatasetKey(std::string_view layer, lake::ProductType product, std::string_view table) {
  return fmt::format("{}.{}.{}", layer, lake::ToString(product), table);
}

}  // namespace spymaster::serve
