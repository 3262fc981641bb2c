#include "pipeline/option_records.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "common/calendar.hpp"
#include "engine/merge_source.hpp"
#include "pipeline/raw_input.hpp"
#include "source/bronze_cmbp1_source.hpp"
#include "source/bronze_mbo_source.hpp"
#include "source/bronze_option_instruments.hpp"
#include "source/prefetch_source.hpp"
#include "source/raw_cmbp1_source.hpp"
#include "source/raw_mbo_source.hpp"

namespace spymaster::pipeline {

const OptionProduct& OptionProductOf(ProductType product_type) {
  switch (product_type) {
    case ProductType::kFutureOptionMbo:
      return kEsOptions;
    case ProductType::kEquityOptionMbo:
      return kEquityOptions;
    default:
      throw std::invalid_argument(
          fmt::format("{} has no option engine (future_option_mbo, equity_option_mbo)", lake::ToString(product_type)));
  }
}

OptionRecords OpenOptionRecords(const StageContext& ctx, const Task& task, std::vector<lake::InputRef>* inputs) {
  const OptionProduct& product = OptionProductOf(task.product_type);
  const bool quotes = task.product_type == ProductType::kEquityOptionMbo;
  const std::string bronze_key(product.bronze_key);
  const std::string under_key(product.underlying_key);
  const lake::PartitionKey part{task.symbol, task.dt};
  const auto& reg = ctx.registry;
  OptionRecords out;
  std::unique_ptr<engine::RecordSource> under_records;
  std::unique_ptr<engine::RecordSource> option_records;
  if (ctx.origin == RecordOrigin::kBronze) {
    if (inputs != nullptr) {
      inputs->push_back(lake::InputRefFor(reg, ctx.lake_root, under_key, part));
      inputs->push_back(lake::InputRefFor(reg, ctx.lake_root, bronze_key, part));
    }
    out.instruments = source::ReadOptionInstruments(reg, ctx.lake_root, bronze_key, part);
    under_records = std::make_unique<source::BronzeMboSource>(reg, ctx.lake_root, under_key, part);
    if (quotes) {
      option_records = std::make_unique<source::BronzeCmbp1Source>(reg, ctx.lake_root, bronze_key, part);
    } else {
      option_records = std::make_unique<source::BronzeMboSource>(reg, ctx.lake_root, bronze_key, part);
    }
  } else {
    // The raw day files through bronze's normalization: the underlying's records from its MBO file, the
    // 0DTE options on it from the options' MBO or CMBP-1 file and the definitions (loaded as bronze does).
    const std::string root = RawRootOf(task.product_type, task.symbol);
    const uint32_t yyyymmdd = common::ToYyyymmdd(common::ParseDate(task.dt));
    const auto def_files = FindRawFiles(ctx.lake_root, task.product_type, root, "definition", task.dt, ctx.raw_jobs);
    out.definitions = std::make_unique<source::OptionDefinitions>(
        source::LoadZeroDteOptions(Paths(def_files), task.dt, quotes ? std::string_view(root) : ""));
    for (const auto& [id, meta] : out.definitions->zero_dte) {
      if (meta.underlying == task.symbol) out.instruments.push_back({id, meta.right, meta.strike, meta.tick});
    }
    source::RawMboOptions under;
    const auto under_files = FindRawFiles(ctx.lake_root, product.underlying_type, root, "mbo", task.dt, ctx.raw_jobs);
    under.files = Paths(under_files);
    under.yyyymmdd = yyyymmdd;
    under.rules.drop_spreads = product.underlying_drop_spreads;
    under.partition = task.symbol;
    const auto opt_files =
        FindRawFiles(ctx.lake_root, task.product_type, root, product.raw_schema, task.dt, ctx.raw_jobs);
    if (inputs != nullptr) {
      for (const auto& f : under_files) inputs->push_back(RawInputRef(ctx.lake_root, f, "mbo", task.dt));
      for (const auto& f : def_files) inputs->push_back(RawInputRef(ctx.lake_root, f, "definition", task.dt));
      for (const auto& f : opt_files) inputs->push_back(RawInputRef(ctx.lake_root, f, product.raw_schema, task.dt));
    }
    under_records = std::make_unique<source::RawMboSource>(std::move(under));
    if (quotes) {
      option_records = std::make_unique<source::RawCmbp1Source>(
          source::RawCmbp1Options{Paths(opt_files), out.definitions.get(), task.symbol});
    } else {
      source::RawMboOptions opts;
      opts.files = Paths(opt_files);
      opts.yyyymmdd = yyyymmdd;
      opts.rules.options = out.definitions.get();
      opts.partition = task.symbol;
      option_records = std::make_unique<source::RawMboSource>(std::move(opts));
    }
  }
  out.records = std::make_unique<engine::MergeSource>(
      std::move(under_records), std::make_unique<source::PrefetchSource>(std::move(option_records)));
  return out;
}

}  // namespace spymaster::pipeline
