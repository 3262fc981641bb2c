// Lake partitions: one Parquet file per (dataset, symbol, dt) partition, written atomically.
//
// A partition directory holds part-00000.parquet (zstd), _MANIFEST.json and an empty _SUCCESS,
// written last. Writers fill a temporary directory under <lake>/_tmp/ and rename it into place through
// the commit journal (commit_journal.hpp), so a crash never leaves a directory that looks complete and
// no partition glob ever matches a temporary; only a directory with _SUCCESS counts as a partition.
// The manifest lists every data file with its size and row count, and every read checks the partition
// against it: a missing, extra or truncated file is refused (LakeError naming the partition, what
// differs and how to repair it), never read as fewer rows.
//
//   lake::PartitionWriter w(registry, lake_root, "silver.future_mbo.book_snapshot_1s",
//                           {.symbol = "ESH6", .dt = "2026-01-06"});
//   w.Write(*batch);                     // any number of record batches, contract-checked
//   w.Commit({.stage = "silver_future_mbo", .inputs = {...}, .counters = {...}});
//
// Outputs of one stage that must appear together are prepared, then committed as one unit:
//   const InputRef a = snap.Prepare(info), b = flow.Prepare(info);
//   gold.Prepare({.stage = "gold", .inputs = {a, b}});
//   lake::CommitPartitions({&snap, &flow, &gold});
//
// or in one call: lake::WritePartition(registry, lake_root, key, partition, *table, info).
#pragma once

#include <arrow/io/type_fwd.h>
#include <arrow/type_fwd.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "lake/registry.hpp"

namespace parquet::arrow {
class FileWriter;
}

namespace spymaster::lake {

inline constexpr std::string_view kEngineVersion = "spymaster-0.1.0";

struct PartitionKey {
  std::string symbol;  // empty for datasets without a symbol key
  std::string dt;      // YYYY-MM-DD; empty for datasets without partitions
};

// <lake_root>/<path with {symbol}>/dt=<dt> (or the single file's directory when unpartitioned).
std::filesystem::path PartitionDir(const DatasetSpec& dataset, const std::filesystem::path& lake_root,
                                   const PartitionKey& partition);

// Parameters a partition was computed with (e.g. the session window), recorded in its manifest.
using Params = std::map<std::string, std::string>;

// True when the partition (or an unpartitioned dataset's file) has _SUCCESS and its files match its
// manifest (names and sizes; no Parquet is opened). False when it has no _SUCCESS. Throws LakeError when
// it has _SUCCESS but is damaged (a data file missing, extra or of another size, an unreadable manifest,
// or a manifest written before manifests listed their files), naming what differs and how to repair.
bool IsComplete(const std::filesystem::path& partition_dir);
// IsComplete, and a complete partition must have been computed with exactly `params`: otherwise throws
// LakeError naming both parameter sets and saying to use --overwrite (or a different lake).
bool IsCompleteWith(const std::filesystem::path& partition_dir, const Params& params);

// One upstream partition this write was computed from; recorded in the manifest.
struct InputRef {
  std::string dataset;
  std::string dt;
  std::string manifest_sha256;  // sha256 of the input's _MANIFEST.json (raw: of its manifest.json)
  // Raw files only (written to the manifest when set): which file was read, relative to the lake root.
  std::string path = {};
  int64_t bytes = -1;
  std::string sha256 = {};
};

struct StageInfo {
  std::string stage;
  std::vector<InputRef> inputs;
  std::map<std::string, int64_t> counters;  // e.g. unknown order ids, dropped spreads
  Params params = {};                       // what the output depends on besides its inputs
};

struct CommitResult {
  std::filesystem::path dir;
  int64_t rows = 0;
  int64_t bytes = 0;     // size of the Parquet file
  bool skipped = false;  // WritePartition only: the partition was already complete
};

class PartitionWriter;
// Publishes prepared partitions (PartitionWriter::Prepare) as one unit: after a crash or error at any
// point, the next writer or reader of the lake sees either none or all of them (commit_journal.hpp).
// Every writer must be of the same lake. Throws Interrupted if a SIGINT/SIGTERM came before the commit
// began; once the journal is written the commit completes, here or at the next recovery.
std::vector<CommitResult> CommitPartitions(std::span<PartitionWriter* const> writers);
inline std::vector<CommitResult> CommitPartitions(std::initializer_list<PartitionWriter*> writers) {
  return CommitPartitions(std::span<PartitionWriter* const>(writers.begin(), writers.size()));
}

class PartitionWriter {
 public:
  // Recovers the lake (RecoverPendingCommits) and creates the temporary directory. Throws LakeError if
  // the target is complete and overwrite is false, or if overwrite is requested for a raw or bronze
  // dataset (those are never deleted).
  PartitionWriter(const DatasetRegistry& registry, std::filesystem::path lake_root, std::string_view dataset_key,
                  PartitionKey partition, bool overwrite = false);
  ~PartitionWriter();  // not committed: removes the temporary directory
  PartitionWriter(const PartitionWriter&) = delete;
  PartitionWriter& operator=(const PartitionWriter&) = delete;

  // Contract-checked append; throws ContractError naming dataset and column, Interrupted after a
  // SIGINT/SIGTERM (see interrupt.hpp).
  void Write(const arrow::RecordBatch& batch);
  void Write(const arrow::Table& table);

  // Closes the Parquet file and fsyncs it; no Write after it. Prepare does it when it was not called:
  // calling it first (e.g. on another thread) overlaps the last encoding with other work.
  void Finish();
  // Finishes the partition in its temporary directory without publishing it: Finish, then writes
  // _MANIFEST.json and _SUCCESS, all fsynced. Returns the InputRef a consumer of this
  // partition records (its manifest's sha256 does not change when it is published).
  InputRef Prepare(const StageInfo& info);
  // Prepare + CommitPartitions({this}): the partition is renamed into place, replacing an existing one
  // only when overwrite was allowed.
  CommitResult Commit(const StageInfo& info);

  int64_t rows() const { return rows_; }
  const std::filesystem::path& final_dir() const { return final_dir_; }

 private:
  friend std::vector<CommitResult> CommitPartitions(std::span<PartitionWriter* const> writers);
  void OpenFile(const std::shared_ptr<arrow::Schema>& schema);

  const DatasetSpec& dataset_;
  std::filesystem::path lake_root_;
  PartitionKey partition_;
  bool overwrite_;
  std::filesystem::path final_dir_;
  std::filesystem::path tmp_dir_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
  std::shared_ptr<arrow::io::FileOutputStream> sink_;
  int64_t rows_ = 0;
  std::optional<CommitResult> prepared_;
  bool finished_ = false;   // the data file is closed and synced
  bool committed_ = false;  // the temporary belongs to a commit (journal written)
};

// Open + Write(table) + Commit. A complete partition is left alone and reported as skipped unless
// overwrite is set; see PartitionWriter for the rules.
CommitResult WritePartition(const DatasetRegistry& registry, const std::filesystem::path& lake_root,
                            std::string_view dataset_key, const PartitionKey& partition, const arrow::Table& table,
                            const StageInfo& info, bool overwrite = false);

// Every read first recovers the lake (RecoverPendingCommits), requires _SUCCESS (LakeError "input not
// ready" without it) and checks the partition against its manifest: dataset, symbol and dt, the data
// files' names and sizes, and each file's row count in its Parquet footer. A mismatch throws LakeError
// naming the partition, what differs and how to repair it (silver/gold: rerun with --overwrite;
// bronze: remove the partition directory and rerun bronze).

// Reads a complete partition and checks it against the contract.
std::shared_ptr<arrow::Table> ReadPartition(const DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                            std::string_view dataset_key, const PartitionKey& partition);

// Only the named columns (in the order given) of a complete partition; the files are still checked
// against the full contract. Throws LakeError naming a column that is not in the contract.
std::shared_ptr<arrow::Table> ReadPartitionColumns(const DatasetRegistry& registry,
                                                   const std::filesystem::path& lake_root, std::string_view dataset_key,
                                                   const PartitionKey& partition,
                                                   const std::vector<std::string>& columns);

// Streaming variant: record batches of about batch_rows rows in file order, contract-checked.
// With columns, only those (in contract order) are decoded: a reader that needs few columns skips
// the others' decompression and decoding. Throws LakeError naming a column not in the contract.
// strings_as_dictionary: string columns come as dictionary<int32, utf8> arrays straight from
// Parquet's dictionary pages (indices only), far cheaper than expanding codes like action and side.
// The reader refers to the registry's dataset entry: keep the registry alive while reading.
std::shared_ptr<arrow::RecordBatchReader> OpenPartitionReader(
    const DatasetRegistry& registry, const std::filesystem::path& lake_root, std::string_view dataset_key,
    const PartitionKey& partition, int64_t batch_rows = 1 << 16, const std::vector<std::string>& columns = {},
    bool strings_as_dictionary = false);

// The InputRef for a complete partition (sha256 of its _MANIFEST.json).
InputRef InputRefFor(const DatasetRegistry& registry, const std::filesystem::path& lake_root,
                     std::string_view dataset_key, const PartitionKey& partition);
// The same, for an input that must have been computed with `params` (e.g. silver read by gold must come
// from the same session window); otherwise throws LakeError naming both parameter sets.
InputRef InputRefFor(const DatasetRegistry& registry, const std::filesystem::path& lake_root,
                     std::string_view dataset_key, const PartitionKey& partition, const Params& params);

// Symbols with at least one complete partition of the (symbol, dt)-partitioned dataset, sorted.
std::vector<std::string> ListSymbols(const DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                     std::string_view dataset_key);

// A partition could not be read, written or committed (I/O), or is not in the state the caller needs.
class LakeError : public Error {
 public:
  explicit LakeError(const std::string& what, ErrorKind kind = ErrorKind::kIo) : Error{kind, what} {}
};

}  // namespace spymaster::lake
