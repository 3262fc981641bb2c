// A file of the source tree compiled into the binary at build time (cmake/embed_files.cmake), so that the
// program needs no source tree or install directory at run time.
#pragma once

#include <string_view>

namespace spymaster {

struct EmbeddedFile {
  std::string_view path;   // relative to the repository root, e.g. "contracts/bronze/future_mbo/mbo.avsc"
  std::string_view bytes;  // the file's exact bytes
};

}  // namespace spymaster
