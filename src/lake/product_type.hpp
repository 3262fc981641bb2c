// The four product types and the lake layers, with their lake spellings.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace spymaster::lake {

enum class ProductType { kFutureMbo, kFutureOptionMbo, kEquityMbo, kEquityOptionMbo };

inline constexpr std::array<ProductType, 4> kAllProductTypes = {
    ProductType::kFutureMbo, ProductType::kFutureOptionMbo, ProductType::kEquityMbo,
    ProductType::kEquityOptionMbo};

// "future_mbo", "future_option_mbo", "equity_mbo", "equity_option_mbo".
std::string_view ToString(ProductType product_type);
std::optional<ProductType> ParseProductType(std::string_view text);

// raw and bronze are never deleted; silver, gold and selection may be overwritten on request.
enum class Layer { kRaw, kBronze, kSilver, kGold, kSelection };

std::string_view ToString(Layer layer);
std::optional<Layer> ParseLayer(std::string_view text);

}  // namespace spymaster::lake
