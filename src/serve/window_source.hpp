// Where a stream's windows come from. Two sources behind one interface (stream.md Part 1, issue 13):
// replay reads silver book_snapshot_1s and gold physics_surface_1s from the lake a record batch at a time
// (no whole-day cache); compute drives the engine from bronze, or from the raw DBN day files through
// bronze's normalization (source's record opening, as `run` opens them), through engine::Feeder (the
// loop batch runs use) and hands out each window as it closes. A live feed plugs in as one more source.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "lake/product_type.hpp"
#include "lake/registry.hpp"
#include "serve/stream_window.hpp"

namespace spymaster::serve {

class WindowSource {
 public:
  virtual ~WindowSource() = default;
  // The next window in time order, or nullptr after the last. `window->gold` carries at least the
  // streamed columns; depth_flow may be empty.
  virtual StreamWindowPtr Next() = 0;
  // What determines the windows' contents (the input partitions' manifests, the session): two sources
  // with the same identity produce the same windows, so their frames can be shared.
  virtual const std::string& identity() const = 0;
};

struct SourceRequest {
  std::string symbol;  // resolved contract (ESH6) or equity ticker (SPY), not ES
  std::string dt;
  // future_mbo (options from future_option_mbo) or equity_mbo (options from equity_option_mbo).
  lake::ProductType product = lake::ProductType::kFutureMbo;
  int64_t session_start_ns = 0;  // compute only: the engine's session window
  int64_t session_end_ns = 0;
  bool raw = false;  // compute only: records from the raw DBN day files instead of bronze
};

// Throws lake::LakeError naming the partition when silver or gold is not complete.
std::unique_ptr<WindowSource> OpenReplaySource(const lake::DatasetRegistry& registry,
                                               const std::filesystem::path& lake_root, const SourceRequest& request);
// The identity OpenReplaySource's source would have, without opening it (reads the manifests only).
std::string ReplaySourceIdentity(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                 const SourceRequest& request);
// What a compute source of `request` reads, resolved once per connect: the session keys the shared engine
// run by the identity and opens the source (when no run holds it) with the same resolution.
struct ComputeInputs {
  // What determines the windows (WindowSource::identity): the bronze partitions' manifests, or the raw day
  // files' paths, sizes and modification times (not their contents), and the session.
  std::string identity;
  // Why the options surface stays empty (the options' input is not in the lake, and how to get it), or null.
  std::shared_ptr<const std::string> options_missing;
};
// Reads the manifests (raw: lists the day files). Throws lake::LakeError naming the underlying's bronze
// partition when it is not complete (raw: the raw directory when its day file is not there).
ComputeInputs ResolveComputeInputs(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                   const SourceRequest& request);
// Throws lake::LakeError naming a bronze partition (raw: std::runtime_error naming the directory) when an
// input has gone since `inputs` was resolved.
std::unique_ptr<WindowSource> OpenComputeSource(const lake::DatasetRegistry& registry,
                                                const std::filesystem::path& lake_root, const SourceRequest& request,
                                                ComputeInputs inputs);

}  // namespace spymaster::serve
