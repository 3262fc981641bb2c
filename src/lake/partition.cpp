#include "lake/partition.hpp"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>
#include <parquet/properties.h>
#include <string.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "common/calendar.hpp"
#include "common/sha256.hpp"
#include "lake/commit_journal.hpp"
#include "lake/contract_check.hpp"
#include "lake/durable_file.hpp"
#include "lake/interrupt.hpp"

namespace spymaster::lake {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kDataFile = "part-00000.parquet";
constexpr std::string_view kManifest = "_MANIFEST.json";
constexpr std::string_view kSuccess = "_SUCCESS";
constexpr std::string_view kSingleFileManifestSuffix = ".manifest.json";
// 2: the manifest lists its data files (name, bytes, rows) and the parameters of the computation.
constexpr int kManifestVersion = 2;
// Level 1: bronze is write-heavy; level 3 costs ~15% more CPU for ~4% smaller files.
constexpr int kZstdLevel = 1;
// Float mantissas are close to random: zstd's fast negative levels trade little size for much CPU.
// Plain floats at -1 against byte-stream-split ones at -3 (the gold table of the real-size simulated
// hour): ≈ 25 % less CPU to encode, file +2.4 %; at 1, smaller than byte-stream split but no cheaper
// (docs/engine.md "Plain floats").
constexpr int kFloatZstdLevel = -1;
// The MBO products' gold surfaces (the largest tables by far: 30 float columns × 802 rows a window) at -5:
// their float encoding −12 % CPU, file +2.3 %; below -7 the file grows faster than the CPU falls. The other
// float columns (silver quantities, the option surfaces' per-strike constants) are up to 2× larger at -5
// for no measured time (docs/lake.md "Column encodings").
constexpr int kSurfaceFloatZstdLevel = -5;
constexpr std::array<std::string_view, 2> kMboSurfaces = {"gold.future_mbo.physics_surface_1s",
                                                          "gold.equity_mbo.physics_surface_1s"};
constexpr int64_t kWriteBatchValues = 1 << 16;
constexpr int64_t kDataPageBytes = 512 << 10;
// Arrow keeps a row group's encoded pages in memory until it closes: 256 Ki rows instead of the 1 Mi
// default cut peak RSS by ~50 MB (bronze) and ~60 MB (gold) on a real-size hour at no measurable
// cost in time or size (+0.15 %), and give readers finer time pruning (≈ 5 min of gold windows).
constexpr int64_t kMaxRowGroupRows = 1 << 18;

bool IsInteger(const arrow::Field& field) {
  return field.type()->id() == arrow::Type::INT64 || field.type()->id() == arrow::Type::INT32;
}

// How an integer column is stored, chosen column by column on the real-size ES hour (encode CPU and size
// of each alternative, docs/lake.md "Column encodings"):
// - event timestamps and sequence numbers (bronze ts_recv, ts_event, sequence) are near-monotonic: delta
//   packing is the cheapest and smallest;
// - raw MBO prices jump between a few hundred levels: the dictionary (3.9 MB against 7.1 plain);
// - order ids are scattered: zstd finds their shared high bytes in the plain values (ES hour: 8.8 MB against
//   13.8 delta-packed; byte-stream split is 25 % cheaper but 7 % larger, and 80 % larger on ES options);
// - the other bronze integers (sizes, flags, latencies and the per-file constants channel, publisher, rtype,
//   instrument) are byte-stream split: each byte of the values becomes its own stream, in which zstd finds
//   the constant high bytes at once, 10-30 % less CPU than delta packing (sizes 3.4 → 1.4 MB);
// - in silver and gold tables with a row per price level (they have rel_ticks), the integers are window
//   stamps, reference prices and grid positions, constant or stepping by one across a window's rows: plain
//   values zstd'd cost about 40 % less than delta packing, as small;
// - the rest (a row per window or instrument: snapshot stamps step by a second, which delta packs to
//   nothing) delta packing.
enum class IntegerStorage { kDelta, kDictionary, kByteStreamSplit, kPlain };

IntegerStorage IntegerStorageOf(Layer layer, const arrow::Schema& schema, const arrow::Field& field) {
  const std::string& name = field.name();
  if (layer != Layer::kBronze) {
    return schema.GetFieldIndex("rel_ticks") >= 0 ? IntegerStorage::kPlain : IntegerStorage::kDelta;
  }
  if (name == "ts_recv" || name == "ts_event" || name == "sequence") return IntegerStorage::kDelta;
  if (name == "price") return IntegerStorage::kDictionary;
  if (name == "order_id") return IntegerStorage::kPlain;
  if (name == "size" || name == "flags" || name == "ts_in_delta" || name == "channel_id" || name == "rtype" ||
      name == "publisher_id" || name == "instrument_id") {
    return IntegerStorage::kByteStreamSplit;
  }
  return IntegerStorage::kDelta;
}

void Check(const arrow::Status& status, std::string_view what, const fs::path& path) {
  if (!status.ok()) {
    throw LakeError(fmt::format("{} {}: {}", what, path.string(), status.ToString()));
  }
}

template <typename T>
T Unwrap(arrow::Result<T> result, std::string_view what, const fs::path& path) {
  Check(result.status(), what, path);
  return std::move(result).ValueUnsafe();
}

bool IsPartitioned(const DatasetSpec& dataset) { return !dataset.partition_keys.empty(); }

void ValidatePartition(const DatasetSpec& dataset, const PartitionKey& partition) {
  if (!IsPartitioned(dataset)) return;
  const auto& s = partition.symbol;
  if (s.empty() || s == "." || s == ".." || s.find_first_of("/\\\0") != std::string::npos) {
    throw LakeError(fmt::format("dataset {}: invalid partition symbol '{}'", dataset.key, s));
  }
  try {
    common::ParseDate(partition.dt);
  } catch (const std::invalid_argument& e) {
    throw LakeError(fmt::format("dataset {}: invalid partition dt: {}", dataset.key, e.what()));
  }
}

// Fault injection for the interrupted-write test: with SPYMASTER_FAULT_AFTER_ROWS=N the process dies
// (no cleanup, like kill -9) once N rows have gone to Parquet writers in this process.
int64_t FaultAfterRows() {
  static const int64_t limit = [] {
    const char* env = std::getenv("SPYMASTER_FAULT_AFTER_ROWS");
    return env != nullptr && *env != '\0' ? std::atoll(env) : -1;
  }();
  return limit;
}
std::atomic<int64_t> g_rows_written{0};

void CountRowsAndMaybeDie(int64_t rows) {
  const int64_t limit = FaultAfterRows();
  if (limit < 0) return;
  if (g_rows_written.fetch_add(rows) + rows >= limit) {
    std::fprintf(stderr, "fault injection: dying after %lld rows (SPYMASTER_FAULT_AFTER_ROWS)\n",
                 static_cast<long long>(limit));
    std::_Exit(86);
  }
}

std::vector<fs::path> DataFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("part-") && name.ends_with(".parquet")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// dictionary_columns: leaf indices read as dictionary arrays.
std::unique_ptr<parquet::arrow::FileReader> OpenParquet(const fs::path& file, int64_t batch_rows,
                                                        const std::vector<int>& dictionary_columns = {}) {
  // Memory-mapped: column chunks are slices of the page cache, shared by every reader of the file (the stream
  // server has one reader per client) instead of a private copy each.
  auto input = Unwrap(arrow::io::MemoryMappedFile::Open(file.string(), arrow::io::FileMode::READ), "cannot open", file);
  parquet::ArrowReaderProperties props;
  props.set_batch_size(batch_rows);
  for (const int i : dictionary_columns) props.set_read_dictionary(i, true);
  parquet::arrow::FileReaderBuilder builder;
  Check(builder.Open(input), "cannot read Parquet", file);
  builder.properties(props);
  return Unwrap(builder.Build(), "cannot read Parquet", file);
}

fs::path ManifestPath(const fs::path& dir) {
  return fs::is_regular_file(dir) ? fs::path(dir.string() + std::string(kSingleFileManifestSuffix)) : dir / kManifest;
}

// How to get a good partition back, by the layer of the dataset (the key's first part).
std::string RepairHint(std::string_view dataset_key, const fs::path& dir) {
  if (dataset_key.starts_with("silver.") || dataset_key.starts_with("gold.")) {
    return "rerun its stage with --overwrite to recompute it";
  }
  if (dataset_key.starts_with("bronze.")) {
    return fmt::format("remove {} and rerun bronze (bronze is never overwritten)", dir.string());
  }
  if (dataset_key.starts_with("selection.")) return "rerun select-contract";
  return "recompute it";
}

// The dataset key when only the directory is known: the manifest's, else the layer from the path.
std::string GuessDatasetKey(const fs::path& dir, const nlohmann::json* manifest) {
  if (manifest != nullptr && manifest->contains("dataset") && (*manifest)["dataset"].is_string()) {
    return (*manifest)["dataset"].get<std::string>();
  }
  std::string layer;
  for (const auto& part : dir) {
    const std::string name = part.string();
    if (name == "bronze" || name == "silver" || name == "gold" || name == "selection") layer = name + ".";
  }
  return layer;
}

[[noreturn]] void Damaged(const fs::path& dir, const std::string& dataset_key, const std::string& what) {
  throw LakeError(fmt::format("partition {}{} is damaged: {}; {}", dataset_key.empty() ? "" : dataset_key + " at ",
                              dir.string(), what, RepairHint(dataset_key, dir)));
}

// A complete partition's manifest checked against its directory: the data files with the rows each
// must hold.
struct CheckedPartition {
  nlohmann::json manifest;
  std::vector<fs::path> files;
  std::vector<int64_t> rows;
  std::string dataset_key;
};

// Names and sizes of the data files against the manifest (no Parquet is opened). dir: a partition
// directory, or the file of an unpartitioned dataset. With `expected`, the manifest must also be of
// that dataset and partition.
CheckedPartition CheckAgainstManifest(const fs::path& dir, const DatasetSpec* expected_dataset = nullptr,
                                      const PartitionKey* expected_partition = nullptr) {
  const bool single_file = fs::is_regular_file(dir);
  const fs::path manifest_path = ManifestPath(dir);
  CheckedPartition out;
  std::string key = expected_dataset != nullptr ? expected_dataset->key : GuessDatasetKey(dir, nullptr);
  {
    std::ifstream in(manifest_path);
    if (!in) Damaged(dir, key, fmt::format("{} is missing", manifest_path.filename().string()));
    try {
      out.manifest = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
      Damaged(dir, key, fmt::format("{} is not valid JSON ({})", manifest_path.filename().string(), e.what()));
    }
  }
  auto& m = out.manifest;
  if (expected_dataset == nullptr) key = GuessDatasetKey(dir, &m);
  out.dataset_key = key;
  if (!m.is_object() || !m.contains("files") || !m.contains("manifest_version")) {
    Damaged(dir, key,
            fmt::format("{} was written by an older spymaster (no file list to check the data "
                        "against)",
                        manifest_path.filename().string()));
  }
  try {
    if (expected_dataset != nullptr) {
      const std::string have = fmt::format("{} symbol={} dt={}", m.at("dataset").get<std::string>(),
                                           m.at("symbol").get<std::string>(), m.at("dt").get<std::string>());
      const std::string want =
          fmt::format("{} symbol={} dt={}", expected_dataset->key, expected_partition->symbol, expected_partition->dt);
      if (have != want) Damaged(dir, key, fmt::format("its manifest describes {}", have));
    }
    std::set<std::string> listed;
    int64_t total = 0;
    for (const auto& f : m.at("files")) {
      const std::string name = f.at("name").get<std::string>();
      const int64_t bytes = f.at("bytes").get<int64_t>();
      const int64_t rows = f.at("rows").get<int64_t>();
      listed.insert(name);
      const fs::path file = single_file ? dir : dir / name;
      std::error_code ec;
      const auto size = fs::file_size(file, ec);
      if (ec) Damaged(dir, key, fmt::format("data file {} is missing ({})", name, ec.message()));
      if (static_cast<int64_t>(size) != bytes) {
        Damaged(dir, key, fmt::format("data file {} has {} bytes, the manifest says {}", name, size, bytes));
      }
      out.files.push_back(file);
      out.rows.push_back(rows);
      total += rows;
    }
    if (total != m.at("row_count").get<int64_t>()) {
      Damaged(dir, key,
              fmt::format("its manifest lists files of {} rows in all but says row_count {}", total,
                          m.at("row_count").get<int64_t>()));
    }
    if (!single_file) {
      for (const fs::path& file : DataFiles(dir)) {
        if (!listed.contains(file.filename().string())) {
          Damaged(dir, key, fmt::format("data file {} is not in the manifest", file.filename().string()));
        }
      }
    }
  } catch (const nlohmann::json::exception& e) {
    Damaged(dir, key, fmt::format("{} lacks a field ({})", manifest_path.filename().string(), e.what()));
  }
  return out;
}

// Each data file's row count in its Parquet footer against the manifest (a few small reads per file).
void CheckRows(const CheckedPartition& checked, const fs::path& dir) {
  for (size_t i = 0; i < checked.files.size(); ++i) {
    const fs::path& file = checked.files[i];
    int64_t have = 0;
    try {
      have = parquet::ParquetFileReader::OpenFile(file.string(), /*memory_map=*/false)->metadata()->num_rows();
    } catch (const std::exception& e) {
      Damaged(dir, checked.dataset_key,
              fmt::format("data file {} is not readable Parquet ({})", file.filename().string(), e.what()));
    }
    if (have != checked.rows[i]) {
      Damaged(dir, checked.dataset_key,
              fmt::format("data file {} has {} rows, the manifest says {}", file.filename().string(), have,
                          checked.rows[i]));
    }
  }
}

Params ManifestParams(const nlohmann::json& manifest) {
  Params params;
  if (manifest.contains("params")) params = manifest["params"].get<Params>();
  return params;
}

std::string FormatParams(const Params& params) {
  if (params.empty()) return "no parameters";
  std::string out;
  for (const auto& [k, v] : params) out += fmt::format("{}{}={}", out.empty() ? "" : " ", k, v);
  return out;
}

void RequireParams(const CheckedPartition& checked, const fs::path& dir, const Params& want) {
  const Params have = ManifestParams(checked.manifest);
  if (have == want) return;
  throw LakeError(
      fmt::format("{} at {} was computed with {}, this run asks for {}: rerun with --overwrite to "
                  "recompute it, or use a different --lake",
                  checked.dataset_key, dir.string(), FormatParams(have), FormatParams(want)));
}

CheckedPartition RequireComplete(const DatasetRegistry& registry, const fs::path& lake_root, std::string_view key,
                                 const PartitionKey& partition) {
  const DatasetSpec& dataset = registry.Get(key);
  ValidatePartition(dataset, partition);
  RecoverPendingCommits(lake_root);
  const fs::path dir = PartitionDir(dataset, lake_root, partition);
  const bool present = IsPartitioned(dataset) ? fs::is_regular_file(dir / kSuccess) : fs::is_regular_file(dir);
  if (!present) {
    throw LakeError(fmt::format("input not ready: dataset {} symbol={} dt={} ({} has no {})", key, partition.symbol,
                                partition.dt, dir.string(), kSuccess));
  }
  CheckedPartition checked = CheckAgainstManifest(dir, &dataset, &partition);
  CheckRows(checked, dir);
  return checked;
}

// The schema with dictionary fields replaced by their value type (what the contract describes).
std::shared_ptr<arrow::Schema> ValueTypes(const arrow::Schema& schema) {
  arrow::FieldVector fields;
  for (const auto& f : schema.fields()) {
    fields.push_back(f->type()->id() == arrow::Type::DICTIONARY
                         ? f->WithType(static_cast<const arrow::DictionaryType&>(*f->type()).value_type())
                         : f);
  }
  return arrow::schema(std::move(fields), schema.metadata());
}

// Streams the batches of every data file of a partition, in file order.
class PartitionBatchReader : public arrow::RecordBatchReader {
 public:
  // column_indices empty: every column. dictionary_columns: string columns read as dictionary arrays.
  PartitionBatchReader(const DatasetSpec& dataset, CheckedPartition partition, int64_t batch_rows,
                       std::vector<int> column_indices, std::vector<int> dictionary_columns,
                       std::shared_ptr<arrow::Schema> schema)
      : dataset_(dataset),
        partition_(std::move(partition)),
        batch_rows_(batch_rows),
        column_indices_(std::move(column_indices)),
        dictionary_columns_(std::move(dictionary_columns)),
        schema_(std::move(schema)) {}

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    while (true) {
      if (const int sig = InterruptSignal(); sig != 0) {
        return arrow::Status::Cancelled(fmt::format("interrupted by SIG{}", sigabbrev_np(sig)));
      }
      if (current_) {
        ARROW_RETURN_NOT_OK(current_->ReadNext(batch));
        if (*batch) return arrow::Status::OK();
        current_.reset();
        file_reader_.reset();
      }
      if (next_file_ >= partition_.files.size()) {
        *batch = nullptr;
        return arrow::Status::OK();
      }
      const fs::path& file = partition_.files[next_file_++];
      try {
        file_reader_ = OpenParquet(file, batch_rows_, dictionary_columns_);
        std::shared_ptr<arrow::Schema> schema;
        ARROW_RETURN_NOT_OK(file_reader_->GetSchema(&schema));
        CheckContract(dataset_, *ValueTypes(*schema));
      } catch (const std::exception& e) {
        return arrow::Status::IOError(e.what());
      }
      if (column_indices_.empty()) {
        ARROW_ASSIGN_OR_RAISE(current_, file_reader_->GetRecordBatchReader());
      } else {
        std::vector<int> row_groups(static_cast<size_t>(file_reader_->num_row_groups()));
        for (size_t i = 0; i < row_groups.size(); ++i) row_groups[i] = static_cast<int>(i);
        ARROW_ASSIGN_OR_RAISE(current_, file_reader_->GetRecordBatchReader(row_groups, column_indices_));
      }
    }
  }

 private:
  const DatasetSpec& dataset_;
  CheckedPartition partition_;
  int64_t batch_rows_;
  std::vector<int> column_indices_;  // the contract is flat: field index == Parquet leaf index
  std::vector<int> dictionary_columns_;
  std::shared_ptr<arrow::Schema> schema_;
  size_t next_file_ = 0;
  std::unique_ptr<parquet::arrow::FileReader> file_reader_;
  std::unique_ptr<arrow::RecordBatchReader> current_;
};

}  // namespace

fs::path PartitionDir(const DatasetSpec& dataset, const fs::path& lake_root, const PartitionKey& partition) {
  std::string path = dataset.path_template;
  if (auto pos = path.find("{symbol}"); pos != std::string::npos) {
    path.replace(pos, 8, partition.symbol);
  }
  fs::path dir = lake_root / path;
  if (IsPartitioned(dataset)) dir /= "dt=" + partition.dt;
  return dir;
}

bool IsComplete(const fs::path& partition_dir) {
  // An unpartitioned dataset is the file itself.
  if (!fs::is_regular_file(partition_dir) && !fs::is_regular_file(partition_dir / kSuccess)) return false;
  CheckAgainstManifest(partition_dir);
  return true;
}

bool IsCompleteWith(const fs::path& partition_dir, const Params& params) {
  if (!fs::is_regular_file(partition_dir) && !fs::is_regular_file(partition_dir / kSuccess)) return false;
  RequireParams(CheckAgainstManifest(partition_dir), partition_dir, params);
  return true;
}

PartitionWriter::PartitionWriter(const DatasetRegistry& registry, fs::path lake_root, std::string_view dataset_key,
                                 PartitionKey partition, bool overwrite)
    : dataset_(registry.Get(dataset_key)),
      lake_root_(std::move(lake_root)),
      partition_(std::move(partition)),
      overwrite_(overwrite) {
  ValidatePartition(dataset_, partition_);
  final_dir_ = PartitionDir(dataset_, lake_root_, partition_);
  if (overwrite_ && (dataset_.layer == Layer::kRaw || dataset_.layer == Layer::kBronze)) {
    throw LakeError(fmt::format("dataset {}: overwrite refused, {} partitions are never deleted", dataset_.key,
                                ToString(dataset_.layer)));
  }
  RecoverPendingCommits(lake_root_);
  // With overwrite a damaged partition is what gets replaced, so it is not even checked.
  if (!overwrite_ && IsComplete(final_dir_)) {
    throw LakeError(
        fmt::format("dataset {}: partition {} is already complete (use --overwrite for "
                    "silver/gold)",
                    dataset_.key, final_dir_.string()));
  }
  tmp_dir_ = MakeTemporaryDir(lake_root_, IsPartitioned(dataset_)
                                              ? fmt::format("{}.{}.{}", dataset_.key, partition_.symbol, partition_.dt)
                                              : dataset_.key);
}

PartitionWriter::~PartitionWriter() {
  if (committed_) return;
  if (writer_) (void)writer_->Close();
  if (sink_) (void)sink_->Close();
  std::error_code ec;
  fs::remove_all(tmp_dir_, ec);
}

void PartitionWriter::OpenFile(const std::shared_ptr<arrow::Schema>& schema) {
  const fs::path file = tmp_dir_ / kDataFile;
  sink_ = Unwrap(arrow::io::FileOutputStream::Open(file.string()), "cannot create", file);
  parquet::WriterProperties::Builder builder;
  builder.compression(parquet::Compression::ZSTD)->compression_level(kZstdLevel);
  const bool mbo_surface = std::ranges::find(kMboSurfaces, dataset_.key) != kMboSurfaces.end();
  for (const auto& field : schema->fields()) {
    const std::string& name = field->name();
    if (IsInteger(*field)) {
      switch (IntegerStorageOf(dataset_.layer, *schema, *field)) {
        case IntegerStorage::kDelta:
          builder.disable_dictionary(name)->encoding(name, parquet::Encoding::DELTA_BINARY_PACKED);
          break;
        case IntegerStorage::kDictionary:
          break;
        case IntegerStorage::kByteStreamSplit:
          builder.disable_dictionary(name)->encoding(name, parquet::Encoding::BYTE_STREAM_SPLIT);
          break;
        case IntegerStorage::kPlain:
          builder.disable_dictionary(name)->encoding(name, parquet::Encoding::PLAIN);
          break;
      }
    }
    // Measured floats (gold physics values) rarely repeat: dictionary building costs hashing before
    // Parquet falls back to plain. Plain, not byte-stream split: Arrow's splitter copies every value
    // twice more, and zstd finds the whole repeated values (zeros, flat stretches of a field) in plain.
    if (arrow::is_floating(field->type()->id())) {
      builder.disable_dictionary(name)->encoding(name, parquet::Encoding::PLAIN);
      builder.compression_level(name, mbo_surface ? kSurfaceFloatZstdLevel : kFloatZstdLevel);
    }
    // Silver and gold sides ("A"/"B" in runs of a window's levels) hash every value into the dictionary;
    // plain one-byte strings zstd'd cost ≈ 40 % less (gold's side: 37 → 23 ms) at a few kB more.
    if (dataset_.layer != Layer::kBronze && name == "side") {
      builder.disable_dictionary(name)->encoding(name, parquet::Encoding::PLAIN);
    }
    // Only timestamps (bronze ts_*, silver/gold *_ts_ns) get min/max statistics: readers prune row
    // groups by time, and the min/max of ids, sizes, prices and code strings prune nothing here while
    // costing a compare per value.
    const bool event_stamp = name == "ts_recv" || name == "ts_event";
    if (!name.starts_with("ts_") && !name.ends_with("_ts_ns")) builder.disable_statistics(name);
    // Deltas of nanosecond event timestamps are noise that zstd shrinks by ~3% (bronze ES hour); skipping
    // it saves ~5% of bronze CPU. Window stamps (silver/gold *_ts_ns, whole seconds) keep zstd.
    if (event_stamp && dataset_.layer == Layer::kBronze) {
      builder.compression(name, parquet::Compression::UNCOMPRESSED);
      builder.compression_level(name, arrow::util::kUseDefaultCompressionLevel);
    }
  }
  // Encoders take the input in chunks of this many values (default 1024): fewer, longer calls.
  builder.write_batch_size(kWriteBatchValues);
  builder.data_pagesize(kDataPageBytes);
  // V2 data pages keep levels outside the compressed values, so a page's values are compressed straight
  // from the encoder's buffer; V1 first copies them after the levels into one more buffer.
  builder.data_page_version(parquet::ParquetDataPageVersion::V2);
  builder.max_row_group_length(kMaxRowGroupRows);
  auto props = builder.build();
  // Columns of a row group are encoded and compressed in parallel on Arrow's CPU pool.
  auto arrow_props = parquet::ArrowWriterProperties::Builder().store_schema()->set_use_threads(true)->build();
  writer_ = Unwrap(parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(), sink_, props, arrow_props),
                   "cannot write Parquet", file);
}

void PartitionWriter::Write(const arrow::RecordBatch& batch) {
  ThrowIfInterrupted();
  if (prepared_ || finished_) throw LakeError("partition written after Finish: " + final_dir_.string());
  CheckContract(dataset_, *ValueTypes(*batch.schema()));
  if (!writer_) OpenFile(dataset_.contract.ArrowSchema());
  Check(writer_->WriteRecordBatch(batch), "cannot write", tmp_dir_ / kDataFile);
  rows_ += batch.num_rows();
  CountRowsAndMaybeDie(batch.num_rows());
  // Start writeback of what is written so far, so the fsync before _SUCCESS waits only for the tail
  // instead of the whole file (gold of a real-size hour is ~130 MB).
  (void)sync_file_range(sink_->file_descriptor(), 0, 0, SYNC_FILE_RANGE_WRITE);
}

void PartitionWriter::Write(const arrow::Table& table) {
  CheckContract(dataset_, *table.schema());
  arrow::TableBatchReader reader(table);
  reader.set_chunksize(1 << 20);
  std::shared_ptr<arrow::RecordBatch> batch;
  while (true) {
    Check(reader.ReadNext(&batch), "cannot read table for", final_dir_);
    if (!batch) break;
    Write(*batch);
  }
}

void PartitionWriter::Finish() {
  if (finished_) return;
  if (prepared_ || committed_) throw LakeError("partition finished after Prepare: " + final_dir_.string());
  if (!writer_) OpenFile(dataset_.contract.ArrowSchema());  // an empty partition is still a partition
  const fs::path file = tmp_dir_ / kDataFile;
  Check(writer_->Close(), "cannot finish", file);
  Check(sink_->Close(), "cannot close", file);
  writer_.reset();
  sink_.reset();
  SyncPath(file);
  finished_ = true;
}

InputRef PartitionWriter::Prepare(const StageInfo& info) {
  if (prepared_ || committed_) throw LakeError("partition prepared twice: " + final_dir_.string());
  // The data must be on disk before the manifest and _SUCCESS that declare it complete.
  Finish();
  const fs::path file = tmp_dir_ / kDataFile;

  CommitResult result;
  result.dir = final_dir_;
  result.rows = rows_;
  result.bytes = static_cast<int64_t>(fs::file_size(file));

  nlohmann::json manifest;
  manifest["manifest_version"] = kManifestVersion;
  manifest["dataset"] = dataset_.key;
  manifest["symbol"] = partition_.symbol;
  manifest["dt"] = partition_.dt;
  manifest["row_count"] = rows_;
  const std::string file_name = IsPartitioned(dataset_) ? std::string(kDataFile) : final_dir_.filename().string();
  manifest["files"] = nlohmann::json::array({{{"name", file_name}, {"bytes", result.bytes}, {"rows", rows_}}});
  manifest["contract_path"] = dataset_.contract.relative_path;
  manifest["contract_sha256"] = dataset_.contract.sha256;
  manifest["stage"] = info.stage;
  manifest["engine_version"] = kEngineVersion;
  manifest["params"] = info.params;
  manifest["inputs"] = nlohmann::json::array();
  for (const InputRef& in : info.inputs) {
    nlohmann::json ref = {{"dataset", in.dataset}, {"dt", in.dt}, {"manifest_sha256", in.manifest_sha256}};
    if (!in.path.empty()) ref.update({{"path", in.path}, {"bytes", in.bytes}, {"sha256", in.sha256}});
    manifest["inputs"].push_back(std::move(ref));
  }
  manifest["counters"] = info.counters;
  WriteFile(tmp_dir_ / kManifest, manifest.dump(2) + "\n");
  if (IsPartitioned(dataset_)) {
    // Empty: only its directory entry matters, made durable with the directory's.
    if (!std::ofstream(tmp_dir_ / kSuccess)) throw LakeError("cannot write " + (tmp_dir_ / kSuccess).string());
  }
  // Both before the journal that publishes them (CommitPartitions); together, one disk flush.
  SyncPaths({tmp_dir_ / kManifest, tmp_dir_});
  prepared_ = result;
  return InputRef{dataset_.key, partition_.dt, common::Sha256File(tmp_dir_ / kManifest)};
}

CommitResult PartitionWriter::Commit(const StageInfo& info) {
  Prepare(info);
  return CommitPartitions({this}).front();
}

std::vector<CommitResult> CommitPartitions(std::span<PartitionWriter* const> writers) {
  std::vector<CommitResult> results;
  if (writers.empty()) return results;
  ThrowIfInterrupted();
  const fs::path& lake_root = writers.front()->lake_root_;
  std::vector<LakeRename> renames;
  for (PartitionWriter* w : writers) {
    if (w->committed_) throw LakeError("partition committed twice: " + w->final_dir_.string());
    if (!w->prepared_) throw LakeError("partition committed before Prepare: " + w->final_dir_.string());
    if (w->lake_root_ != lake_root) {
      throw LakeError(fmt::format("one commit spans two lakes: {} and {}", lake_root.string(), w->lake_root_.string()));
    }
    if (!w->overwrite_ && IsComplete(w->final_dir_)) {
      throw LakeError(fmt::format("dataset {}: partition {} was completed by another writer", w->dataset_.key,
                                  w->final_dir_.string()));
    }
    if (IsPartitioned(w->dataset_)) {
      renames.push_back({w->tmp_dir_, w->final_dir_});
    } else {
      // A single-file dataset: the file and its manifest beside it.
      renames.push_back({w->tmp_dir_ / kDataFile, w->final_dir_});
      renames.push_back(
          {w->tmp_dir_ / kManifest, fs::path(w->final_dir_.string() + std::string(kSingleFileManifestSuffix))});
    }
    results.push_back(*w->prepared_);
  }
  CommitRenames(lake_root, renames, [&] {
    for (PartitionWriter* w : writers) w->committed_ = true;
  });
  for (PartitionWriter* w : writers) {
    if (IsPartitioned(w->dataset_)) continue;
    std::error_code ec;
    fs::remove_all(w->tmp_dir_, ec);  // emptied by the renames; a leftover goes with the stale ones
  }
  return results;
}

CommitResult WritePartition(const DatasetRegistry& registry, const fs::path& lake_root, std::string_view dataset_key,
                            const PartitionKey& partition, const arrow::Table& table, const StageInfo& info,
                            bool overwrite) {
  const DatasetSpec& dataset = registry.Get(dataset_key);
  ValidatePartition(dataset, partition);
  const fs::path dir = PartitionDir(dataset, lake_root, partition);
  if (!overwrite && IsComplete(dir)) {
    CommitResult skipped;
    skipped.dir = dir;
    skipped.skipped = true;
    return skipped;
  }
  PartitionWriter writer(registry, lake_root, dataset_key, partition, overwrite);
  writer.Write(table);
  return writer.Commit(info);
}

std::shared_ptr<arrow::Table> ReadPartition(const DatasetRegistry& registry, const fs::path& lake_root,
                                            std::string_view dataset_key, const PartitionKey& partition) {
  const DatasetSpec& dataset = registry.Get(dataset_key);
  const CheckedPartition checked = RequireComplete(registry, lake_root, dataset_key, partition);
  const fs::path dir = PartitionDir(dataset, lake_root, partition);
  std::vector<std::shared_ptr<arrow::Table>> tables;
  for (size_t i = 0; i < checked.files.size(); ++i) {
    const fs::path& file = checked.files[i];
    auto reader = OpenParquet(file, 1 << 16);
    std::shared_ptr<arrow::Table> table;
    Check(reader->ReadTable(&table), "cannot read", file);
    CheckContract(dataset, *table->schema());
    tables.push_back(std::move(table));
  }
  if (tables.empty()) return Unwrap(arrow::Table::MakeEmpty(dataset.contract.ArrowSchema()), "empty table", dir);
  if (tables.size() == 1) return tables.front();
  return Unwrap(arrow::ConcatenateTables(tables), "cannot concatenate", dir);
}

std::shared_ptr<arrow::Table> ReadPartitionColumns(const DatasetRegistry& registry, const fs::path& lake_root,
                                                   std::string_view dataset_key, const PartitionKey& partition,
                                                   const std::vector<std::string>& columns) {
  const DatasetSpec& dataset = registry.Get(dataset_key);
  const CheckedPartition checked = RequireComplete(registry, lake_root, dataset_key, partition);
  const fs::path dir = PartitionDir(dataset, lake_root, partition);
  std::vector<int> indices;
  arrow::FieldVector fields;
  const auto contract_schema = dataset.contract.ArrowSchema();
  for (const std::string& name : columns) {
    const int i = contract_schema->GetFieldIndex(name);
    if (i < 0) throw LakeError(fmt::format("dataset {}: no column '{}' in the contract", dataset.key, name));
    indices.push_back(i);
    fields.push_back(contract_schema->field(i));
  }
  std::vector<std::shared_ptr<arrow::Table>> tables;
  for (size_t f = 0; f < checked.files.size(); ++f) {
    const fs::path& file = checked.files[f];
    auto reader = OpenParquet(file, 1 << 16);
    std::shared_ptr<arrow::Schema> schema;
    Check(reader->GetSchema(&schema), "cannot read schema of", file);
    CheckContract(dataset, *schema);
    std::shared_ptr<arrow::Table> table;
    Check(reader->ReadTable(indices, &table), "cannot read", file);
    // Parquet returns the columns in file order; put them in the order asked for.
    arrow::ChunkedArrayVector ordered;
    for (const std::string& name : columns) ordered.push_back(table->GetColumnByName(name));
    tables.push_back(arrow::Table::Make(arrow::schema(fields), std::move(ordered), table->num_rows()));
  }
  if (tables.empty()) return Unwrap(arrow::Table::MakeEmpty(arrow::schema(fields)), "empty table", dir);
  if (tables.size() == 1) return tables.front();
  return Unwrap(arrow::ConcatenateTables(tables), "cannot concatenate", dir);
}

std::shared_ptr<arrow::RecordBatchReader> OpenPartitionReader(const DatasetRegistry& registry,
                                                              const fs::path& lake_root, std::string_view dataset_key,
                                                              const PartitionKey& partition, int64_t batch_rows,
                                                              const std::vector<std::string>& columns,
                                                              bool strings_as_dictionary) {
  const DatasetSpec& dataset = registry.Get(dataset_key);
  const auto contract_schema = dataset.contract.ArrowSchema();
  std::vector<int> indices;
  for (const std::string& name : columns) {
    const int i = contract_schema->GetFieldIndex(name);
    if (i < 0) throw LakeError(fmt::format("dataset {}: no column '{}' in the contract", dataset.key, name));
    indices.push_back(i);
  }
  // Parquet yields the columns in file order whatever order the indices are in.
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  std::vector<int> dictionary_columns;
  arrow::FieldVector fields;
  for (int i = 0; i < contract_schema->num_fields(); ++i) {
    auto field = contract_schema->field(i);
    if (!indices.empty() && !std::binary_search(indices.begin(), indices.end(), i)) continue;
    if (strings_as_dictionary && field->type()->id() == arrow::Type::STRING) {
      dictionary_columns.push_back(i);
      field = field->WithType(arrow::dictionary(arrow::int32(), arrow::utf8()));
    }
    fields.push_back(std::move(field));
  }
  CheckedPartition checked = RequireComplete(registry, lake_root, dataset_key, partition);
  return std::make_shared<PartitionBatchReader>(dataset, std::move(checked), batch_rows, std::move(indices),
                                                std::move(dictionary_columns), arrow::schema(fields));
}

InputRef InputRefFor(const DatasetRegistry& registry, const fs::path& lake_root, std::string_view dataset_key,
                     const PartitionKey& partition) {
  const DatasetSpec& dataset = registry.Get(dataset_key);
  RequireComplete(registry, lake_root, dataset_key, partition);
  return InputRef{dataset.key, partition.dt,
                  common::Sha256File(ManifestPath(PartitionDir(dataset, lake_root, partition)))};
}

InputRef InputRefFor(const DatasetRegistry& registry, const fs::path& lake_root, std::string_view dataset_key,
                     const PartitionKey& partition, const Params& params) {
  const DatasetSpec& dataset = registry.Get(dataset_key);
  const fs::path dir = PartitionDir(dataset, lake_root, partition);
  RequireParams(RequireComplete(registry, lake_root, dataset_key, partition), dir, params);
  return InputRef{dataset.key, partition.dt, common::Sha256File(ManifestPath(dir))};
}

std::vector<std::string> ListSymbols(const DatasetRegistry& registry, const fs::path& lake_root,
                                     std::string_view dataset_key) {
  const DatasetSpec& dataset = registry.Get(dataset_key);
  const auto pos = dataset.path_template.find("symbol={symbol}");
  if (pos == std::string::npos) return {};
  RecoverPendingCommits(lake_root);
  const fs::path parent = lake_root / dataset.path_template.substr(0, pos);
  std::vector<std::string> symbols;
  if (!fs::is_directory(parent)) return symbols;
  for (const auto& entry : fs::directory_iterator(parent)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !name.starts_with("symbol=")) continue;
    // Only symbols with data: a failed first write can leave an empty symbol directory behind.
    const std::string symbol = name.substr(7);
    const fs::path table_dir = PartitionDir(dataset, lake_root, {symbol, "0000-00-00"}).parent_path();
    if (!fs::is_directory(table_dir)) continue;
    for (const auto& dt : fs::directory_iterator(table_dir)) {
      if (dt.path().filename().string().starts_with("dt=") && IsComplete(dt.path())) {
        symbols.push_back(symbol);
        break;
      }
    }
  }
  std::sort(symbols.begin(), symbols.end());
  return symbols;
}

}  // namespace spymaster::lake
