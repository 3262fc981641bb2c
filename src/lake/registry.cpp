#include "lake/registry.hpp"

#include <arrow/api.h>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "common/sha256.hpp"
#include "lake/embedded_config.hpp"

namespace spymaster::lake {
namespace {

using DatasetMap = std::map<std::string, DatasetSpec, std::less<>>;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RegistryError(fmt::format("cannot open {}", path.string()), ErrorKind::kIo);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Where Load reads datasets.yaml and the contracts it names from, and how messages name those files.
struct ConfigFiles {
  std::function<std::string(const std::filesystem::path&)> read;
  std::function<std::string(const std::filesystem::path&)> name;
};

ConfigFiles OnDisk() {
  return {ReadFile, [](const std::filesystem::path& path) { return path.lexically_normal().string(); }};
}

ConfigFiles Embedded() {
  auto key = [](const std::filesystem::path& path) { return path.lexically_normal().generic_string(); };
  return {[key](const std::filesystem::path& path) {
            const std::string wanted = key(path);
            for (const EmbeddedFile& file : EmbeddedConfigFiles()) {
              if (file.path == wanted) return std::string(file.bytes);
            }
            throw RegistryError(
                fmt::format("no embedded file {} (contracts are embedded from contracts/ "
                            "at build time)",
                            wanted));
          },
          [key](const std::filesystem::path& path) { return "embedded:" + key(path); }};
}

ColumnType ParseColumnType(const nlohmann::json& type, const std::string& file, const std::string& column) {
  if (type.is_string()) {
    const auto& t = type.get_ref<const std::string&>();
    if (t == "long") return ColumnType::kLong;
    if (t == "int") return ColumnType::kInt;
    if (t == "double") return ColumnType::kDouble;
    if (t == "boolean") return ColumnType::kBoolean;
    if (t == "string") return ColumnType::kString;
  }
  throw RegistryError(fmt::format("{}: column '{}' has unsupported Avro type {}", file, column, type.dump()));
}

Contract LoadContract(const ConfigFiles& files, const std::filesystem::path& root, const std::string& relative) {
  Contract contract;
  contract.relative_path = relative;
  contract.source = files.name(root / relative);
  const std::string text = files.read(root / relative);
  contract.sha256 = common::Sha256Hex(text);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw RegistryError(fmt::format("{}: invalid JSON: {}", contract.source, e.what()));
  }
  if (doc.value("type", "") != "record" || !doc.contains("fields") || !doc["fields"].is_array()) {
    throw RegistryError(fmt::format("{}: not an Avro record with fields", contract.source));
  }
  contract.name = doc.value("name", "");
  for (const auto& field : doc["fields"]) {
    const std::string name = field.value("name", "");
    if (name.empty()) {
      throw RegistryError(fmt::format("{}: field without a name", contract.source));
    }
    for (const Column& c : contract.columns) {
      if (c.name == name) {
        throw RegistryError(fmt::format("{}: duplicate field '{}'", contract.source, name));
      }
    }
    const nlohmann::json& type = field["type"];
    if (type.is_array() && type.size() == 2 && type[0] == "null") {
      contract.columns.push_back({name, ParseColumnType(type[1], contract.source, name), true});
    } else {
      contract.columns.push_back({name, ParseColumnType(type, contract.source, name)});
    }
  }
  return contract;
}

std::shared_ptr<arrow::DataType> ArrowType(ColumnType type) {
  switch (type) {
    case ColumnType::kLong:
      return arrow::int64();
    case ColumnType::kInt:
      return arrow::int32();
    case ColumnType::kDouble:
      return arrow::float64();
    case ColumnType::kBoolean:
      return arrow::boolean();
    case ColumnType::kString:
      return arrow::utf8();
  }
  return arrow::null();
}

// A value of the wrong shape (a list where a string belongs) is a RegistryError naming the file too.
DatasetMap ParseDatasets(const ConfigFiles& files, const std::filesystem::path& datasets_yaml) try {
  const std::string yaml_name = files.name(datasets_yaml);
  YAML::Node doc;
  try {
    doc = YAML::Load(files.read(datasets_yaml));
  } catch (const YAML::Exception& e) {
    throw RegistryError(fmt::format("{}: {}", yaml_name, e.what()));
  }
  const std::filesystem::path root = datasets_yaml.parent_path() / doc["contract_root"].as<std::string>(".");
  if (!doc["datasets"] || !doc["datasets"].IsMap()) {
    throw RegistryError(fmt::format("{}: missing 'datasets' mapping", yaml_name));
  }
  DatasetMap datasets;
  for (const auto& entry : doc["datasets"]) {
    DatasetSpec spec;
    spec.key = entry.first.as<std::string>();
    const YAML::Node& node = entry.second;
    auto required = [&](const char* name) {
      if (!node[name]) {
        throw RegistryError(fmt::format("{}: dataset '{}' has no '{}'", yaml_name, spec.key, name));
      }
      return node[name];
    };
    const auto layer = ParseLayer(required("layer").as<std::string>());
    if (!layer) {
      throw RegistryError(fmt::format("{}: dataset '{}' has an unknown layer", yaml_name, spec.key));
    }
    spec.layer = *layer;
    spec.path_template = required("path").as<std::string>();
    spec.format = required("format").as<std::string>();
    if (spec.format != "parquet") {
      throw RegistryError(
          fmt::format("{}: dataset '{}' has unsupported format '{}'", yaml_name, spec.key, spec.format));
    }
    spec.partition_keys = required("partition_keys").as<std::vector<std::string>>();
    spec.contract = LoadContract(files, root, required("contract").as<std::string>());
    datasets.emplace(spec.key, std::move(spec));
  }
  return datasets;
} catch (const YAML::Exception& e) {
  throw RegistryError(fmt::format("{}: {}", files.name(datasets_yaml), e.what()));
}

}  // namespace

std::string_view ToString(ColumnType type) {
  switch (type) {
    case ColumnType::kLong:
      return "long";
    case ColumnType::kInt:
      return "int";
    case ColumnType::kDouble:
      return "double";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kString:
      return "string";
  }
  return "?";
}

std::shared_ptr<arrow::Schema> Contract::ArrowSchema() const {
  arrow::FieldVector fields;
  fields.reserve(columns.size());
  for (const Column& c : columns) fields.push_back(arrow::field(c.name, ArrowType(c.type), c.nullable));
  return arrow::schema(std::move(fields));
}

const DatasetSpec& DatasetRegistry::Get(std::string_view key) const {
  auto it = datasets_.find(key);
  if (it == datasets_.end()) throw RegistryError(fmt::format("unknown dataset key '{}'", key));
  return it->second;
}

bool DatasetRegistry::Contains(std::string_view key) const { return datasets_.contains(key); }

DatasetRegistry DatasetRegistry::LoadDefault() {
  if (const auto path = ConfigOverride()) return Load(*path);
  return LoadEmbedded();
}

DatasetRegistry DatasetRegistry::LoadEmbedded() {
  return DatasetRegistry(ParseDatasets(Embedded(), "config/datasets.yaml"));
}

DatasetRegistry DatasetRegistry::Load(const std::filesystem::path& datasets_yaml) {
  return DatasetRegistry(ParseDatasets(OnDisk(), datasets_yaml));
}

std::optional<std::filesystem::path> ConfigOverride() {
  const char* env = std::getenv("SPYMASTER_CONFIG");
  if (env == nullptr || *env == '\0') return std::nullopt;
  std::filesystem::path path(env);
  if (std::filesystem::is_directory(path)) path = path / "config" / "datasets.yaml";
  return path;
}

}  // namespace spymaster::lake
