#include "source/option_records.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "common/calendar.hpp"
#include "engine/merge_source.hpp"
#include "source/bronze_cmbp1_source.hpp"
#include "source/bronze_mbo_source.hpp"
#include "source/bronze_option_instruments.hpp"
#include "source/prefetch_source.hpp"
#include "source/raw_cmbp1_source.hpp"
#include "source/raw_input.hpp"
#include "source/raw_mbo_source.hpp"

namespace spymaster::source {
namespace {

// What an option product reads: its bronze partition and its underlying's, and with `--source raw` the
// underlying's raw product and its bronze routing rule, and the options' raw schema.
struct OptionInputs {
  std::string_view bronze_key;
  std::string_view underlying_key;
  lake::ProductType underlying_type;
  bool underlying_drop_spreads;
  std::string_view raw_schema;
};

constexpr OptionInputs kEsOptionInputs{"bronze.future_option_mbo.mbo", "bronze.future_mbo.mbo",
                                       lake::ProductType::kFutureMbo, true, "mbo"};
constexpr OptionInputs kEquityOptionInputs{"bronze.equity_option_mbo.cmbp_1", "bronze.equity_mbo.mbo",
                                           lake::ProductType::kEquityMbo, false, "cmbp-1"};

// Throws std::invalid_argument for the MBO products.
const OptionInputs& OptionInputsOf(lake::ProductType product_type) {
  switch (product_type) {
    case lake::ProductType::kFutureOptionMbo:
      return kEsOptionInputs;
    case lake::ProductType::kEquityOptionMbo:
      return kEquityOptionInputs;
    default:
      throw std::invalid_argument(
          fmt::format("{} has no option engine (future_option_mbo, equity_option_mbo)", lake::ToString(product_type)));
  }
}

}  // namespace

OptionRecords OpenOptionRecords(const RecordRequest& request, std::vector<lake::InputRef>* inputs) {
  const OptionInputs& product = OptionInputsOf(request.product_type);
  const bool quotes = request.product_type == lake::ProductType::kEquityOptionMbo;
  const std::string bronze_key(product.bronze_key);
  const std::string under_key(product.underlying_key);
  const lake::PartitionKey part{request.symbol, request.dt};
  const lake::DatasetRegistry& reg = request.registry;
  OptionRecords out;
  std::unique_ptr<engine::RecordSource> under_records;
  std::unique_ptr<engine::RecordSource> option_records;
  if (request.origin == RecordOrigin::kBronze) {
    if (inputs != nullptr) {
      inputs->push_back(lake::InputRefFor(reg, request.lake_root, under_key, part));
      inputs->push_back(lake::InputRefFor(reg, request.lake_root, bronze_key, part));
    }
    out.instruments = ReadOptionInstruments(reg, request.lake_root, bronze_key, part);
    under_records = std::make_unique<BronzeMboSource>(reg, request.lake_root, under_key, part);
    if (quotes) {
      option_records = std::make_unique<BronzeCmbp1Source>(reg, request.lake_root, bronze_key, part);
    } else {
      option_records = std::make_unique<BronzeMboSource>(reg, request.lake_root, bronze_key, part);
    }
  } else {
    // The raw day files through bronze's normalization: the underlying's records from its MBO file, the
    // 0DTE options on it from the options' MBO or CMBP-1 file and the definitions (loaded as bronze does).
    const std::string root = RawRootOf(request.product_type, request.symbol);
    const uint32_t yyyymmdd = common::ToYyyymmdd(common::ParseDate(request.dt));
    const auto def_files =
        FindRawFiles(request.lake_root, request.product_type, root, "definition", request.dt, request.raw_jobs);
    out.definitions = std::make_unique<OptionDefinitions>(
        LoadZeroDteOptions(Paths(def_files), request.dt, quotes ? std::string_view(root) : ""));
    for (const auto& [id, meta] : out.definitions->zero_dte) {
      if (meta.underlying == request.symbol) out.instruments.push_back({id, meta.right, meta.strike, meta.tick});
    }
    RawMboOptions under;
    const auto under_files =
        FindRawFiles(request.lake_root, product.underlying_type, root, "mbo", request.dt, request.raw_jobs);
    under.files = Paths(under_files);
    under.yyyymmdd = yyyymmdd;
    under.rules.drop_spreads = product.underlying_drop_spreads;
    under.partition = request.symbol;
    const auto opt_files =
        FindRawFiles(request.lake_root, request.product_type, root, product.raw_schema, request.dt, request.raw_jobs);
    if (inputs != nullptr) {
      for (const auto& f : under_files) inputs->push_back(RawInputRef(request.lake_root, f, "mbo", request.dt));
      for (const auto& f : def_files) inputs->push_back(RawInputRef(request.lake_root, f, "definition", request.dt));
      for (const auto& f : opt_files)
        inputs->push_back(RawInputRef(request.lake_root, f, product.raw_schema, request.dt));
    }
    under_records = std::make_unique<RawMboSource>(std::move(under));
    if (quotes) {
      option_records =
          std::make_unique<RawCmbp1Source>(RawCmbp1Options{Paths(opt_files), out.definitions.get(), request.symbol});
    } else {
      RawMboOptions opts;
      opts.files = Paths(opt_files);
      opts.yyyymmdd = yyyymmdd;
      opts.rules.options = out.definitions.get();
      opts.partition = request.symbol;
      option_records = std::make_unique<RawMboSource>(std::move(opts));
    }
  }
  out.records = std::make_unique<engine::MergeSource>(std::move(under_records),
                                                      std::make_unique<PrefetchSource>(std::move(option_records)));
  return out;
}

}  // namespace spymaster::source
