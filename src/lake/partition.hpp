// Lake partitions: one Parquet file per (dataset, symbol, dt) partition, written atomically.
//
// A partition directory holds part-00000.parquet (zstd), _MANIFEST.json and an empty _SUCCESS,
// written last. Writers fill a temporary sibling directory (".tmp-<dir name>-<pid>-<n>") and rename
// it into place, so a crash never leaves a directory that looks complete; only a directory with
// _SUCCESS counts as a partition.
//
//   lake::PartitionWriter w(registry, lake_root, "silver.future_mbo.book_snapshot_1s",
//                           {.symbol = "ESH6", .dt = "2026-01-06"});
//   w.Write(*batch);                     // any number of record batches, contract-checked
//   w.Commit({.stage = "silver_future_mbo", .inputs = {...}, .counters = {...}});
//
// or in one call: lake::WritePartition(registry, lake_root, key, partition, *table, info).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/io/type_fwd.h>
#include <arrow/type_fwd.h>

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
bool IsComplete(const std::filesystem::path& partition_dir);

// One upstream partition this write was computed from; recorded in the manifest.
struct InputRef {
  std::string dataset;
  std::string dt;
  std::string manifest_sha256;  // sha256 of the input's _MANIFEST.json (raw: of its manifest.json)
};

struct StageInfo {
  std::string stage;
  std::vector<InputRef> inputs;
  std::map<std::string, int64_t> counters;  // e.g. unknown order ids, dropped spreads
};

struct CommitResult {
  std::filesystem::path dir;
  int64_t rows = 0;
  int64_t bytes = 0;     // size of the Parquet file
  bool skipped = false;  // WritePartition only: the partition was already complete
};

class PartitionWriter {
 public:
  // Creates the temporary directory. Throws LakeError if the target is complete and overwrite is
  // false, or if overwrite is requested for a raw or bronze dataset (those are never deleted).
  PartitionWriter(const DatasetRegistry& registry, std::filesystem::path lake_root,
                  std::string_view dataset_key, PartitionKey partition, bool overwrite = false);
  ~PartitionWriter();  // not committed: removes the temporary directory
  PartitionWriter(const PartitionWriter&) = delete;
  PartitionWriter& operator=(const PartitionWriter&) = delete;

  // Contract-checked append; throws ContractError naming dataset and column.
  void Write(const arrow::RecordBatch& batch);
  void Write(const arrow::Table& table);

  // Closes the Parquet file, writes _MANIFEST.json, then _SUCCESS, then renames into place
  // (replacing an existing partition only when overwrite was allowed).
  CommitResult Commit(const StageInfo& info);

  int64_t rows() const { return rows_; }
  const std::filesystem::path& final_dir() const { return final_dir_; }

 private:
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
  bool committed_ = false;
};

// Open + Write(table) + Commit. A complete partition is left alone and reported as skipped unless
// overwrite is set; see PartitionWriter for the rules.
CommitResult WritePartition(const DatasetRegistry& registry, const std::filesystem::path& lake_root,
                            std::string_view dataset_key, const PartitionKey& partition,
                            const arrow::Table& table, const StageInfo& info, bool overwrite = false);

// Reads a complete partition (throws LakeError "input not ready" without _SUCCESS) and checks it
// against the contract.
std::shared_ptr<arrow::Table> ReadPartition(const DatasetRegistry& registry,
                                            const std::filesystem::path& lake_root,
                                            std::string_view dataset_key,
                                            const PartitionKey& partition);

// Only the named columns (in the order given) of a complete partition; the files are still checked
// against the full contract. Throws LakeError naming a column that is not in the contract.
std::shared_ptr<arrow::Table> ReadPartitionColumns(const DatasetRegistry& registry,
                                                   const std::filesystem::path& lake_root,
                                                   std::string_view dataset_key,
                                                   const PartitionKey& partition,
                                                   const std::vector<std::string>& columns);

// Streaming variant: record batches of about batch_rows rows in file order, contract-checked.
// With columns, only those (in contract order) are decoded: a reader that needs few columns skips
// the others' decompression and decoding. Throws LakeError naming a column not in the contract.
// strings_as_dictionary: string columns come as dictionary<int32, utf8> arrays straight from
// Parquet's dictionary pages (indices only), far cheaper than expanding codes like action and side.
// The reader refers to the registry's dataset entry: keep the registry alive while reading.
std::shared_ptr<arrow::RecordBatchReader> OpenPartitionReader(
    const DatasetRegistry& registry, const std::filesystem::path& lake_root,
    std::string_view dataset_key, const PartitionKey& partition, int64_t batch_rows = 1 << 16,
    const std::vector<std::string>& columns = {}, bool strings_as_dictionary = false);

// The InputRef for a complete partition (sha256 of its _MANIFEST.json).
InputRef InputRefFor(const DatasetRegistry& registry, const std::filesystem::path& lake_root,
                     std::string_view dataset_key, const PartitionKey& partition);

// Symbols with at least one complete partition of the (symbol, dt)-partitioned dataset, sorted.
std::vector<std::string> ListSymbols(const DatasetRegistry& registry,
                                     const std::filesystem::path& lake_root,
                                     std::string_view dataset_key);

// A partition could not be read, written or committed (I/O), or is not in the state the caller needs.
class LakeError : public Error {
 public:
  explicit LakeError(const std::string& what, ErrorKind kind = ErrorKind::kIo) : Error{kind, what} {}
};

}  // namespace spymaster::lake
