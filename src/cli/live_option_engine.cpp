#include "cli/live_option_engine.hpp"

#include "common/calendar.hpp"
#include "dbn/encoder.hpp"
#include "dbn/enums.hpp"
#include "engine/product_config.hpp"
#include "source/mbo_records.hpp"

namespace spymaster::cli {
namespace {

source::RawMboOptions OptionRawOptions(const LiveEngineOptions& o, const source::OptionDefinitions* definitions) {
  source::RawMboOptions raw;
  raw.yyyymmdd = common::ToYyyymmdd(common::ParseDate(o.dt));
  raw.rules.options = definitions;
  raw.partition = o.symbol;
  return raw;
}

}  // namespace

LiveOptionEngine::LiveOptionEngine(const LiveEngineOptions& options, Sink sink)
    : options_(options),
      sink_(std::move(sink)),
      definitions_(options.dt, ""),
      underlying_feed_(RawOptionsOf(options), "live"),
      option_feed_(OptionRawOptions(options, &definitions_.definitions()), "live options") {}

void LiveOptionEngine::OnRecord(const dbn::Metadata& metadata, const dbn::RecordRef& record) {
  clock_.OnRecord(record);
  if (record.rtype() == dbn::RType::kSystem) return;  // heartbeats and acks: not market data
  if (const auto* def = record.Get<dbn::InstrumentDefMsg>()) {
    if (engine_) {
      ++definitions_after_start_;
    } else {
      definitions_.OnDefinition(*def);
    }
    return;
  }
  if (!engine_ && record.rtype() == dbn::RType::kMbo) Start();
  bytes_.clear();
  if (!metadata_sent_) {
    dbn::Encoder encoder = dbn::Encoder::ToBuffer(&bytes_, metadata);
    encoder.Finish();
    metadata_sent_ = true;
  }
  bytes_.insert(bytes_.end(), record.data(), record.data() + record.size());
  for (const book::MboEvent& e : underlying_feed_.Feed(bytes_)) merge_.Push(0, e);
  for (const book::MboEvent& e : option_feed_.Feed(bytes_)) merge_.Push(1, e);
  if (engine_) merge_.Drain([this](const book::MboEvent& e) { Emit(e); });
}

void LiveOptionEngine::OnTick() {
  const std::optional<int64_t> now = clock_.Now();
  if (!now || !engine_ || options_.close_grace_ns <= 0 || engine_->finished()) return;
  const int64_t watermark = *now - options_.close_grace_ns;
  merge_.Release(watermark, [this](const book::MboEvent& e) { Emit(e); });
  if (!engine_->finished()) engine_->CloseThrough(watermark);
}

void LiveOptionEngine::Finish() {
  if (!engine_) Start();
  for (const book::MboEvent& e : underlying_feed_.Finish()) merge_.Push(0, e);
  for (const book::MboEvent& e : option_feed_.Finish()) merge_.Push(1, e);
  merge_.Flush([this](const book::MboEvent& e) { Emit(e); });
  if (!engine_->finished()) engine_->Finish();
}

std::map<std::string, int64_t> LiveOptionEngine::DefinitionCounters() const {
  std::map<std::string, int64_t> counters = definitions_.definitions().counters;
  counters["definitions_after_start"] = definitions_after_start_;
  return counters;
}

void LiveOptionEngine::Start() {
  // The instruments OpenOptionRecords gives the option engine for the raw files: the 0DTE options on the
  // feed's contract.
  std::vector<engine::OptionInstrument> instruments;
  for (const auto& [id, meta] : definitions_.definitions().zero_dte) {
    if (meta.underlying == options_.symbol) instruments.push_back({id, meta.right, meta.strike, meta.tick});
  }
  engine_.emplace(
      source::MboProductConfig(options_.product), engine::EsOptionGrid(), EngineOptionsOf(options_),
      std::move(instruments), [this](const engine::OptionWindowPtr& w) { OnOptionWindow(w); },
      [this](const engine::WindowPtr& w) { OnUnderlyingWindow(w); }, /*underlying_gold=*/options_.compute_gold);
}

void LiveOptionEngine::OnUnderlyingWindow(const engine::WindowPtr& w) { underlying_closed_.push_back(w); }

void LiveOptionEngine::OnOptionWindow(const engine::OptionWindowPtr& w) {
  // Option window k closes right after underlying window k (lock-step clocks).
  while (!underlying_closed_.empty()) {
    engine::WindowPtr u = std::move(underlying_closed_.front());
    underlying_closed_.pop_front();
    if (u->snapshot.window_start_ts_ns == w->window_start_ts_ns) {
      sink_(u, w);
      return;
    }
    sink_(u, nullptr);  // not expected: an underlying window without its option window
  }
}

}  // namespace spymaster::cli
