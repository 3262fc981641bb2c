#include "lake/product_type.hpp"

namespace spymaster::lake {

std::string_view ToString(ProductType product_type) {
  switch (product_type) {
    case ProductType::kFutureMbo: return "future_mbo";
    case ProductType::kFutureOptionMbo: return "future_option_mbo";
    case ProductType::kEquityMbo: return "equity_mbo";
    case ProductType::kEquityOptionMbo: return "equity_option_mbo";
  }
  return "?";
}

std::optional<ProductType> ParseProductType(std::string_view text) {
  for (ProductType p : kAllProductTypes) {
    if (ToString(p) == text) return p;
  }
  return std::nullopt;
}

std::string_view ToString(Layer layer) {
  switch (layer) {
    case Layer::kRaw: return "raw";
    case Layer::kBronze: return "bronze";
    case Layer::kSilver: return "silver";
    case Layer::kGold: return "gold";
    case Layer::kSelection: return "selection";
  }
  return "?";
}

std::optional<Layer> ParseLayer(std::string_view text) {
  for (Layer l : {Layer::kRaw, Layer::kBronze, Layer::kSilver, Layer::kGold, Layer::kSelection}) {
    if (ToString(l) == text) return l;
  }
  return std::nullopt;
}

}  // namespace spymaster::lake
