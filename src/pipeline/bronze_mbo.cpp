// Bronze for the three MBO products.
//
// Fast path (streaming): records go straight to their partition's writer in batches of 64 Ki rows,
// as long as each partition's records arrive in (ts_event, sequence) order, which is how the day
// files of a single instrument come. The first record that would break a partition's order abandons
// the streaming attempt (its writers remove their temporary directories) and the files are read again
// into memory (RowBlocks, 56 bytes a record), stable-sorted per partition and written.
//
// Decoding and Parquet encoding overlap: a full batch goes to its writer on another thread while the
// next batch fills the partition's second set of column buffers.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <future>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "columns/arrow_columns.hpp"
#include "common/arrow_status.hpp"
#include "common/calendar.hpp"
#include "dbn/decoder.hpp"
#include "lake/partition.hpp"
#include "pipeline/bronze_stages.hpp"
#include "pipeline/row_blocks.hpp"
#include "source/mbo_normalizer.hpp"
#include "source/mbo_routing.hpp"
#include "source/option_definitions.hpp"
#include "source/raw_input.hpp"

namespace spymaster::pipeline {
namespace {

constexpr int64_t kBatchRows = 1 << 16;

enum class Mode { kStream, kBuffer };

// Bronze MBO columns (silver.md §2.0), plus the option join for future_option_mbo.
std::shared_ptr<arrow::Schema> MboSchema(bool options) {
  static constexpr bool kStr = true, kLong = false;
  static const auto base = columns::Int64AndStringSchema({{"ts_recv", kLong},
                                                          {"size", kLong},
                                                          {"ts_event", kLong},
                                                          {"channel_id", kLong},
                                                          {"rtype", kLong},
                                                          {"order_id", kLong},
                                                          {"publisher_id", kLong},
                                                          {"flags", kLong},
                                                          {"instrument_id", kLong},
                                                          {"ts_in_delta", kLong},
                                                          {"action", kStr},
                                                          {"sequence", kLong},
                                                          {"side", kStr},
                                                          {"symbol", kStr},
                                                          {"price", kLong}});
  static const auto with_options = [] {
    arrow::FieldVector fields = base->fields();
    const auto join = columns::Int64AndStringSchema(
        {{"underlying", kStr}, {"right", kStr}, {"strike", kLong}, {"expiration", kLong}});
    fields.insert(fields.end(), join->fields().begin(), join->fields().end());
    return arrow::schema(std::move(fields));
  }();
  return options ? with_options : base;
}

// One batch of a partition's rows as Arrow column buffers, filled in a single pass per record and
// reused batch after batch: the Parquet writer has encoded a batch by the time Write returns. The
// partition's symbol and the one-character offsets never change, so they are laid out once.
class MboColumns {
 public:
  explicit MboColumns(std::string_view symbol)
      : symbol_dictionary_(OneString(symbol)),
        zero_indices_(Allocate(kBatchRows * 4)),
        action_(Allocate(kBatchRows * 4)),
        side_(Allocate(kBatchRows * 4)) {
    std::fill_n(reinterpret_cast<int32_t*>(zero_indices_->mutable_data()), kBatchRows, 0);
    for (auto& buffer : ints_) buffer = Allocate(kBatchRows * 8);
    for (size_t c = 0; c < ints_.size(); ++c) out_[c] = reinterpret_cast<int64_t*>(ints_[c]->mutable_data());
  }

  int64_t rows() const { return rows_; }
  bool full() const { return rows_ == kBatchRows; }
  void Clear() {
    rows_ = 0;
    other_code_ = false;
  }

  void Append(const dbn::MboMsg& r) {
    const int64_t i = rows_++;
    out_[kTsRecv][i] = static_cast<int64_t>(r.ts_recv);
    out_[kSize][i] = r.size;
    out_[kTsEvent][i] = static_cast<int64_t>(r.hd.ts_event);
    out_[kChannelId][i] = r.channel_id;
    out_[kRtype][i] = static_cast<int64_t>(r.hd.rtype);
    out_[kOrderId][i] = static_cast<int64_t>(r.order_id);
    out_[kPublisherId][i] = r.hd.publisher_id;
    out_[kFlags][i] = r.flags;
    out_[kInstrumentId][i] = r.hd.instrument_id;
    out_[kTsInDelta][i] = r.ts_in_delta;
    out_[kSequence][i] = r.sequence;
    out_[kPrice][i] = r.price;
    const int32_t action = kCodeIndex[static_cast<uint8_t>(r.action)];
    const int32_t side = kCodeIndex[static_cast<uint8_t>(r.side)];
    reinterpret_cast<int32_t*>(action_->mutable_data())[i] = action;
    reinterpret_cast<int32_t*>(side_->mutable_data())[i] = side;
    other_code_ |= (action | side) < 0;
  }

  const int64_t* instrument_ids() const { return out_[kInstrumentId]; }
  std::shared_ptr<arrow::Array> Int64(int column) const {
    return std::make_shared<arrow::Int64Array>(rows_, ints_[column]);
  }
  // Codes as dictionary arrays over one fixed dictionary of the MBO action and side codes: the Parquet
  // writer takes the indices as they are instead of hashing every value (≈ 10 % of bronze CPU), and
  // eight entries keep the indices at 3 bits. A batch holding any other code byte is written as plain
  // strings, byte for byte.
  std::shared_ptr<arrow::Array> Action() const { return Codes(action_); }
  std::shared_ptr<arrow::Array> Side() const { return Codes(side_); }
  std::shared_ptr<arrow::Array> Symbol() const { return Dictionary(zero_indices_, symbol_dictionary_); }

  enum IntColumn {
    kTsRecv,
    kSize,
    kTsEvent,
    kChannelId,
    kRtype,
    kOrderId,
    kPublisherId,
    kFlags,
    kInstrumentId,
    kTsInDelta,
    kSequence,
    kPrice,
    kIntColumns
  };

 private:
  static std::shared_ptr<arrow::Buffer> Allocate(int64_t bytes) {
    return ValueOrThrow(arrow::AllocateBuffer(bytes),
                        [&] { return fmt::format("allocating {} bytes for a bronze MBO batch", bytes); });
  }

  // Actions A C F M N R T and sides A B N.
  static constexpr std::string_view kCodes = "ABCFMNRT";
  // Dictionary index of each code byte; any other byte b as -(b + 1), so a fallback batch can restore it.
  static constexpr std::array<int32_t, 256> kCodeIndex = [] {
    std::array<int32_t, 256> index{};
    for (int b = 0; b < 256; ++b) index[b] = -(b + 1);
    for (std::size_t k = 0; k < kCodes.size(); ++k) index[static_cast<uint8_t>(kCodes[k])] = static_cast<int32_t>(k);
    return index;
  }();
  static const std::shared_ptr<arrow::Array>& CodeDictionary() {
    static const std::shared_ptr<arrow::Array> kDictionary = [] {
      arrow::StringBuilder b;
      for (const char c : kCodes) {
        CheckOk(b.Append(std::string_view(&c, 1)), [] { return "building the MBO code dictionary"; });
      }
      return ValueOrThrow(b.Finish(), [] { return "building the MBO code dictionary"; });
    }();
    return kDictionary;
  }
  static std::shared_ptr<arrow::Array> OneString(std::string_view s) {
    arrow::StringBuilder b;
    CheckOk(b.Append(s), [] { return "building a one-entry dictionary"; });
    return ValueOrThrow(b.Finish(), [] { return "building a one-entry dictionary"; });
  }
  std::shared_ptr<arrow::Array> Dictionary(const std::shared_ptr<arrow::Buffer>& indices,
                                           const std::shared_ptr<arrow::Array>& dictionary) const {
    return std::make_shared<arrow::DictionaryArray>(arrow::dictionary(arrow::int32(), arrow::utf8()),
                                                    std::make_shared<arrow::Int32Array>(rows_, indices), dictionary);
  }
  std::shared_ptr<arrow::Array> Codes(const std::shared_ptr<arrow::Buffer>& indices) const {
    if (!other_code_) return Dictionary(indices, CodeDictionary());
    const auto* idx = reinterpret_cast<const int32_t*>(indices->data());
    return columns::CharColumn(
        rows_, [&](int64_t i) { return static_cast<char>(idx[i] >= 0 ? kCodes[idx[i]] : -idx[i] - 1); });
  }

  std::shared_ptr<arrow::Array> symbol_dictionary_;
  std::shared_ptr<arrow::Buffer> zero_indices_, action_, side_;
  std::array<std::shared_ptr<arrow::Buffer>, kIntColumns> ints_;
  std::array<int64_t*, kIntColumns> out_{};
  int64_t rows_ = 0;
  bool other_code_ = false;  // a code byte outside kCodes in this batch
};

bool Before(const dbn::MboMsg& a, const dbn::MboMsg& b) {
  return a.hd.ts_event != b.hd.ts_event ? a.hd.ts_event < b.hd.ts_event : a.sequence < b.sequence;
}

// The rows of one output partition.
struct Group {
  std::string symbol;
  bool complete = false;  // the partition exists already: rows are counted, not written
  int64_t rows = 0;
  dbn::MboMsg last{};
  std::unique_ptr<lake::PartitionWriter> writer;
  std::unique_ptr<MboColumns> pending;  // the batch being filled
  std::unique_ptr<MboColumns> writing;  // the batch `write` is encoding
  RowBlocks<dbn::MboMsg> buffered;      // buffered mode
  // Declared last so that it is destroyed first: destroying it waits for the write to finish
  // before the buffers and the writer go.
  std::future<void> write;
};

struct Spec {
  std::string_view stage;
  std::string_view dataset;
  bool drop_spreads;
};

class MboIngest {
 public:
  MboIngest(const StageContext& ctx, const Task& task, Spec spec, const source::OptionDefinitions* options, Mode mode,
            BronzeTee* tee)
      : ctx_(ctx),
        task_(task),
        spec_(spec),
        dataset_(ctx.registry.Get(spec.dataset)),
        options_(options),
        mode_(mode),
        tee_(tee),
        normalizer_({spec.drop_spreads, options}) {
    if (options_ != nullptr) {
      for (const auto& [k, v] : options_->counters) counters_["definition_" + k] = v;
    }
  }

  // Returns false (streaming only) when a partition's rows leave (ts_event, sequence) order.
  bool ReadFile(const std::filesystem::path& file, uint32_t yyyymmdd) {
    auto decoder = dbn::Decoder::FromFile(file);
    normalizer_.StartFile(decoder, yyyymmdd);
    int32_t partition = -1;
    while (const dbn::MboMsg* row = normalizer_.Next(decoder, partition)) {
      Group& g = GroupOf(partition);
      if (mode_ == Mode::kStream && g.rows > 0 && Before(*row, g.last)) return false;
      g.last = *row;
      ++g.rows;
      if (g.complete) continue;
      if (mode_ == Mode::kBuffer) {
        g.buffered.push_back(*row);
      } else {
        Append(g, *row);
      }
    }
    return true;
  }

  StageResult Finish(const std::vector<lake::InputRef>& inputs, const std::filesystem::path& first_file) {
    const source::RawMboCounts& read = normalizer_.counts();
    counters_["records_read"] = read.mbo;
    counters_["other_records_skipped"] = read.other;
    counters_["null_price_zeroed"] = read.zeroed;
    for (int d = 0; d < source::kDropReasons; ++d) {
      if (read.dropped[d] > 0) counters_[source::kDropCounter[d]] = read.dropped[d];
    }
    int64_t kept = 0;
    for (const Group& g : groups_) kept += g.rows;
    if (kept == 0) {
      throw std::runtime_error(fmt::format("{}: no rows left for {} {} after filters ({} MBO records read from {})",
                                           spec_.stage, task_.symbol, task_.dt, counters_["records_read"],
                                           first_file.string()));
    }
    std::sort(groups_.begin(), groups_.end(), [](const Group& a, const Group& b) { return a.symbol < b.symbol; });
    const lake::StageInfo info{std::string(spec_.stage), inputs, counters_};  // what every manifest records
    StageResult result;
    result.stage = std::string(spec_.stage);
    result.skipped = true;
    for (Group& g : groups_) {
      if (g.complete) {
        ++counters_["partitions_skipped"];
        continue;
      }
      result.skipped = false;
      if (mode_ == Mode::kBuffer) WriteBuffered(g);
      Flush(g);
      const bool teed = Teed(g);
      if (teed) tee_->source->End();  // the engine finishes its last windows while this partition commits
      WaitForWrite(g);
      const auto commit = g.writer->Commit(info);
      if (teed) tee_->committed_rows = commit.rows;
      result.rows += commit.rows;
      counters_["bytes_written"] += commit.bytes;
      ++counters_["partitions_written"];
      result.datasets_written.push_back(fmt::format("{} symbol={}", spec_.dataset, g.symbol));
      g.writer.reset();
      g.buffered.clear();
    }
    counters_["streamed"] = mode_ == Mode::kStream;
    result.counters = counters_;
    return result;
  }

 private:
  // The group of a router partition; partitions are numbered in order of first appearance.
  Group& GroupOf(int32_t partition) {
    while (static_cast<int32_t>(groups_.size()) <= partition) {
      Group& g = groups_.emplace_back();
      g.symbol = normalizer_.router().partitions()[groups_.size() - 1];
      g.complete = lake::IsComplete(lake::PartitionDir(dataset_, ctx_.lake_root, {g.symbol, task_.dt}));
      if (g.complete && Teed(g)) {
        // Nothing to feed: the engine reads the complete partition back instead.
        tee_->source->Fail(std::make_exception_ptr(
            std::runtime_error(fmt::format("{}: bronze {} {} is already complete", spec_.stage, g.symbol, task_.dt))));
        tee_ = nullptr;
      }
    }
    return groups_[partition];
  }

  void Append(Group& g, const dbn::MboMsg& row) {
    if (!g.pending) g.pending = std::make_unique<MboColumns>(g.symbol);
    g.pending->Append(row);
    if (g.pending->full()) Flush(g);
  }

  void Flush(Group& g) {
    if (!g.writer)
      g.writer = std::make_unique<lake::PartitionWriter>(ctx_.registry, ctx_.lake_root, spec_.dataset,
                                                         lake::PartitionKey{g.symbol, task_.dt});
    if (!g.pending || g.pending->rows() == 0) return;
    // Built here, not on the writer's thread: MakeBatch reads maps this thread keeps filling.
    auto batch = MakeBatch(*g.pending);
    if (Teed(g)) tee_->source->Push(*batch);
    WaitForWrite(g);
    std::swap(g.pending, g.writing);
    if (g.pending) g.pending->Clear();
    g.write = std::async(std::launch::async, [&writer = *g.writer, batch = std::move(batch)] { writer.Write(*batch); });
  }

  bool Teed(const Group& g) const { return tee_ != nullptr && g.symbol == tee_->symbol; }

  // Rethrows what the partition's last write threw.
  static void WaitForWrite(Group& g) {
    if (g.write.valid()) g.write.get();
  }

  // Sorts (stable, only when needed) and writes every buffered row.
  void WriteBuffered(Group& g) {
    const RowBlocks<dbn::MboMsg>& rows = g.buffered;
    const int64_t n = rows.size();
    int64_t first_unsorted = 1;
    while (first_unsorted < n && !Before(rows[first_unsorted], rows[first_unsorted - 1])) ++first_unsorted;
    std::vector<int64_t> order;
    if (first_unsorted < n) {
      order.resize(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return Before(rows[a], rows[b]); });
      ++counters_["partitions_resorted"];
    }
    for (int64_t i = 0; i < n; ++i) Append(g, rows[order.empty() ? i : order[i]]);
  }

  std::shared_ptr<arrow::RecordBatch> MakeBatch(const MboColumns& c) {
    using C = MboColumns;
    const int64_t rows = c.rows();
    std::vector<std::shared_ptr<arrow::Array>> arrays = {
        c.Int64(C::kTsRecv),
        c.Int64(C::kSize),
        c.Int64(C::kTsEvent),
        c.Int64(C::kChannelId),
        c.Int64(C::kRtype),
        c.Int64(C::kOrderId),
        c.Int64(C::kPublisherId),
        c.Int64(C::kFlags),
        c.Int64(C::kInstrumentId),
        c.Int64(C::kTsInDelta),
        c.Action(),
        c.Int64(C::kSequence),
        c.Side(),
    };
    const int64_t* ids = c.instrument_ids();
    if (options_ == nullptr) {
      arrays.push_back(c.Symbol());
    } else {
      // Rows of one underlying cycle through many instruments; cache the last lookup.
      int64_t last_id = -1;
      std::string_view last_symbol;
      arrays.push_back(columns::StringColumn(rows, [&](int64_t i) {
        if (ids[i] != last_id) {
          last_id = ids[i];
          last_symbol = normalizer_.router().SymbolOf(static_cast<uint32_t>(last_id));
        }
        return last_symbol;
      }));
    }
    arrays.push_back(c.Int64(C::kPrice));
    if (options_ != nullptr) {
      std::vector<const source::OptionMeta*> m(rows);
      for (int64_t i = 0; i < rows; ++i) m[i] = &options_->zero_dte.at(static_cast<uint32_t>(ids[i]));
      arrays.push_back(columns::StringColumn(rows, [&](int64_t i) { return std::string_view(m[i]->underlying); }));
      arrays.push_back(columns::CharColumn(rows, [&](int64_t i) { return m[i]->right; }));
      arrays.push_back(columns::Int64Column(rows, [&](int64_t i) { return m[i]->strike; }));
      arrays.push_back(columns::Int64Column(rows, [&](int64_t i) { return m[i]->expiration; }));
    }
    const auto& schema = MboSchema(options_ != nullptr);
    arrow::FieldVector fields;
    for (int i = 0; i < schema->num_fields(); ++i) fields.push_back(schema->field(i)->WithType(arrays[i]->type()));
    return arrow::RecordBatch::Make(arrow::schema(std::move(fields)), rows, std::move(arrays));
  }

  const StageContext& ctx_;
  const Task& task_;
  Spec spec_;
  const lake::DatasetSpec& dataset_;
  const source::OptionDefinitions* options_;
  Mode mode_;
  BronzeTee* tee_;
  source::MboNormalizer normalizer_;
  std::vector<Group> groups_;  // by router partition index until Finish sorts them by symbol
  std::map<std::string, int64_t> counters_;
};

// The partitions the files' metadata symbol mappings route to, when every one of them is complete
// (empty otherwise): a rerun then skips without decompressing the day. Options are not judged here
// (their partitions come from the definitions' underlyings); they go the long way.
std::vector<std::string> CompleteMappedPartitions(const StageContext& ctx, const Spec& spec, const Task& task,
                                                  const std::vector<source::RawFile>& files, uint32_t yyyymmdd) {
  std::set<std::string> partitions;
  for (const auto& file : files) {
    for (const auto& [id, symbol] : source::InstrumentSymbols(dbn::Decoder::FromFile(file.path).metadata(), yyyymmdd)) {
      if (!source::DroppedBySymbol(symbol, spec.drop_spreads)) partitions.insert(symbol);
    }
  }
  const lake::DatasetSpec& dataset = ctx.registry.Get(spec.dataset);
  for (const auto& p : partitions) {
    if (!lake::IsComplete(lake::PartitionDir(dataset, ctx.lake_root, {p, task.dt}))) return {};
  }
  return {partitions.begin(), partitions.end()};
}

StageResult RunMbo(const StageContext& ctx, const Task& task, Spec spec, bool zero_dte_options, BronzeTee* tee) {
  const uint32_t yyyymmdd = common::ToYyyymmdd(common::ParseDate(task.dt));
  if (ctx.overwrite) {
    throw std::runtime_error(
        fmt::format("{}: --overwrite is not allowed for bronze (bronze is never deleted)", spec.stage));
  }
  std::optional<source::OptionDefinitions> options;
  std::vector<source::RawFile> def_files;
  if (zero_dte_options) {
    def_files =
        source::FindRawFiles(ctx.lake_root, task.product_type, task.symbol, "definition", task.dt, ctx.raw_jobs);
    options = source::LoadZeroDteOptions(source::Paths(def_files), task.dt, "");
  }
  const auto files = source::FindRawFiles(ctx.lake_root, task.product_type, task.symbol, "mbo", task.dt, ctx.raw_jobs);
  if (!zero_dte_options) {
    if (const auto done = CompleteMappedPartitions(ctx, spec, task, files, yyyymmdd); !done.empty()) {
      StageResult skipped;
      skipped.stage = std::string(spec.stage);
      skipped.skipped = true;
      skipped.counters["partitions_skipped"] = static_cast<int64_t>(done.size());
      return skipped;
    }
  }

  // Hashing the raw files (for the manifest) overlaps the first read of them.
  auto inputs = std::async(std::launch::async, [&] {
                  std::vector<lake::InputRef> refs;
                  for (const auto& f : def_files)
                    refs.push_back(source::RawInputRef(ctx.lake_root, f, "definition", task.dt));
                  for (const auto& f : files) refs.push_back(source::RawInputRef(ctx.lake_root, f, "mbo", task.dt));
                  return refs;
                }).share();
  auto run = [&](Mode mode) -> std::optional<StageResult> {
    // Only a streamed partition is fed to the engine: the buffered fallback rewrites it from the start.
    MboIngest ingest(ctx, task, spec, options ? &*options : nullptr, mode, mode == Mode::kStream ? tee : nullptr);
    for (const auto& file : files) {
      if (!ingest.ReadFile(file.path, yyyymmdd)) return std::nullopt;  // writers remove their temporaries
    }
    return ingest.Finish(inputs.get(), files.front().path);
  };
  try {
    if (auto streamed = run(Mode::kStream)) return *streamed;
    if (tee != nullptr) {
      tee->source->Fail(std::make_exception_ptr(std::runtime_error(
          fmt::format("{}: {} {} left (ts_event, sequence) order in the raw file and is written sorted, not streamed",
                      spec.stage, task.symbol, task.dt))));
    }
    return *run(Mode::kBuffer);
  } catch (const std::exception&) {
    // A file unlike its batch-job manifest (a partial or damaged download) usually fails to decode too;
    // the manifest's verdict says what to do about it, so it wins over the decoder's.
    inputs.get();
    throw;
  }
}

constexpr Spec kFutureMbo{"bronze_ingest_future_mbo", "bronze.future_mbo.mbo", true};
constexpr Spec kEquityMbo{"bronze_ingest_equity_mbo", "bronze.equity_mbo.mbo", false};

}  // namespace

StageResult RunBronzeFutureMbo(const StageContext& ctx, const Task& task) {
  return RunMbo(ctx, task, kFutureMbo, false, nullptr);
}

StageResult RunBronzeFutureOptionMbo(const StageContext& ctx, const Task& task) {
  return RunMbo(ctx, task, {"bronze_ingest_future_option_mbo", "bronze.future_option_mbo.mbo", true}, true, nullptr);
}

StageResult RunBronzeEquityMbo(const StageContext& ctx, const Task& task) {
  return RunMbo(ctx, task, kEquityMbo, false, nullptr);
}

StageResult RunBronzeMboTeed(const StageContext& ctx, const Task& task, BronzeTee& tee) {
  switch (task.product_type) {
    case ProductType::kFutureMbo:
      return RunMbo(ctx, task, kFutureMbo, false, &tee);
    case ProductType::kEquityMbo:
      return RunMbo(ctx, task, kEquityMbo, false, &tee);
    default:
      throw std::invalid_argument(
          fmt::format("{} bronze cannot feed an engine while it writes", lake::ToString(task.product_type)));
  }
}

}  // namespace spymaster::pipeline
