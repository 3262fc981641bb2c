#include "cli/live_engine.hpp"

#include "common/calendar.hpp"
#include "dbn/encoder.hpp"
#include "dbn/enums.hpp"
#include "dbn/symbol_map.hpp"
#include "engine/product_config.hpp"
#include "source/mbo_records.hpp"

namespace spymaster::cli {

void GatewayClock::OnRecord(const dbn::RecordRef& record) {
  const uint64_t ts = dbn::IndexTs(record);
  if (ts != dbn::kUndefTimestamp && (!anchor_ || ts >= anchor_->gateway_ts)) {
    anchor_ = Anchor{ts, std::chrono::steady_clock::now()};
  }
}

std::optional<int64_t> GatewayClock::Now() const {
  if (!anchor_) return std::nullopt;
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - anchor_->wall);
  return static_cast<int64_t>(anchor_->gateway_ts) + elapsed.count();
}

source::RawMboOptions RawOptionsOf(const LiveEngineOptions& o) {
  source::RawMboOptions raw;
  raw.yyyymmdd = common::ToYyyymmdd(common::ParseDate(o.dt));
  raw.rules.drop_spreads = o.product == lake::ProductType::kFutureMbo;
  raw.partition = o.symbol;
  return raw;
}

engine::EngineOptions EngineOptionsOf(const LiveEngineOptions& o) {
  engine::EngineOptions e;
  e.session_start_ns = o.session_start_ns;
  e.session_end_ns = o.session_end_ns;
  e.compute_gold = o.compute_gold;
  return e;
}

LiveEngine::LiveEngine(const LiveEngineOptions& options, engine::Engine::Sink sink)
    : options_(options),
      feed_("live", RawOptionsOf(options)),
      engine_(source::MboProductConfig(options.product), EngineOptionsOf(options), std::move(sink)) {}

void LiveEngine::OnRecord(const dbn::Metadata& metadata, const dbn::RecordRef& record) {
  clock_.OnRecord(record);
  if (record.rtype() == dbn::RType::kSystem) return;  // heartbeats and acks: not market data
  bytes_.clear();
  if (!started_) {
    dbn::Encoder encoder = dbn::Encoder::ToBuffer(&bytes_, metadata);
    encoder.Finish();
    started_ = true;
  }
  bytes_.insert(bytes_.end(), record.data(), record.data() + record.size());
  Feed(feed_.Feed(bytes_));
}

void LiveEngine::OnTick() {
  const std::optional<int64_t> now = clock_.Now();
  if (!now || options_.close_grace_ns <= 0 || engine_.finished()) return;
  engine_.CloseThrough(*now - options_.close_grace_ns);
}

void LiveEngine::Finish() {
  Feed(feed_.Finish());
  engine_.Finish();
}

void LiveEngine::Feed(std::span<const book::MboEvent> events) {
  for (const book::MboEvent& e : events) {
    if (engine_.finished()) break;
    engine_.OnEvent(e);
  }
}

}  // namespace spymaster::cli
