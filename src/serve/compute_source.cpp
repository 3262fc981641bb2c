// Compute: the engine driven from the bronze partition through engine::Feeder, one window at a time, on
// the calling thread (the server's pool; no thread per client).
#include <fmt/format.h>

#include <deque>

#include "engine/engine.hpp"
#include "engine/record_source.hpp"
#include "lake/partition.hpp"
#include "serve/window_source.hpp"
#include "source/bronze_mbo_source.hpp"

namespace spymaster::serve {
namespace {

class ComputeSource final : public WindowSource {
 public:
  ComputeSource(const lake::DatasetRegistry& registry, const std::filesystem::path& lake_root,
                const SourceRequest& request)
      : records_(registry, lake_root, "bronze.future_mbo.mbo", lake::PartitionKey{request.symbol, request.dt}),
        engine_(engine::FutureMboConfig(), Options(request),
                [this](const engine::WindowPtr& w) { closed_.push_back(w); }),
        identity_(fmt::format("compute {} {} {} {}..{}", request.symbol, request.dt,
                              lake::InputRefFor(registry, lake_root, "bronze.future_mbo.mbo",
                                                lake::PartitionKey{request.symbol, request.dt})
                                  .manifest_sha256,
                              request.session_start_ns, request.session_end_ns)) {}

  engine::WindowPtr Next() override {
    while (closed_.empty() && !done_) {
      done_ = !feeder_.Feed(records_, engine_, [this] { return !closed_.empty(); });
    }
    if (closed_.empty()) return nullptr;
    engine::WindowPtr w = std::move(closed_.front());
    closed_.pop_front();
    return w;
  }
  const std::string& identity() const override { return identity_; }

 private:
  static engine::EngineOptions Options(const SourceRequest& request) {
    engine::EngineOptions o;
    o.session_start_ns = request.session_start_ns;
    o.session_end_ns = request.session_end_ns;
    return o;
  }

  source::BronzeMboSource records_;
  std::deque<engine::WindowPtr> closed_;
  engine::Engine engine_;
  engine::Feeder feeder_;
  bool done_ = false;
  std::string identity_;
};

}  // namespace

std::unique_ptr<WindowSource> OpenComputeSource(const lake::DatasetRegistry& registry,
                                                const std::filesystem::path& lake_root, const SourceRequest& request) {
  return std::make_unique<ComputeSource>(registry, lake_root, request);
}

}  // namespace spymaster::serve
