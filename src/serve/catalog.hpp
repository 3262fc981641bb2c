// GET /v1/catalog: which (product, symbol, dt) partitions the lake holds, by layer and table, and which
// (symbol, dt) can be streamed (silver book_snapshot_1s and gold physics_surface_1s both complete).
#pragma once

#include <filesystem>
#include <string>

namespace spymaster::serve {

// The catalog as JSON text. Only directories with _SUCCESS count; temporaries are never listed.
std::string CatalogJson(const std::filesystem::path& lake_root);

}  // namespace spymaster::serve
