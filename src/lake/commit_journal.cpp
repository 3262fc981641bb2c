#include "lake/commit_journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lake/durable_file.hpp"
#include "lake/failpoint.hpp"
#include "lake/partition.hpp"

namespace spymaster::lake {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kTmpDir = "_tmp";
constexpr std::string_view kTxnDir = "_txn";
constexpr std::string_view kJournalExt = ".json";
constexpr std::string_view kJournalTmpExt = ".json.tmp";

std::atomic<uint64_t> g_counter{0};

struct ProcStat {
  char state = '?';
  std::string start_time;  // clock ticks after boot, as text
};

// Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses).
std::optional<ProcStat> ReadProcStat(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  ProcStat stat;
  fields >> stat.state;
  std::string field;
  for (int i = 4; i <= 22 && fields >> field; ++i) {  // field 22 is the start time
    if (i == 22) stat.start_time = field;
  }
  return stat;
}

// "<pid>-<start time>"; recomputed after a fork.
std::string SelfOwner() {
  static std::atomic<pid_t> cached_pid{0};
  static std::string cached;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (cached_pid != getpid()) {
    const auto stat = ReadProcStat(getpid());
    cached = fmt::format("{}-{}", getpid(), stat ? stat->start_time : "");
    cached_pid = getpid();
  }
  return cached;
}

// Owner of a _tmp/ or _txn/ entry named "<owner>.<n>...": running (true), gone (false), or not a
// name of ours (nullopt: left alone).
std::optional<bool> OwnerRunning(const std::string& name) {
  const auto dot = name.find('.');
  const auto dash = name.find('-');
  if (dot == std::string::npos || dash == std::string::npos || dash > dot) return std::nullopt;
  const std::string pid_text = name.substr(0, dash);
  const std::string start = name.substr(dash + 1, dot - dash - 1);
  if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const auto pid = static_cast<pid_t>(std::stol(pid_text));
  if (pid <= 0) return std::nullopt;
  if (start.empty()) return kill(pid, 0) == 0 || errno == EPERM;  // no /proc when it was made
  const auto stat = ReadProcStat(pid);
  return stat && stat->state != 'Z' && stat->start_time == start;
}

std::string NewId() { return fmt::format("{}.{}", SelfOwner(), g_counter++); }

[[noreturn]] void FailFs(std::string_view what, const fs::path& a, const fs::path& b, const std::error_code& ec) {
  throw LakeError(
      fmt::format("cannot {} {}{}{}: {}", what, a.string(), b.empty() ? "" : " to ", b.string(), ec.message()));
}

void Rename(const fs::path& from, const fs::path& to) {
  FailpointHit("commit.rename");
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) FailFs("rename", from, to, ec);
}

void RemoveAll(const fs::path& path) {
  FailpointHit("commit.unlink");
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) FailFs("remove", path, {}, ec);
}

bool Exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

// create_directories, and the parent of every directory it creates synced so the new entries are durable.
void CreateDirectoriesDurably(const fs::path& dir, std::set<fs::path>& to_sync) {
  std::vector<fs::path> missing;
  for (fs::path d = dir; !d.empty() && !Exists(d); d = d.parent_path()) {
    missing.push_back(d);
    if (d == d.parent_path()) break;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) FailFs("create", dir, {}, ec);
  for (const fs::path& d : missing) to_sync.insert(d.parent_path());
}

void CreateDirectoriesDurably(const fs::path& dir) {
  std::set<fs::path> to_sync;
  CreateDirectoriesDurably(dir, to_sync);
  SyncPaths({to_sync.begin(), to_sync.end()});
}

// Held while a commit is published or recovered; see the header.
class LakeLock {
 public:
  explicit LakeLock(const fs::path& lake_root) {
    const fs::path dir = lake_root / kTxnDir;
    CreateDirectoriesDurably(dir);
    const fs::path file = dir / "lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw LakeError(fmt::format("cannot open {}: {}", file.string(), std::strerror(errno)));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd_);
      throw LakeError(fmt::format("cannot lock {}: {}", file.string(), std::strerror(err)));
    }
  }
  ~LakeLock() { ::close(fd_); }
  LakeLock(const LakeLock&) = delete;
  LakeLock& operator=(const LakeLock&) = delete;

 private:
  int fd_ = -1;
};

// Step 2 and 3 of the header's protocol; idempotent, so it serves both a commit and its recovery.
void RollForward(const fs::path& lake_root, const fs::path& journal_path, const nlohmann::json& journal) {
  std::set<fs::path> touched;  // directories whose entries changed
  std::vector<fs::path> trash;
  for (const auto& entry : journal.at("renames")) {
    const fs::path from = lake_root / entry.at("from").get<std::string>();
    const fs::path to = lake_root / entry.at("to").get<std::string>();
    const std::string trash_rel = entry.value("trash", "");
    if (!trash_rel.empty()) trash.push_back(lake_root / trash_rel);
    if (Exists(from)) {
      CreateDirectoriesDurably(to.parent_path(), touched);
      if (!trash_rel.empty() && Exists(to)) Rename(to, trash.back());
      Rename(from, to);
    } else if (!Exists(to)) {
      spdlog::warn("commit journal {}: neither {} nor {} exists; that output must be computed again",
                   journal_path.string(), from.string(), to.string());
    }
    touched.insert(from.parent_path());
    touched.insert(to.parent_path());
  }
  std::vector<fs::path> to_sync;
  for (const fs::path& dir : touched) {
    if (Exists(dir)) to_sync.push_back(dir);
  }
  SyncPaths(to_sync);
  for (const fs::path& t : trash) {
    if (Exists(t)) RemoveAll(t);
  }
  // Not synced: a journal that comes back after a power cut rolls forward to the same state.
  RemoveAll(journal_path);
}

nlohmann::json ReadJournal(const fs::path& path) {
  std::ifstream in(path);
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw LakeError(
        fmt::format("commit journal {} is unreadable ({}); it lists partitions that were being "
                    "published: inspect it, remove it and recompute those partitions",
                    path.string(), e.what()));
  }
}

std::vector<fs::path> Entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

bool IsJournal(const fs::path& p) { return p.filename().string().ends_with(kJournalExt); }

void RollForwardAll(const fs::path& lake_root) {
  for (const fs::path& p : Entries(lake_root / kTxnDir)) {
    if (IsJournal(p)) RollForward(lake_root, p, ReadJournal(p));
  }
}

// Entries of _tmp/ and unpublished journals in _txn/ whose owner is gone.
std::vector<fs::path> StaleTemporaries(const fs::path& lake_root) {
  std::vector<fs::path> stale;
  for (const fs::path& p : Entries(lake_root / kTmpDir)) {
    if (OwnerRunning(p.filename().string()) == false) stale.push_back(p);
  }
  for (const fs::path& p : Entries(lake_root / kTxnDir)) {
    const std::string name = p.filename().string();
    if (name.ends_with(kJournalTmpExt) && OwnerRunning(name) == false) stale.push_back(p);
  }
  return stale;
}

std::string Relative(const fs::path& path, const fs::path& lake_root) {
  const fs::path rel = path.lexically_relative(lake_root);
  if (rel.empty() || *rel.begin() == "..") {
    throw LakeError(fmt::format("{} is not under the lake root {}", path.string(), lake_root.string()));
  }
  return rel.generic_string();
}

}  // namespace

fs::path MakeTemporaryDir(const fs::path& lake_root, std::string_view label) {
  const fs::path dir = lake_root / kTmpDir / fmt::format("{}.{}", NewId(), label);
  CreateDirectoriesDurably(dir.parent_path());
  std::error_code ec;
  fs::create_directory(dir, ec);
  if (ec) FailFs("create", dir, {}, ec);
  return dir;
}

void CommitRenames(const fs::path& lake_root, const std::vector<LakeRename>& renames,
                   const std::function<void()>& journaled) {
  nlohmann::json journal;
  journal["owner"] = SelfOwner();
  journal["renames"] = nlohmann::json::array();
  for (const LakeRename& r : renames) {
    nlohmann::json entry{{"from", Relative(r.from, lake_root)}, {"to", Relative(r.to, lake_root)}};
    if (fs::is_directory(r.from)) entry["trash"] = Relative(lake_root / kTmpDir / (NewId() + ".trash"), lake_root);
    journal["renames"].push_back(std::move(entry));
  }
  LakeLock lock(lake_root);
  RollForwardAll(lake_root);  // an earlier stopped commit goes first: journals apply in commit order
  const std::string id = NewId();
  const fs::path txn = lake_root / kTxnDir;
  const fs::path staged = txn / (id + std::string(kJournalTmpExt));
  const fs::path path = txn / (id + std::string(kJournalExt));
  // The temporaries' entries must be durable before a journal that names them.
  if (Exists(lake_root / kTmpDir)) SyncPath(lake_root / kTmpDir);
  try {
    WriteFileDurably(staged, journal.dump(2) + "\n");
    Rename(staged, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(staged, ec);
    throw;
  }
  SyncPath(txn);
  if (journaled) journaled();
  RollForward(lake_root, path, journal);
}

void RecoverPendingCommits(const fs::path& lake_root) {
  const auto txn_entries = Entries(lake_root / kTxnDir);
  const bool journals = std::any_of(txn_entries.begin(), txn_entries.end(), IsJournal);
  auto remove_stale = [&] {
    for (const fs::path& p : StaleTemporaries(lake_root)) {
      std::error_code ec;
      fs::remove_all(p, ec);
      if (ec) spdlog::warn("cannot remove stale temporary {}: {}", p.string(), ec.message());
    }
  };
  if (journals) {
    LakeLock lock(lake_root);
    RollForwardAll(lake_root);
    remove_stale();
    return;
  }
  if (StaleTemporaries(lake_root).empty()) return;
  // Only tidying: a lake this process may not write (a read-only copy) is still readable.
  try {
    LakeLock lock(lake_root);
    remove_stale();
  } catch (const LakeError& e) {
    spdlog::warn("stale temporaries left in {}: {}", (lake_root / kTmpDir).string(), e.what());
  }
}

}  // namespace spymaster::lake
