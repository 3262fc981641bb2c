// The dataset registry: config/datasets.yaml plus one Avro .avsc contract per dataset. A contract fixes
// column names, order and types; every lake write is checked against it. The binary carries a copy of
// both (lake/embedded_config.hpp); $SPYMASTER_CONFIG points it at other files.
//
// datasets.yaml:
//   contract_root: ..                # relative to the yaml file; contract paths are relative to it
//   datasets:
//     bronze.future_mbo.mbo:
//       layer: bronze
//       path: bronze/source=databento/product_type=future_mbo/symbol={symbol}/table=mbo
//       format: parquet
//       partition_keys: [symbol, dt]
//       contract: contracts/bronze/future_mbo/mbo.avsc
#pragma once

#include <arrow/type_fwd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "lake/product_type.hpp"

namespace spymaster::lake {

// Avro primitive types used by our contracts, with their Arrow equivalents:
// long → int64, int → int32, double → float64, boolean → bool, string → utf8. A union ["null", T] is a
// nullable column of T (the forecast's wall distances, null when there is no wall).
enum class ColumnType { kLong, kInt, kDouble, kBoolean, kString };

std::string_view ToString(ColumnType type);

struct Column {
  std::string name;
  ColumnType type;
  bool nullable = false;
};

struct Contract {
  std::string name;             // Avro record name, e.g. "MboEvent"
  std::string relative_path;    // as written in datasets.yaml, e.g. contracts/bronze/...
  std::string source;           // where it was read: a file path, or "embedded:<relative_path>"
  std::string sha256;           // hex digest of the file bytes
  std::vector<Column> columns;  // in contract order

  // Arrow fields in contract order, nullable only where the contract says ["null", T].
  std::shared_ptr<arrow::Schema> ArrowSchema() const;
};

struct DatasetSpec {
  std::string key;  // e.g. "silver.future_mbo.book_snapshot_1s"
  Layer layer;
  std::string path_template;                // relative to the lake root, may contain {symbol}
  std::string format;                       // "parquet"
  std::vector<std::string> partition_keys;  // [symbol, dt], or [] for a single file
  Contract contract;
};

class DatasetRegistry {
 public:
  // $SPYMASTER_CONFIG when set (see ConfigOverride), else the copy compiled into the binary.
  static DatasetRegistry LoadDefault();
  // The datasets.yaml and contracts compiled into the binary.
  static DatasetRegistry LoadEmbedded();
  // Parses datasets.yaml and every contract it names; throws RegistryError naming file and key.
  static DatasetRegistry Load(const std::filesystem::path& datasets_yaml);

  // Throws RegistryError("unknown dataset key ...").
  const DatasetSpec& Get(std::string_view key) const;
  bool Contains(std::string_view key) const;
  const std::map<std::string, DatasetSpec, std::less<>>& datasets() const { return datasets_; }

 private:
  explicit DatasetRegistry(std::map<std::string, DatasetSpec, std::less<>> datasets) : datasets_(std::move(datasets)) {}

  std::map<std::string, DatasetSpec, std::less<>> datasets_;
};

// A datasets.yaml or contract that is malformed (data) or cannot be read (I/O).
class RegistryError : public Error {
 public:
  explicit RegistryError(const std::string& what, ErrorKind kind = ErrorKind::kData) : Error{kind, what} {}
};

// $SPYMASTER_CONFIG when set and not empty: a datasets.yaml file, or a directory holding
// config/datasets.yaml (and the contracts its contract_root leads to).
std::optional<std::filesystem::path> ConfigOverride();

}  // namespace spymaster::lake
