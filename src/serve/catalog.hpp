// GET /v1/catalog: which (product, symbol, dt) partitions the lake holds, by layer and table, and which
// (product, symbol, dt) can be streamed (silver book_snapshot_1s and gold physics_surface_1s both complete,
// futures and equities), and the server's live feeds.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "serve/server.hpp"

namespace spymaster::serve {

// The catalog as JSON text. Only directories with _SUCCESS count; temporaries are never listed.
std::string CatalogJson(const std::filesystem::path& lake_root, const std::vector<LiveStream>& live);

}  // namespace spymaster::serve
