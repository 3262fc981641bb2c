// config/datasets.yaml and contracts/**/*.avsc compiled into the binary at build time
// (cmake/embed_files.cmake), so that the registry needs no source tree or install directory at run time.
#pragma once

#include <span>
#include <string_view>

namespace spymaster::lake {

struct EmbeddedFile {
  std::string_view path;   // relative to the repository root, e.g. "contracts/bronze/future_mbo/mbo.avsc"
  std::string_view bytes;  // the file's exact bytes
};

std::span<const EmbeddedFile> EmbeddedConfigFiles();

}  // namespace spymaster::lake
