// The engine behind a Live feed with its 0DTE options, so that each window is the one `source=raw` computes from
// the recorded files:
//   - ES (`serve --live-feed ESH6:future_option_mbo`, LiveOptionEngine): OptionEngine fed from one Live session
//     subscribing the futures' MBO, the options' MBO and the options' definitions (GLBX.MDP3, parent ES.FUT and
//     the ES option parents);
//   - SPY, QQQ (`serve --live-feed SPY:equity_option_mbo`, LiveQuoteOptionEngine): QuoteOptionEngine fed from two
//     Live sessions, as the two datasets are two gateways: the ticker's MBO (XNAS.ITCH, session 0) and its options'
//     CMBP-1 and definitions (OPRA.PILLAR, parent SPY.OPT, session 1), each session on its own thread.
// In both:
//   - definitions build the 0DTE selection as they arrive (source::ZeroDteFeed, the rule LoadZeroDteOptions
//     applies to the definition file: for equities the options on the ticker); the selection is fixed by the
//     options' session's first market record (MBO for ES, CMBP-1 for OPRA), which the gateway sends after the
//     definitions it sends before it (ts_recv order), when the option engine starts with its instruments
//     (definitions arriving later are counted, not applied: the engine's instrument list is fixed, as it is for
//     a file);
//   - the underlying's records and the options' are routed and normalized as their raw files are (a
//     source::PushMboFeed for the underlying, a PushMboFeed with the 0DTE routing or a source::PushCmbp1Feed for
//     the options), and put into MergeSource's order by engine::PushMerge (each session delivers in ts_recv
//     order, the merge is by ts_event); until the engine starts, the merge holds what arrives;
//   - the live timer releases what the merge holds up to the watermark, the earliest of the sessions' gateway
//     clocks minus the close grace (a session whose clock is unknown, not yet heard from or reconnecting, holds
//     it back), and closes the option engine through it, which closes the underlying's window and the option
//     window together.
// Thread-safe: the sessions' threads call it concurrently (one mutex; uncontended with one session).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cli/live_engine.hpp"
#include "engine/option_engine.hpp"
#include "engine/push_merge.hpp"
#include "source/option_definitions.hpp"
#include "source/raw_cmbp1_source.hpp"
#include "source/raw_mbo_source.hpp"

namespace spymaster::cli {

template <class OptionEngineT>
class BasicLiveOptionEngine {
 public:
  // A closed window: the underlying's (with its gold) and the option window of the same start.
  using Sink = std::function<void(const engine::WindowPtr&, const engine::OptionWindowPtr&)>;
  static constexpr bool kQuotes = std::is_same_v<OptionEngineT, engine::QuoteOptionEngine>;
  // The session carrying the options' records and definitions; session 0 carries the underlying's.
  static constexpr int kOptionSession = kQuotes ? 1 : 0;
  static constexpr int kSessions = kOptionSession + 1;

  // options.product is the underlying's (future_mbo for OptionEngine, equity_mbo for QuoteOptionEngine).
  BasicLiveOptionEngine(const LiveEngineOptions& options, Sink sink);

  // A record of session `session` (0 .. kSessions - 1), with that session's metadata.
  void OnRecord(int session, const dbn::Metadata& metadata, const dbn::RecordRef& record);
  void OnTick();
  // Session `session`'s connection dropped: its gateway clock is unknown until it speaks again.
  void OnDisconnect(int session);
  void Finish();

  bool finished() const;
  // The 0DTE selection's counters, plus definitions_after_start.
  std::map<std::string, int64_t> DefinitionCounters() const;

 private:
  using OptionFeed = std::conditional_t<kQuotes, source::PushCmbp1Feed, source::PushMboFeed>;
  struct Session {
    GatewayClock clock;
    bool metadata_sent = false;
  };

  void Start();
  void Emit(const book::MboEvent& e) {
    if (!engine_->finished()) engine_->OnEvent(e);
  }
  void OnUnderlyingWindow(const engine::WindowPtr& w);
  void OnOptionWindow(const engine::OptionWindowPtr& w);

  mutable std::mutex mutex_;
  LiveEngineOptions options_;
  Sink sink_;
  std::array<Session, kSessions> sessions_;
  source::ZeroDteFeed definitions_;
  source::PushMboFeed underlying_feed_;
  OptionFeed option_feed_;  // routes into definitions_ (fixed once started)
  engine::PushMerge merge_;
  std::optional<OptionEngineT> engine_;
  std::deque<engine::WindowPtr> underlying_closed_;  // waiting for their option window
  std::vector<std::byte> bytes_;
  int64_t definitions_after_start_ = 0;
};

using LiveOptionEngine = BasicLiveOptionEngine<engine::OptionEngine>;
using LiveQuoteOptionEngine = BasicLiveOptionEngine<engine::QuoteOptionEngine>;
extern template class BasicLiveOptionEngine<engine::OptionEngine>;
extern template class BasicLiveOptionEngine<engine::QuoteOptionEngine>;

}  // namespace spymaster::cli
