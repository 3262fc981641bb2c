// The engine behind a Live feed (`spymaster live --engine-symbol`, `spymaster serve --live-feed`): records go in
// as DBN bytes through source::PushMboFeed, exactly the bytes a recorder writes (the first session's
// metadata, then every delivered record once), so routing and normalization are those of
// `run --source raw` and the windows are the lake's.
//
// The live window clock (architecture.md § window clock): records close windows as in every source;
// when none arrive, OnTick closes the windows that the gateway's clock has passed by `close_grace_ns`.
// The gateway's clock is the last index timestamp (ts_recv) or heartbeat it sent, advanced by the wall
// clock since; it is unknown after a disconnect until the gateway speaks again (the replay after the
// reconnect must not find its windows closed).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dbn/decoder.hpp"
#include "engine/engine.hpp"
#include "lake/product_type.hpp"
#include "source/raw_mbo_source.hpp"

namespace spymaster::cli {

// The gateway's clock: the last index timestamp (ts_recv) or heartbeat it sent, advanced by the wall clock
// since; unknown after a disconnect until the gateway speaks again.
class GatewayClock {
 public:
  void OnRecord(const dbn::RecordRef& record);
  void Reset() { anchor_.reset(); }
  // ns since the epoch, or nothing while unknown.
  std::optional<int64_t> Now() const;

 private:
  struct Anchor {
    uint64_t gateway_ts = 0;
    std::chrono::steady_clock::time_point wall;
  };
  std::optional<Anchor> anchor_;
};

struct LiveEngineOptions {
  // future_mbo (GLBX.MDP3, spreads dropped as bronze drops them) or equity_mbo (XNAS.ITCH): the routing and
  // engine configuration of that product, as `run --source raw` uses for its raw file.
  lake::ProductType product = lake::ProductType::kFutureMbo;
  std::string symbol;  // the partition the engine follows, e.g. ESH6 or SPY
  std::string dt;      // YYYY-MM-DD
  int64_t session_start_ns = 0;
  int64_t session_end_ns = 0;
  bool compute_gold = true;
  int64_t close_grace_ns = 250'000'000;
};

// The routing of the feed's underlying (as `run --source raw` routes its raw file) and its engine's options.
source::RawMboOptions RawOptionsOf(const LiveEngineOptions& options);
engine::EngineOptions EngineOptionsOf(const LiveEngineOptions& options);

class LiveEngine {
 public:
  LiveEngine(const LiveEngineOptions& options, engine::Engine::Sink sink);

  // Every record the Live client delivers (heartbeats advance the gateway clock only).
  void OnRecord(const dbn::Metadata& metadata, const dbn::RecordRef& record);
  // The live timer; call often (the Live client's tick).
  void OnTick();
  // The connection dropped: the gateway clock is unknown until the next record.
  void OnDisconnect() { clock_.Reset(); }
  // End of input: the remaining session windows close.
  void Finish();

  bool finished() const { return engine_.finished(); }
  const engine::Engine& engine() const { return engine_; }

 private:
  void Feed(std::span<const book::MboEvent> events);

  LiveEngineOptions options_;
  source::PushMboFeed feed_;
  engine::Engine engine_;
  std::vector<std::byte> bytes_;
  bool started_ = false;
  GatewayClock clock_;
};

}  // namespace spymaster::cli
