#include "serve/catalog.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <system_error>
#include <tuple>

namespace spymaster::serve {
namespace {

namespace fs = std::filesystem;

// "key=value" directory names below dir whose key matches; sorted by value.
std::set<std::string> Values(const fs::path& dir, std::string_view key) {
  std::set<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec) && name.size() > key.size() + 1 && name.compare(0, key.size(), key) == 0 &&
        name[key.size()] == '=') {
      out.insert(name.substr(key.size() + 1));
    }
  }
  return out;
}

}  // namespace

std::string CatalogJson(const fs::path& lake_root, const std::vector<LiveStream>& live) {
  nlohmann::json partitions = nlohmann::json::array();
  std::set<std::tuple<std::string, std::string, std::string>> snap, gold;
  for (const char* layer : {"silver", "gold"}) {
    const fs::path layer_dir = lake_root / layer;
    for (const auto& pt : Values(layer_dir, "product_type")) {
      const fs::path pt_dir = layer_dir / ("product_type=" + pt);
      for (const auto& symbol : Values(pt_dir, "symbol")) {
        const fs::path sym_dir = pt_dir / ("symbol=" + symbol);
        for (const auto& table : Values(sym_dir, "table")) {
          const fs::path table_dir = sym_dir / ("table=" + table);
          for (const auto& dt : Values(table_dir, "dt")) {
            std::error_code ec;
            if (!fs::exists(table_dir / ("dt=" + dt) / "_SUCCESS", ec)) continue;
            partitions.push_back(
                {{"layer", layer}, {"product_type", pt}, {"symbol", symbol}, {"table", table}, {"dt", dt}});
            if (std::string_view(layer) == "silver" && table == "book_snapshot_1s") snap.emplace(pt, symbol, dt);
            if (std::string_view(layer) == "gold" && table == "physics_surface_1s") gold.emplace(pt, symbol, dt);
          }
        }
      }
    }
  }
  nlohmann::json streams = nlohmann::json::array();
  for (const char* product : {"future_mbo", "equity_mbo"}) {  // futures first: a client opens the first stream
    for (const auto& key : snap) {
      const auto& [pt, symbol, dt] = key;
      if (pt == product && gold.count(key)) streams.push_back({{"product_type", pt}, {"symbol", symbol}, {"dt", dt}});
    }
  }
  nlohmann::json live_streams = nlohmann::json::array();
  for (const LiveStream& l : live) {
    live_streams.push_back({{"product_type", std::string(lake::ToString(l.product))},
                            {"symbol", l.symbol},
                            {"dt", l.dt},
                            {"source", "live"}});
  }
  return nlohmann::json{{"partitions", partitions}, {"streams", streams}, {"live", live_streams}}.dump();
}

}  // namespace spymaster::serve
