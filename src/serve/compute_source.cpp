// Compute: the engine driven from bronze (or, with request.raw, from the raw DBN day files through
// bronze's normalization: source::OpenMboRecords / OpenOptionRecords, the opening `run --source raw`
// uses) through engine::Feeder, one window at a time, on the calling thread (the server's pool; no thread
// per client). With the underlying's 0DTE options (bronze.future_option_mbo.mbo, or their raw definition
// and MBO files), the option engine runs over the underlying and its options merged by ts_event, exactly
// as the option silver/gold stage does, and each underlying window goes out with its option window's gold
// summed per strike (the replay's aggregation); without them, the underlying engine alone.
#include <fmt/format.h>

#include <chrono>
#include <deque>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/error.hpp"
#include "engine/engine.hpp"
#include "engine/merge_source.hpp"
#include "engine/option_engine.hpp"
#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "serve/option_surface.hpp"
#include "serve/stream_product.hpp"
#include "serve/window_source.hpp"
#include "source/bronze_mbo_source.hpp"
#include "source/bronze_option_instruments.hpp"
#include "source/mbo_records.hpp"
#include "source/option_definitions.hpp"
#include "source/option_records.hpp"
#include "source/raw_input.hpp"

namespace spymaster::serve {
namespace {

constexpr char kFutureOptions[] = "bronze.future_option_mbo.mbo";

std::string Underlying(const SourceRequest& request) { return DatasetKey("bronze", request.product, "mbo"); }

// The raw day files of `product` and `schema` behind the request. A missing (or ambiguous) file, like a
// symbol that has no raw root, is data the lake does not hold: lake::LakeError (the client gets 1008).
std::vector<source::RawFile> RawFiles(const std::filesystem::path& lake_root, lake::ProductType product,
                                      std::string_view schema, const SourceRequest& request) {
  try {
    return source::FindRawFiles(lake_root, product, source::RawRootOf(product, request.symbol), schema, request.dt);
  } catch (const std::runtime_error& e) {
    throw lake::LakeError(e.what(), ErrorKind::kData);
  } catch (const std::invalid_argument& e) {
    throw lake::LakeError(e.what(), ErrorKind::kData);
  }
}

// Why the options surface stays empty (no complete options bronze partition, or no raw option files), or null.
std::shared_ptr<const std::string> OptionsMissing(const lake::DatasetRegistry& registry,
                                                  const std::filesystem::path& lake_root,
                                                  const SourceRequest& request) {
  if (request.product != lake::ProductType::kFutureMbo) {
    return std::make_shared<const std::string>(
        "compute runs the equity engine only (equity options come from CMBP-1, which the stream's compute source "
        "does not drive yet); use source=replay for the options surface");
  }
  try {
    if (request.raw) {
      for (const char* schema : {"definition", "mbo"}) {
        RawFiles(lake_root, lake::ProductType::kFutureOptionMbo, schema, request);
      }
    } else {
      lake::InputRefFor(registry, lake_root, kFutureOptions, {request.symbol, request.dt});
    }
    return nullptr;
  } catch (const lake::LakeError& e) {
    if (request.raw) {
      return std::make_shared<const std::string>(fmt::format(
          "{}; the options surface needs the day's raw future_option_mbo definition and mbo files", e.what()));
    }
    return std::make_shared<const std::string>(
        fmt::format("{}; run: spymaster run --product-type future_option_mbo --layer bronze --symbol ES --dt {}",
                    e.what(), request.dt));
  }
}

// What identifies raw day files without reading them: path, size and modification time.
std::string RawIdentity(const std::vector<source::RawFile>& files) {
  std::string out;
  for (const source::RawFile& f : files) {
    out += fmt::format(" {}:{}:{}", f.path.string(), f.bytes,
                       std::filesystem::last_write_time(f.path).time_since_epoch().count());
  }
  return out;
}

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

engine::EngineOptions Options(const SourceRequest& request) {
  engine::EngineOptions o;
  o.session_start_ns = request.session_start_ns;
  o.session_end_ns = request.session_end_ns;
  return o;
}

class ComputeSource final : public WindowSource {
 public:
  ComputeSource(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                const SourceRequest& request) {
    identity_ = ComputeSourceIdentity(registry, lake_root, request);
    const engine::ProductConfig config =
        request.product == lake::ProductType::kEquityMbo ? engine::EquityMboConfig() : engine::FutureMboConfig();
    options_missing_ = OptionsMissing(registry, lake_root, request);
    auto on_window = [this](const engine::WindowPtr& w) {
      closed_.push_back(w);
      closed_at_.push_back(SteadyNowNs());
    };
    std::vector<engine::OptionInstrument> instruments =
        request.raw ? OpenRaw(registry, lake_root, request) : OpenBronze(registry, lake_root, request);
    if (options_missing_) {
      engine_.emplace<engine::Engine>(config, Options(request), on_window);
      return;
    }
    engine_.emplace<engine::OptionEngine>(
        engine::FutureMboConfig(), engine::EsOptionGrid(), Options(request), std::move(instruments),
        [this](const engine::OptionWindowPtr& w) { option_closed_.push_back(w); }, on_window,
        /*underlying_gold=*/true);
  }

  StreamWindowPtr Next() override {
    // Option window k closes after underlying window k: wait for it (or the end of input).
    const bool with_options = !options_missing_;
    auto ready = [&] {
      if (closed_.empty()) return false;
      if (!with_options) return true;
      const int64_t start = closed_.front()->snapshot.window_start_ts_ns;
      return !option_closed_.empty() && option_closed_.back()->window_start_ts_ns >= start;
    };
    while (!ready() && !done_) {
      done_ = !std::visit(
          [&](auto& e) {
            if constexpr (std::is_same_v<std::decay_t<decltype(e)>, std::monostate>) {
              return false;
            } else {
              return feeder_.Feed(*records_, e, ready);
            }
          },
          engine_);
    }
    if (closed_.empty()) return nullptr;
    auto out = std::make_shared<StreamWindow>();
    out->window = std::move(closed_.front());
    closed_.pop_front();
    out->options_missing = options_missing_;
    // The stream window is complete when its option window has closed too.
    out->closed_ns = with_options ? SteadyNowNs() : closed_at_.front();
    closed_at_.pop_front();
    const int64_t start = out->window->snapshot.window_start_ts_ns;
    while (!option_closed_.empty() && option_closed_.front()->window_start_ts_ns < start) option_closed_.pop_front();
    if (!option_closed_.empty() && option_closed_.front()->window_start_ts_ns == start) {
      AddOptionSurface(*option_closed_.front(), *out);
      option_closed_.pop_front();
    }
    return out;
  }
  const std::string& identity() const override { return identity_; }

 private:
  // Opens records_ from bronze; returns the option instruments (none without options).
  std::vector<engine::OptionInstrument> OpenBronze(const lake::DatasetRegistry& registry,
                                                   const std::filesystem::path& lake_root,
                                                   const SourceRequest& request) {
    const lake::PartitionKey part{request.symbol, request.dt};
    auto under = std::make_unique<source::BronzeMboSource>(registry, lake_root, Underlying(request), part);
    if (options_missing_) {
      records_ = std::move(under);
      return {};
    }
    records_ = std::make_unique<engine::MergeSource>(
        std::move(under), std::make_unique<source::BronzeMboSource>(registry, lake_root, kFutureOptions, part));
    return source::ReadOptionInstruments(registry, lake_root, kFutureOptions, part);
  }

  // Opens records_ from the raw day files as `run --source raw` does; returns the option instruments.
  std::vector<engine::OptionInstrument> OpenRaw(const lake::DatasetRegistry& registry,
                                                const std::filesystem::path& lake_root, const SourceRequest& request) {
    source::RecordRequest raw{.registry = registry,
                              .lake_root = lake_root,
                              .origin = source::RecordOrigin::kRaw,
                              .product_type = request.product,
                              .symbol = request.symbol,
                              .dt = request.dt};
    if (options_missing_) {
      records_ = source::OpenMboRecords(raw, nullptr);
      return {};
    }
    raw.product_type = lake::ProductType::kFutureOptionMbo;
    source::OptionRecords opened = source::OpenOptionRecords(raw, nullptr);
    definitions_ = std::move(opened.definitions);
    records_ = std::move(opened.records);
    return std::move(opened.instruments);
  }

  std::unique_ptr<source::OptionDefinitions> definitions_;  // raw options: what records_ route into
  std::unique_ptr<engine::RecordSource> records_;
  std::deque<engine::WindowPtr> closed_;
  std::deque<engine::OptionWindowPtr> option_closed_;
  std::variant<std::monostate, engine::Engine, engine::OptionEngine> engine_;
  engine::Feeder feeder_;
  bool done_ = false;
  std::deque<int64_t> closed_at_;  // steady ns at which each window of closed_ closed
  std::shared_ptr<const std::string> options_missing_;
  std::string identity_;
};

}  // namespace

std::string ComputeSourceIdentity(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                  const SourceRequest& request) {
  const bool options = !OptionsMissing(registry, lake_root, request);
  if (request.raw) {
    std::string option_files = " none";
    if (options) {
      option_files = RawIdentity(RawFiles(lake_root, lake::ProductType::kFutureOptionMbo, "definition", request)) +
                     RawIdentity(RawFiles(lake_root, lake::ProductType::kFutureOptionMbo, "mbo", request));
    }
    return fmt::format("raw {} {}{} options{} {}..{}", request.symbol, request.dt,
                       RawIdentity(RawFiles(lake_root, request.product, "mbo", request)), option_files,
                       request.session_start_ns, request.session_end_ns);
  }
  const lake::PartitionKey part{request.symbol, request.dt};
  std::string options_manifest = "none";
  if (options) options_manifest = lake::InputRefFor(registry, lake_root, kFutureOptions, part).manifest_sha256;
  return fmt::format("compute {} {} {} {} {}..{}", request.symbol, request.dt,
                     lake::InputRefFor(registry, lake_root, Underlying(request), part).manifest_sha256,
                     options_manifest, request.session_start_ns, request.session_end_ns);
}

std::unique_ptr<WindowSource> OpenComputeSource(const lake::DatasetRegistry& registry,
                                                const std::filesystem::path& lake_root, const SourceRequest& request) {
  return std::make_unique<ComputeSource>(registry, lake_root, request);
}

}  // namespace spymaster::serve
