// Temporaries and all-or-nothing commits of lake outputs.
//
// Under the lake root, on the partitions' filesystem (so every rename is atomic) and out of reach of
// every partition glob (`<layer>/product_type=*/.../dt=*/*.parquet`):
//   _tmp/<owner>.<n>.<label>/  a writer's temporary partition, or a replaced one on its way out
//   _txn/<owner>.<n>.json      the journal of a commit being published
//   _txn/lock                  flock'ed while a commit is published or recovered
// <owner> is "<pid>-<start time of that process>": a temporary whose owner is no longer running is
// stale, even when the pid has been reused.
//
// A commit publishes a group of renames (temporary → partition) as one unit. Under the lock:
//   1. the journal listing the renames (paths relative to the lake root) is written, fsynced and
//      renamed into _txn/ (which is fsynced): from here on the commit will complete;
//   2. for each entry a present target is moved to a trash directory under _tmp/, then the temporary
//      is moved into place;
//   3. every directory touched is fsynced, the trash is removed, the journal is removed.
// A running commit holds the lock until its journal is gone, so a journal seen under the lock belongs
// to a commit that stopped (crash, kill -9, power cut, an error in step 2 or 3). Recovery rolls it
// forward: step 2 for the entries whose temporary is still there, then step 3. Every writer and reader
// of the lake recovers before it looks at partitions, so after recovery a group is either all old or
// all new. Readers outside spymaster (DuckDB, polars) that look while a commit is in flight, or after a
// crash before the next spymaster run, may see part of a group; each partition they see is complete.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

namespace spymaster::lake {

struct LakeRename {
  std::filesystem::path from;  // an existing file or directory under the lake root
  std::filesystem::path to;    // replaced if present (a directory goes to trash first)
};

// A new empty directory under <lake_root>/_tmp/ owned by this process. `label` only tells a human what
// the directory is for.
std::filesystem::path MakeTemporaryDir(const std::filesystem::path& lake_root, std::string_view label);

// Publishes the renames as one unit (see above); creates the targets' parent directories. `journaled`
// runs once the journal is durable, i.e. once the commit can no longer be undone: from then on the
// temporaries belong to the commit even if this call throws (a later recovery completes it).
void CommitRenames(const std::filesystem::path& lake_root, const std::vector<LakeRename>& renames,
                   const std::function<void()>& journaled = {});

// Rolls forward every journal of a stopped commit, then removes temporaries and trash of processes
// that are no longer running. Costs two directory listings when there is nothing to do.
void RecoverPendingCommits(const std::filesystem::path& lake_root);

}  // namespace spymaster::lake
