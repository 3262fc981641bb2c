// Compute: the engine driven from bronze (or, with request.raw, from the raw DBN day files through
// bronze's normalization) through engine::Feeder, one window at a time, on the calling thread (the server's
// pool; no thread per client). The records are opened by source::OpenMboRecords / OpenOptionRecords, as
// `run` opens them, so their decoding runs a few batches ahead on a second thread per engine run. With the
// underlying's 0DTE options (ES: bronze.future_option_mbo.mbo or the raw definition and MBO files; SPY,
// QQQ: bronze.equity_option_mbo.cmbp_1 or the raw definition and CMBP-1 files), the option engine the
// option silver/gold stage runs (OptionEngine, QuoteOptionEngine) takes the underlying and its options
// merged by ts_event, and each underlying window goes out with its option window's gold summed per
// strike (the replay's aggregation); without them, the underlying engine alone.
#include <fmt/format.h>

#include <chrono>
#include <deque>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.hpp"
#include "dbn/decode_error.hpp"
#include "engine/engine.hpp"
#include "engine/option_engine.hpp"
#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "serve/option_surface.hpp"
#include "serve/stream_product.hpp"
#include "serve/window_source.hpp"
#include "source/mbo_records.hpp"
#include "source/option_definitions.hpp"
#include "source/option_records.hpp"
#include "source/raw_input.hpp"
#include "source/record_request.hpp"

namespace spymaster::serve {
namespace {

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

// What identifies raw day files without reading them: path, size and modification time.
std::string RawIdentity(const std::vector<source::RawFile>& files) {
  std::string out;
  for (const source::RawFile& f : files) {
    out += fmt::format(" {}:{}:{}", f.path.string(), f.bytes,
                       std::filesystem::last_write_time(f.path).time_since_epoch().count());
  }
  return out;
}

// What identifies the options' input (raw: their definition and record files; bronze: the partition's
// manifest). Throws lake::LakeError when the lake does not hold it.
std::string OptionInputIdentity(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                const SourceRequest& request) {
  const lake::ProductType options = OptionProduct(request.product);
  if (request.raw) {
    return RawIdentity(RawFiles(lake_root, options, "definition", request)) +
           RawIdentity(RawFiles(lake_root, options, OptionRawSchema(options), request));
  }
  const lake::InputRef ref = lake::InputRefFor(
      registry, lake_root, DatasetKey("bronze", options, OptionBronzeTable(options)), {request.symbol, request.dt});
  return fmt::format(" {}", ref.manifest_sha256);
}

// Why the options surface stays empty, after `error` said which input is missing: how to get it.
std::string OptionsMissingNote(const lake::LakeError& error, const SourceRequest& request) {
  const lake::ProductType options = OptionProduct(request.product);
  if (request.raw) {
    return fmt::format("{}; the options surface needs the day's raw {} definition and {} files", error.what(),
                       lake::ToString(options), OptionRawSchema(options));
  }
  return fmt::format("{}; run: spymaster run --product-type {} --layer bronze --symbol {} --dt {}", error.what(),
                     lake::ToString(options), source::RawRootOf(options, request.symbol), request.dt);
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
                const SourceRequest& request, ComputeInputs inputs)
      : options_missing_(std::move(inputs.options_missing)), identity_(std::move(inputs.identity)) {
    auto on_window = [this](const engine::WindowPtr& w) {
      closed_.push_back(w);
      closed_at_.push_back(SteadyNowNs());
    };
    source::RecordRequest records{.registry = registry,
                                  .lake_root = lake_root,
                                  .origin = request.raw ? source::RecordOrigin::kRaw : source::RecordOrigin::kBronze,
                                  .product_type = request.product,
                                  .symbol = request.symbol,
                                  .dt = request.dt};
    if (options_missing_) {
      records_ = source::OpenMboRecords(records, nullptr);
      engine_.emplace<engine::Engine>(source::MboProductConfig(request.product), Options(request), on_window);
      return;
    }
    records.product_type = OptionProduct(request.product);
    source::OptionRecords opened = source::OpenOptionRecords(records, nullptr);
    definitions_ = std::move(opened.definitions);
    records_ = std::move(opened.records);
    auto on_option_window = [this](const engine::OptionWindowPtr& w) { option_closed_.push_back(w); };
    // The underlying's configuration and strike grid of the option silver/gold stage (pipeline/option_stages.hpp).
    if (request.product == lake::ProductType::kEquityMbo) {
      engine_.emplace<engine::QuoteOptionEngine>(engine::EquityMboConfig(), engine::EquityOptionGrid(),
                                                 Options(request), std::move(opened.instruments), on_option_window,
                                                 on_window, /*underlying_gold=*/true);
    } else {
      engine_.emplace<engine::OptionEngine>(engine::FutureMboConfig(), engine::EsOptionGrid(), Options(request),
                                            std::move(opened.instruments), on_option_window, on_window,
                                            /*underlying_gold=*/true);
    }
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
    try {
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
    } catch (const dbn::DecodeError& e) {  // names the file and offset; say what to do about it
      throw Error(e.kind(), fmt::format("{}; the raw day file is damaged or cut short: download it again "
                                        "(spymaster download) or stream source=compute from bronze",
                                        e.what()));
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
  std::unique_ptr<source::OptionDefinitions> definitions_;  // raw options: what records_ route into
  std::unique_ptr<engine::RecordSource> records_;
  std::deque<engine::WindowPtr> closed_;
  std::deque<engine::OptionWindowPtr> option_closed_;
  std::variant<std::monostate, engine::Engine, engine::OptionEngine, engine::QuoteOptionEngine> engine_;
  engine::Feeder feeder_;
  bool done_ = false;
  std::deque<int64_t> closed_at_;  // steady ns at which each window of closed_ closed
  std::shared_ptr<const std::string> options_missing_;
  std::string identity_;
};

}  // namespace

ComputeInputs ResolveComputeInputs(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                                   const SourceRequest& request) {
  ComputeInputs in;
  std::string options = " none";
  try {
    options = OptionInputIdentity(registry, lake_root, request);
  } catch (const lake::LakeError& e) {
    in.options_missing = std::make_shared<const std::string>(OptionsMissingNote(e, request));
  }
  if (request.raw) {
    in.identity = fmt::format("raw {} {}{} options{} {}..{}", request.symbol, request.dt,
                              RawIdentity(RawFiles(lake_root, request.product, "mbo", request)), options,
                              request.session_start_ns, request.session_end_ns);
  } else {
    in.identity = fmt::format("compute {} {} {}{} {}..{}", request.symbol, request.dt,
                              lake::InputRefFor(registry, lake_root, DatasetKey("bronze", request.product, "mbo"),
                                                {request.symbol, request.dt})
                                  .manifest_sha256,
                              options, request.session_start_ns, request.session_end_ns);
  }
  return in;
}

std::unique_ptr<WindowSource> OpenComputeSource(const lake::DatasetRegistry& registry,
                                                const std::filesystem::path& lake_root, const SourceRequest& request,
                                                ComputeInputs inputs) {
  return std::make_unique<ComputeSource>(registry, lake_root, request, std::move(inputs));
}

}  // namespace spymaster::serve
