// config/datasets.yaml and contracts/**/*.avsc compiled into the binary at build time
// (cmake/embed_files.cmake), so that the registry needs no source tree or install directory at run time.
#pragma once

#include <span>

#include "common/embedded_file.hpp"

namespace spymaster::lake {

std::span<const EmbeddedFile> EmbeddedConfigFiles();

}  // namespace spymaster::lake
