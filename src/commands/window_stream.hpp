// The engine's closed windows one at a time, as Arrow record batches in the lake's shape: what the Python
// package's spymaster.windows() iterates. The records come from bronze or the raw day file, as the silver
// stage reads them (source::OpenMboRecords; for the option products source::OpenOptionRecords, the
// underlying merged with its options, which gives each option window its spot), and drive the product's
// engine (engine::Engine, OptionEngine or QuoteOptionEngine) through engine::Feeder, stopping as each window
// closes; every window gives one batch per table (silver book_snapshot_1s and depth_and_flow_1s, gold
// physics_surface_1s) with the rows the lake partitions hold for it, in order.
#pragma once

#include <arrow/type_fwd.h>

#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "columns/engine_rows_arrow.hpp"
#include "engine/engine.hpp"
#include "engine/option_engine.hpp"
#include "engine/record_source.hpp"
#include "lake/registry.hpp"
#include "source/option_definitions.hpp"

namespace spymaster::commands {

// The windows Python's windows() has the stream compute per hand-over when a step takes fewer. Steps of a
// few windows share one hand-over to pyarrow: its import of a step's three batches (~190 k instructions)
// costs about as much as the engine's work on a window, so the engine computes this many windows (the
// largest multiple of batch_windows up to it, at least batch_windows) per import, and a step is zero-copy
// slices of those batches (~1.5 us a table). Their rows stay in one slab per table, reused once every slice
// of it is gone. 32 measured best on the ES hour (16 to 64 within the noise; 256 worse, likely as the
// chunk's columns outgrow the cache). `spymaster bench windows` measures the stream at this batch size.
constexpr int kChunkWindows = 32;

struct WindowStreamArgs {
  std::string source = "bronze";  // bronze | raw (run's --source)
  std::string product_type;       // future_mbo | future_option_mbo | equity_mbo | equity_option_mbo
  std::string symbol;  // the contract or ticker (ESH6, SPY; options: their underlying's); ES: the date's front month
  std::string dt;
  std::string lake = "lake";
  std::string session_start = "09:30";
  std::string session_end = "10:30";
  std::vector<std::string> raw_jobs;
  // Windows per Next(): each table's batch holds the rows of up to this many consecutive windows (fewer
  // hand-overs for a consumer that pays per batch, e.g. Python).
  int batch_windows = 1;
};

// One table of a step's windows: the table name (book_snapshot_1s, ...), its rows, and where each window's
// rows end in the batch (window i: rows [window_ends[i - 1], window_ends[i]), the first from 0).
struct WindowTable {
  std::string table;
  std::shared_ptr<arrow::RecordBatch> batch;
  std::vector<int64_t> window_ends;
};

class WindowStream {
 public:
  // Checks the arguments (UsageError naming the parameter, with run's flag names) and opens the records
  // (a data or I/O error naming the partition or file).
  explicit WindowStream(const WindowStreamArgs& args);
  ~WindowStream();
  WindowStream(const WindowStream&) = delete;
  WindowStream& operator=(const WindowStream&) = delete;

  // The next closed windows' tables (up to batch_windows windows; fewer at the end), or nullopt after the
  // session's last window. An error while a batch is under way comes after the windows batched before it,
  // on the next call.
  std::optional<std::vector<WindowTable>> Next();
  // Table names and schemas (the dataset contracts'), in the order Next() gives them.
  const std::vector<std::pair<std::string, std::shared_ptr<arrow::Schema>>>& schemas() const { return schemas_; }
  // The engine's and the source's counters so far (complete once Next() returned nullopt).
  std::map<std::string, int64_t> Counters() const;

 private:
  // Adds a closed window's rows to the batch being built.
  void Batch(const engine::WindowResult& window);
  void Batch(const engine::OptionWindowResult& window);
  std::vector<WindowTable> MboTables();
  std::vector<WindowTable> OptionTables();
  void EndWindow(int64_t snapshot_rows, int64_t flow_rows, int64_t gold_rows);
  std::size_t batched() const { return snapshot_ends_.size(); }  // windows in the batch being built

  lake::DatasetRegistry registry_;
  std::vector<std::pair<std::string, std::shared_ptr<arrow::Schema>>> schemas_;
  // Raw ES options: the definitions the options' routing points into, outliving records_.
  std::unique_ptr<source::OptionDefinitions> definitions_;
  std::unique_ptr<engine::RecordSource> records_;
  std::variant<std::monostate, engine::Engine, engine::OptionEngine, engine::QuoteOptionEngine> engine_;
  engine::Feeder feeder_;
  // Each window's rows go into the batch's columns as the window closes (the engine's result is then
  // free for its next window). MBO products: the gold surface is computed straight into the gold columns
  // (the engine runs without gold; gold_state_ is the GoldState it would run).
  std::optional<engine::GoldState> gold_state_;
  std::unique_ptr<columns::SnapshotColumns> snapshots_;
  std::unique_ptr<columns::DepthFlowColumns> flows_;
  std::unique_ptr<columns::GoldColumns> gold_;
  // Option products: the option engine's rows, gold included.
  std::unique_ptr<columns::OptionSnapshotColumns> option_snapshots_;
  std::unique_ptr<columns::OptionFlowColumns> option_flows_;
  std::unique_ptr<columns::OptionGoldColumns> option_gold_;
  // Each table's row count at the end of each window of the batch being built.
  std::vector<int64_t> snapshot_ends_, flow_ends_, gold_ends_;
  // The engine's or the source's error that stopped a batch under way, for the Next() after that batch.
  std::exception_ptr error_;
  int64_t gold_rows_ = 0;
  // Windows closed while the batch was full (one record jumping many seconds, or the end of input).
  std::deque<engine::WindowPtr> closed_;
  std::deque<engine::OptionWindowPtr> option_closed_;
  std::size_t batch_windows_ = 1;
  bool done_ = false;
};

}  // namespace spymaster::commands
