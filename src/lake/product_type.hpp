// The four product types and the lake layers, with their lake spellings. Header-only and free of Arrow:
// the simulator names its raw folders with the same spellings.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace spymaster::lake {

enum class ProductType { kFutureMbo, kFutureOptionMbo, kEquityMbo, kEquityOptionMbo };

inline constexpr std::array<ProductType, 4> kAllProductTypes = {ProductType::kFutureMbo, ProductType::kFutureOptionMbo,
                                                                ProductType::kEquityMbo, ProductType::kEquityOptionMbo};

// "future_mbo", "future_option_mbo", "equity_mbo", "equity_option_mbo".
constexpr std::string_view ToString(ProductType product_type) {
  switch (product_type) {
    case ProductType::kFutureMbo:
      return "future_mbo";
    case ProductType::kFutureOptionMbo:
      return "future_option_mbo";
    case ProductType::kEquityMbo:
      return "equity_mbo";
    case ProductType::kEquityOptionMbo:
      return "equity_option_mbo";
  }
  return "?";
}

constexpr std::optional<ProductType> ParseProductType(std::string_view text) {
  for (ProductType p : kAllProductTypes) {
    if (ToString(p) == text) return p;
  }
  return std::nullopt;
}

// raw and bronze are never deleted; silver, gold and selection may be overwritten on request. forecast is
// a pipeline layer (the stage after gold, pipeline/forecast_stage.hpp) whose table lives under gold/.
enum class Layer { kRaw, kBronze, kSilver, kGold, kSelection, kForecast };

inline constexpr std::array<Layer, 6> kAllLayers = {Layer::kRaw,  Layer::kBronze,    Layer::kSilver,
                                                    Layer::kGold, Layer::kSelection, Layer::kForecast};

constexpr std::string_view ToString(Layer layer) {
  switch (layer) {
    case Layer::kRaw:
      return "raw";
    case Layer::kBronze:
      return "bronze";
    case Layer::kSilver:
      return "silver";
    case Layer::kGold:
      return "gold";
    case Layer::kSelection:
      return "selection";
    case Layer::kForecast:
      return "forecast";
  }
  return "?";
}

constexpr std::optional<Layer> ParseLayer(std::string_view text) {
  for (Layer l : kAllLayers) {
    if (ToString(l) == text) return l;
  }
  return std::nullopt;
}

}  // namespace spymaster::lake
