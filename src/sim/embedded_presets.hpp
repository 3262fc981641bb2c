// The preset scenarios src/sim/<name>_day.json compiled into the binary at build time
// (cmake/embed_files.cmake): the shipped files are the presets' only source.
#pragma once

#include <span>

#include "common/embedded_file.hpp"

namespace spymaster::sim {

std::span<const EmbeddedFile> EmbeddedPresetFiles();

}  // namespace spymaster::sim
