#include "source/mbo_records.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "common/calendar.hpp"
#include "source/bronze_mbo_source.hpp"
#include "source/prefetch_source.hpp"
#include "source/raw_input.hpp"
#include "source/raw_mbo_source.hpp"

namespace spymaster::source {

std::unique_ptr<engine::RecordSource> OpenMboRecords(const RecordRequest& request,
                                                     std::vector<lake::InputRef>* inputs) {
  const std::string bronze_key = fmt::format("bronze.{}.mbo", lake::ToString(request.product_type));
  const lake::PartitionKey part{request.symbol, request.dt};
  std::unique_ptr<engine::RecordSource> records;
  if (request.origin == RecordOrigin::kBronze) {
    if (inputs != nullptr) inputs->push_back(lake::InputRefFor(request.registry, request.lake_root, bronze_key, part));
    records = std::make_unique<BronzeMboSource>(request.registry, request.lake_root, bronze_key, part);
  } else {
    RawMboOptions raw;
    const auto files =
        FindRawFiles(request.lake_root, request.product_type, RawRootOf(request.product_type, request.symbol), "mbo",
                     request.dt, request.raw_jobs);
    raw.files = Paths(files);
    if (inputs != nullptr) {
      for (const auto& f : files) inputs->push_back(RawInputRef(request.lake_root, f, "mbo", request.dt));
    }
    raw.yyyymmdd = common::ToYyyymmdd(common::ParseDate(request.dt));
    raw.rules.drop_spreads = request.product_type == lake::ProductType::kFutureMbo;
    raw.partition = request.symbol;
    records = std::make_unique<RawMboSource>(std::move(raw));
  }
  // Decoding runs a few batches ahead on a second thread while the engine works through the last one.
  return std::make_unique<PrefetchSource>(std::move(records));
}

engine::ProductConfig MboProductConfig(lake::ProductType product_type) {
  switch (product_type) {
    case lake::ProductType::kFutureMbo:
      return engine::FutureMboConfig();
    case lake::ProductType::kEquityMbo:
      return engine::EquityMboConfig();
    default:
      throw std::invalid_argument(
          fmt::format("{} has no MBO engine (future_mbo, equity_mbo)", lake::ToString(product_type)));
  }
}

}  // namespace spymaster::source
