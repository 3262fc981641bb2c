#include "python/window_iterator.hpp"

#include <arrow/api.h>
#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

#include "commands/window_stream.hpp"
#include "common/arrow_status.hpp"
#include "python/batch_export.hpp"
#include "python/errors.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace spymaster::python {
namespace {

class WindowIterator {
 public:
  // `args.batch_windows`: the windows a step gives.
  explicit WindowIterator(commands::WindowStreamArgs args)
      : step_windows_(static_cast<std::size_t>(args.batch_windows)) {
    if (args.batch_windows >= 1) {  // below, the stream's UsageError names the argument
      args.batch_windows *= std::max(1, commands::kChunkWindows / args.batch_windows);
    }
    stream_ = CallReleased([&] { return std::make_unique<commands::WindowStream>(args); });
    const nb::module_ pa = nb::module_::import_("pyarrow");
    import_batch_ = pa.attr("RecordBatch").attr("_import_from_c");
    slice_ = pa.attr("RecordBatch").attr("slice");
    const nb::object import_schema = pa.attr("Schema").attr("_import_from_c");
    for (const auto& [table, schema] : stream_->schemas()) {
      CheckFlatSchema(*schema);
      ArrowSchema c_schema;
      CheckOk(arrow::ExportSchema(*schema, &c_schema), [&] { return "exporting the schema of " + table; });
      schema_objects_.push_back(import_schema(reinterpret_cast<uintptr_t>(&c_schema)));
      keys_.emplace_back(table.c_str());
      schemas_[keys_.back()] = schema_objects_.back();
    }
  }

  // {table: pyarrow.RecordBatch} of the next closed window(s); StopIteration after the last.
  nb::dict Next() {
    // Threads sharing the iterator each fetch a chunk without the GIL, one at a time, and queue it with the
    // GIL: every window is handed out once, in its chunk's order.
    while (chunks_.empty()) {
      std::shared_ptr<Chunk> chunk = Fetch();
      if (chunk) {
        chunks_.push_back(std::move(chunk));
      } else if (chunks_.empty()) {
        throw nb::stop_iteration();
      }
    }
    // The step is taken before any Python runs (pyarrow's slice may let another thread step on).
    const std::shared_ptr<Chunk> chunk = chunks_.front();
    const std::size_t from = chunk->handed;
    const std::size_t to = std::min(from + step_windows_, chunk->windows);
    chunk->handed = to;
    if (to == chunk->windows) chunks_.pop_front();
    nb::dict out;
    for (std::size_t i = 0; i < chunk->batches.size(); ++i) {
      if (from == 0 && to == chunk->windows) {
        out[keys_[i]] = chunk->batches[i];
      } else {
        const std::vector<int64_t>& ends = chunk->window_ends[i];
        const int64_t begin = from == 0 ? 0 : ends[from - 1];
        out[keys_[i]] = slice_(chunk->batches[i], begin, ends[to - 1] - begin);
      }
    }
    return out;
  }

  nb::dict schemas() const { return schemas_; }
  std::map<std::string, int64_t> Counters() {
    nb::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return stream_->Counters();
  }

 private:
  // One import's windows: a pyarrow batch per table and where each window's rows end in it.
  struct Chunk {
    std::vector<nb::object> batches;
    std::vector<std::vector<int64_t>> window_ends;
    std::size_t windows = 0;
    std::size_t handed = 0;  // windows handed out so far
  };

  // The stream's next windows as pyarrow batches, or null after the last.
  std::shared_ptr<Chunk> Fetch() {
    std::vector<commands::WindowTable> tables;
    std::vector<ArrowArray> arrays;
    {
      nb::gil_scoped_release release;
      std::lock_guard lock(mutex_);  // one step at a time, whatever threads share the iterator
      auto next = stream_->Next();
      if (next) {
        tables = std::move(*next);
        arrays.resize(tables.size());
        for (std::size_t i = 0; i < tables.size(); ++i) ExportFlatBatch(std::move(tables[i].batch), &arrays[i]);
      }
    }
    if (tables.empty()) return nullptr;
    auto chunk = std::make_shared<Chunk>();
    chunk->windows = tables[0].window_ends.size();
    std::size_t i = 0;
    try {
      for (; i < tables.size(); ++i) {
        chunk->batches.push_back(import_batch_(reinterpret_cast<uintptr_t>(&arrays[i]), schema_objects_[i]));
        chunk->window_ends.push_back(std::move(tables[i].window_ends));
      }
    } catch (...) {
      for (; i < arrays.size(); ++i) {
        if (arrays[i].release != nullptr) arrays[i].release(&arrays[i]);
      }
      throw;
    }
    return chunk;
  }

  std::size_t step_windows_;
  std::unique_ptr<commands::WindowStream> stream_;
  std::mutex mutex_;
  std::deque<std::shared_ptr<Chunk>> chunks_;  // fetched, not yet all handed out; read and written with the GIL
  nb::object import_batch_;
  nb::object slice_;
  std::vector<nb::object> schema_objects_;  // in the order of stream_->schemas() and of Next()'s tables
  std::vector<nb::str> keys_;               // the table names, made once rather than per step
  nb::dict schemas_;
};

}  // namespace

void RegisterWindows(nb::module_& m) {
  nb::class_<WindowIterator>(m, "WindowIterator",
                             "The closed windows of one (product, symbol, dt), as {table: pyarrow.RecordBatch}.")
      .def("__iter__", [](nb::object self) { return self; })
      .def("__next__", &WindowIterator::Next)
      .def_prop_ro("schemas", &WindowIterator::schemas, "{table: pyarrow.Schema}, the dataset contracts' schemas.")
      .def("counters", &WindowIterator::Counters,
           "The engine's and the source's counters so far: of the windows computed, which run up to 31 windows "
           "ahead of those yielded when a step takes fewer than 32 (the silver manifest's, once exhausted).");
  m.def(
      "windows",
      [](const std::string& source, const std::string& product_type, const std::string& symbol, const std::string& dt,
         const std::string& lake, const std::string& session_start, const std::string& session_end,
         const std::vector<std::string>& raw_job, int batch_windows) {
        commands::WindowStreamArgs args;
        args.source = source;
        args.product_type = product_type;
        args.symbol = symbol;
        args.dt = dt;
        args.lake = lake;
        args.session_start = session_start;
        args.session_end = session_end;
        args.raw_jobs = raw_job;
        args.batch_windows = batch_windows;
        return std::make_unique<WindowIterator>(args);
      },
      "source"_a, "product_type"_a, "symbol"_a, "dt"_a, nb::kw_only(), "lake"_a = "lake", "session_start"_a = "09:30",
      "session_end"_a = "10:30", "raw_job"_a = std::vector<std::string>{}, "batch_windows"_a = 1,
      "Each closed session window of the engine run over bronze (source='bronze') or the raw DBN day "
      "(source='raw') as {'book_snapshot_1s', 'depth_and_flow_1s', 'physics_surface_1s': pyarrow.RecordBatch}; "
      "the option products merge the underlying's records with their options' for each window's spot. "
      "batch_windows=N: each step gives the rows of up to N consecutive windows (below 32, slices of batches of "
      "32 or so windows, which the engine computes at once).");
}

}  // namespace spymaster::python
