// Writing and syncing lake files so that what is published survives a power cut: data reaches the disk
// (fsync) before anything that declares it complete, and a rename is durable once its directory is
// synced. Errors throw LakeError naming the path.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

namespace spymaster::lake {

// Creates or truncates `path`, writes `content` and fsyncs the file.
void WriteFileDurably(const std::filesystem::path& path, std::string_view content);
// Creates or truncates `path` and writes `content`, not synced: for a file synced later with others
// (SyncPaths) before anything relies on it.
void WriteFile(const std::filesystem::path& path, std::string_view content);

// fsync of an existing file or directory (a directory: its entries, e.g. after a rename into it).
void SyncPath(const std::filesystem::path& path);
// SyncPath of each, issued together (a thread each) and all waited for: every fsync pays a disk cache
// flush of a few ms, and concurrent ones share it. Throws the first path's error after all are done.
void SyncPaths(const std::vector<std::filesystem::path>& paths);

}  // namespace spymaster::lake
