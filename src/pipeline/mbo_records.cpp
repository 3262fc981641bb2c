#include "pipeline/mbo_records.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "common/calendar.hpp"
#include "pipeline/raw_input.hpp"
#include "source/bronze_mbo_source.hpp"
#include "source/prefetch_source.hpp"
#include "source/raw_mbo_source.hpp"

namespace spymaster::pipeline {

std::unique_ptr<engine::RecordSource> OpenMboRecords(const StageContext& ctx, const Task& task,
                                                     std::vector<lake::InputRef>* inputs) {
  const std::string bronze_key = fmt::format("bronze.{}.mbo", lake::ToString(task.product_type));
  const lake::PartitionKey part{task.symbol, task.dt};
  std::unique_ptr<engine::RecordSource> records;
  if (ctx.origin == RecordOrigin::kBronze) {
    if (inputs != nullptr) inputs->push_back(lake::InputRefFor(ctx.registry, ctx.lake_root, bronze_key, part));
    records = std::make_unique<source::BronzeMboSource>(ctx.registry, ctx.lake_root, bronze_key, part);
  } else {
    source::RawMboOptions raw;
    const auto files = FindRawFiles(ctx.lake_root, task.product_type, RawRootOf(task.product_type, task.symbol), "mbo",
                                    task.dt, ctx.raw_jobs);
    raw.files = Paths(files);
    if (inputs != nullptr) {
      for (const auto& f : files) inputs->push_back(RawInputRef(ctx.lake_root, f, "mbo", task.dt));
    }
    raw.yyyymmdd = common::ToYyyymmdd(common::ParseDate(task.dt));
    raw.rules.drop_spreads = task.product_type == ProductType::kFutureMbo;
    raw.partition = task.symbol;
    records = std::make_unique<source::RawMboSource>(std::move(raw));
  }
  // Decoding runs a few batches ahead on a second thread while the engine works through the last one.
  return std::make_unique<source::PrefetchSource>(std::move(records));
}

engine::ProductConfig MboProductConfig(ProductType product_type) {
  switch (product_type) {
    case ProductType::kFutureMbo:
      return engine::FutureMboConfig();
    case ProductType::kEquityMbo:
      return engine::EquityMboConfig();
    default:
      throw std::invalid_argument(
          fmt::format("{} has no MBO engine (future_mbo, equity_mbo)", lake::ToString(product_type)));
  }
}

}  // namespace spymaster::pipeline
