// Writing and syncing lake files so that what is published survives a power cut: data reaches the disk
// (fsync) before anything that declares it complete, and a rename is durable once its directory is
// synced. Errors throw LakeError naming the path.
#pragma once

#include <filesystem>
#include <string_view>

namespace spymaster::lake {

// Creates or truncates `path`, writes `content` and fsyncs the file.
void WriteFileDurably(const std::filesystem::path& path, std::string_view content);

// fsync of an existing file or directory (a directory: its entries, e.g. after a rename into it).
void SyncPath(const std::filesystem::path& path);

}  // namespace spymaster::lake
