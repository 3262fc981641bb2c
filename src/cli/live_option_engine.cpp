#include "cli/live_option_engine.hpp"

#include <algorithm>

#include "common/calendar.hpp"
#include "dbn/encoder.hpp"
#include "dbn/enums.hpp"
#include "engine/product_config.hpp"
#include "source/mbo_records.hpp"
#include "source/raw_input.hpp"

namespace spymaster::cli {
namespace {

source::RawMboOptions OptionRawOptions(const LiveEngineOptions& o, const source::OptionDefinitions* definitions) {
  source::RawMboOptions raw;
  raw.yyyymmdd = common::ToYyyymmdd(common::ParseDate(o.dt));
  raw.rules.options = definitions;
  raw.partition = o.symbol;
  return raw;
}

// The options' feed, routing into `definitions` as `run --source raw` routes the options' raw file.
template <class Feed>
Feed MakeOptionFeed(const LiveEngineOptions& o, const source::OptionDefinitions& definitions) {
  if constexpr (std::is_same_v<Feed, source::PushCmbp1Feed>) {
    return Feed("live options", definitions, o.symbol);
  } else {
    return Feed("live options", OptionRawOptions(o, &definitions));
  }
}

// The definitions' underlying filter OpenOptionRecords applies: the ticker for equity options (OPRA's parent
// carries one root), none for ES (the selection keeps every contract's; the engine takes the feed's).
std::string UnderlyingFilter(const LiveEngineOptions& o, bool quotes) {
  return quotes ? source::RawRootOf(lake::ProductType::kEquityOptionMbo, o.symbol) : std::string();
}

}  // namespace

template <class E>
BasicLiveOptionEngine<E>::BasicLiveOptionEngine(const LiveEngineOptions& options, Sink sink)
    : options_(options),
      sink_(std::move(sink)),
      definitions_(options.dt, UnderlyingFilter(options, kQuotes)),
      underlying_feed_("live", RawOptionsOf(options)),
      option_feed_(MakeOptionFeed<OptionFeed>(options, definitions_.definitions())) {}

template <class E>
void BasicLiveOptionEngine<E>::OnRecord(int session, const dbn::Metadata& metadata, const dbn::RecordRef& record) {
  const std::lock_guard lock(mutex_);
  Session& s = sessions_[static_cast<std::size_t>(session)];
  s.clock.OnRecord(record);
  if (record.rtype() == dbn::RType::kSystem) return;  // heartbeats and acks: not market data
  if (session == kOptionSession) {
    if (const auto* def = record.Get<dbn::InstrumentDefMsg>()) {
      if (engine_) {
        ++definitions_after_start_;
      } else {
        definitions_.OnDefinition(*def);
      }
      return;
    }
    if (!engine_ && record.rtype() == (kQuotes ? dbn::RType::kCmbp1 : dbn::RType::kMbo)) Start();
  }
  bytes_.clear();
  if (!s.metadata_sent) {
    dbn::Encoder encoder = dbn::Encoder::ToBuffer(&bytes_, metadata);
    encoder.Finish();
    s.metadata_sent = true;
  }
  bytes_.insert(bytes_.end(), record.data(), record.data() + record.size());
  if (session == 0) {
    for (const book::MboEvent& e : underlying_feed_.Feed(bytes_)) merge_.Push(0, e);
  }
  if (session == kOptionSession) {
    for (const book::MboEvent& e : option_feed_.Feed(bytes_)) merge_.Push(1, e);
  }
  if (engine_) merge_.Drain([this](const book::MboEvent& e) { Emit(e); });
}

template <class E>
void BasicLiveOptionEngine<E>::OnTick() {
  const std::lock_guard lock(mutex_);
  if (!engine_ || options_.close_grace_ns <= 0 || engine_->finished()) return;
  std::optional<int64_t> earliest;
  for (const Session& s : sessions_) {
    const std::optional<int64_t> now = s.clock.Now();
    if (!now) return;  // a session not heard from (or reconnecting) may still send anything
    earliest = earliest ? std::min(*earliest, *now) : *now;
  }
  const int64_t watermark = *earliest - options_.close_grace_ns;
  merge_.Release(watermark, [this](const book::MboEvent& e) { Emit(e); });
  if (!engine_->finished()) engine_->CloseThrough(watermark);
}

template <class E>
void BasicLiveOptionEngine<E>::OnDisconnect(int session) {
  const std::lock_guard lock(mutex_);
  sessions_[static_cast<std::size_t>(session)].clock.Reset();
}

template <class E>
void BasicLiveOptionEngine<E>::Finish() {
  const std::lock_guard lock(mutex_);
  if (!engine_) Start();
  for (const book::MboEvent& e : underlying_feed_.Finish()) merge_.Push(0, e);
  for (const book::MboEvent& e : option_feed_.Finish()) merge_.Push(1, e);
  merge_.Flush([this](const book::MboEvent& e) { Emit(e); });
  if (!engine_->finished()) engine_->Finish();
}

template <class E>
bool BasicLiveOptionEngine<E>::finished() const {
  const std::lock_guard lock(mutex_);
  return engine_ && engine_->finished();
}

template <class E>
std::map<std::string, int64_t> BasicLiveOptionEngine<E>::DefinitionCounters() const {
  const std::lock_guard lock(mutex_);
  std::map<std::string, int64_t> counters = definitions_.definitions().counters;
  counters["definitions_after_start"] = definitions_after_start_;
  return counters;
}

template <class E>
void BasicLiveOptionEngine<E>::Start() {
  // The instruments OpenOptionRecords gives the option engine for the raw files: the 0DTE options on the
  // feed's contract or ticker.
  std::vector<engine::OptionInstrument> instruments;
  for (const auto& [id, meta] : definitions_.definitions().zero_dte) {
    if (meta.underlying == options_.symbol) instruments.push_back({id, meta.right, meta.strike, meta.tick});
  }
  // The underlying's configuration and strike grid of the option silver/gold stage, as the compute source runs.
  engine_.emplace(
      source::MboProductConfig(options_.product), kQuotes ? engine::EquityOptionGrid() : engine::EsOptionGrid(),
      EngineOptionsOf(options_), std::move(instruments),
      [this](const engine::OptionWindowPtr& w) { OnOptionWindow(w); },
      [this](const engine::WindowPtr& w) { OnUnderlyingWindow(w); }, /*underlying_gold=*/options_.compute_gold);
}

template <class E>
void BasicLiveOptionEngine<E>::OnUnderlyingWindow(const engine::WindowPtr& w) {
  underlying_closed_.push_back(w);
}

template <class E>
void BasicLiveOptionEngine<E>::OnOptionWindow(const engine::OptionWindowPtr& w) {
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

template class BasicLiveOptionEngine<engine::OptionEngine>;
template class BasicLiveOptionEngine<engine::QuoteOptionEngine>;

}  // namespace spymaster::cli
