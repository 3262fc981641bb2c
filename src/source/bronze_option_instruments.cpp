#include "source/bronze_option_instruments.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

#include <map>

#include "common/arrow_status.hpp"
#include "common/error.hpp"
#include "lake/partition.hpp"

namespace spymaster::source {

std::vector<engine::OptionInstrument> ReadOptionInstruments(const lake::DatasetRegistry& registry,
                                                            const std::filesystem::path& lake_root,
                                                            const std::string& key, const lake::PartitionKey& part) {
  const auto table = lake::ReadPartitionColumns(registry, lake_root, key, part, {"instrument_id", "right", "strike"});
  const std::string where = fmt::format("{} symbol={} dt={}", key, part.symbol, part.dt);
  std::map<uint32_t, engine::OptionInstrument> by_id;
  arrow::TableBatchReader reader(*table);
  std::shared_ptr<arrow::RecordBatch> batch;
  for (;;) {
    CheckOk(reader.ReadNext(&batch), [&] { return where; });
    if (!batch) break;
    const auto* ids = dynamic_cast<const arrow::Int64Array*>(batch->column(0).get());
    const auto* rights = dynamic_cast<const arrow::StringArray*>(batch->column(1).get());
    const auto* strikes = dynamic_cast<const arrow::Int64Array*>(batch->column(2).get());
    if (ids == nullptr || rights == nullptr || strikes == nullptr) {
      throw Error(ErrorKind::kData, fmt::format("{}: instrument_id/right/strike columns mistyped", where));
    }
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      const int64_t id = ids->Value(i);
      const std::string_view right = rights->GetView(i);
      if (id <= 0 || id > 0xFFFFFFFFll || right.size() != 1 || (right[0] != 'C' && right[0] != 'P')) {
        throw Error(ErrorKind::kData,
                    fmt::format("{}: row with instrument_id {} has right '{}' (C or P expected)", where, id, right));
      }
      const engine::OptionInstrument m{static_cast<uint32_t>(id), right[0], strikes->Value(i)};
      auto [it, fresh] = by_id.emplace(m.instrument_id, m);
      if (!fresh && (it->second.right != m.right || it->second.strike != m.strike)) {
        throw Error(ErrorKind::kData, fmt::format("{}: instrument_id {} has two definitions ({} {} and {} {})", where,
                                                  id, it->second.right, it->second.strike, m.right, m.strike));
      }
    }
  }
  std::vector<engine::OptionInstrument> out;
  out.reserve(by_id.size());
  for (const auto& [id, m] : by_id) out.push_back(m);
  return out;
}

}  // namespace spymaster::source
