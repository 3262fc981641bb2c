// The engine behind a Live futures feed with its 0DTE options (`serve --live-feed ESH6:future_option_mbo`):
// the option engine over the underlying and its options, fed from one Live session subscribing the futures'
// MBO, the options' MBO and the options' definitions (GLBX.MDP3, parent ES.FUT and ES.OPT), so that each
// window is the one `source=raw` computes from the recorded files:
//   - definitions build the 0DTE selection as they arrive (source::ZeroDteFeed, the rule LoadZeroDteOptions
//     applies to the definition file); the selection is fixed by the first MBO record, when the option
//     engine starts with its instruments (definitions arriving later are counted, not applied: the engine's
//     instrument list is fixed, as it is for a file);
//   - the underlying's and the options' MBO records are routed and normalized as their raw files are
//     (two source::PushMboFeed, the options' with the 0DTE routing), and put into MergeSource's order by
//     engine::PushMerge (records arrive in ts_recv order, the merge is by ts_event);
//   - the live timer releases what the merge holds up to the watermark (gateway clock − close grace) and closes
//     the option engine through it, which closes the underlying's window and the option window together.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "cli/live_engine.hpp"
#include "engine/option_engine.hpp"
#include "engine/push_merge.hpp"
#include "source/option_definitions.hpp"
#include "source/raw_mbo_source.hpp"

namespace spymaster::cli {

class LiveOptionEngine {
 public:
  // A closed window: the underlying's (with its gold) and the option window of the same start.
  using Sink = std::function<void(const engine::WindowPtr&, const engine::OptionWindowPtr&)>;

  // options.product is the underlying's (future_mbo).
  LiveOptionEngine(const LiveEngineOptions& options, Sink sink);

  void OnRecord(const dbn::Metadata& metadata, const dbn::RecordRef& record);
  void OnTick();
  void OnDisconnect() { clock_.Reset(); }
  void Finish();

  bool finished() const { return engine_ && engine_->finished(); }
  // The 0DTE selection's counters, plus definitions_after_start.
  std::map<std::string, int64_t> DefinitionCounters() const;

 private:
  void Start();
  void Emit(const book::MboEvent& e) {
    if (!engine_->finished()) engine_->OnEvent(e);
  }
  void OnUnderlyingWindow(const engine::WindowPtr& w);
  void OnOptionWindow(const engine::OptionWindowPtr& w);

  LiveEngineOptions options_;
  Sink sink_;
  GatewayClock clock_;
  source::ZeroDteFeed definitions_;
  source::PushMboFeed underlying_feed_;
  source::PushMboFeed option_feed_;  // routes into definitions_ (fixed once started)
  engine::PushMerge merge_;
  std::optional<engine::OptionEngine> engine_;
  std::deque<engine::WindowPtr> underlying_closed_;  // waiting for their option window
  std::vector<std::byte> bytes_;
  bool metadata_sent_ = false;
  int64_t definitions_after_start_ = 0;
};

}  // namespace spymaster::cli
