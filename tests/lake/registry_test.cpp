// The shipped datasets.yaml and contracts load (the copy compiled into the binary is the source tree's),
// and malformed registries fail with useful messages.
#include "lake/registry.hpp"

#include <arrow/api.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/sha256.hpp"
#include "lake/contract_check.hpp"
#include "lake/embedded_config.hpp"

namespace spymaster::lake {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kSourceDir{SPYMASTER_SOURCE_DIR};

DatasetRegistry Shipped() { return DatasetRegistry::LoadEmbedded(); }

std::string ReadSourceFile(const std::filesystem::path& relative) {
  std::ifstream in(kSourceDir / relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(Registry, ShippedRegistryHasEveryDatasetOfTheSpec) {
  const auto registry = Shipped();
  for (const char* pt : {"future_mbo", "future_option_mbo", "equity_mbo", "equity_option_mbo"}) {
    for (const char* table : {"book_snapshot_1s", "depth_and_flow_1s"}) {
      EXPECT_TRUE(registry.Contains(std::string("silver.") + pt + "." + table)) << pt << table;
    }
    EXPECT_TRUE(registry.Contains(std::string("gold.") + pt + ".physics_surface_1s")) << pt;
  }
  EXPECT_TRUE(registry.Contains("bronze.future_mbo.mbo"));
  EXPECT_TRUE(registry.Contains("bronze.future_option_mbo.mbo"));
  EXPECT_TRUE(registry.Contains("bronze.equity_mbo.mbo"));
  EXPECT_TRUE(registry.Contains("bronze.equity_option_mbo.cmbp_1"));
  EXPECT_TRUE(registry.Contains("selection.future_mbo.mbo_contract_day_selection"));
  EXPECT_TRUE(registry.Contains("gold.future_mbo.forecast_1s"));
  EXPECT_TRUE(registry.Contains("gold.equity_mbo.forecast_1s"));
  EXPECT_EQ(registry.datasets().size(), 19u);
}

// The forecast's wall distances are null without a wall: the contract's ["null", "int"] unions are the
// only nullable columns of the shipped contracts.
TEST(Registry, ForecastContractHasNullableWallDistances) {
  const auto registry = Shipped();
  for (const char* key : {"gold.future_mbo.forecast_1s", "gold.equity_mbo.forecast_1s"}) {
    const auto& spec = registry.Get(key);
    EXPECT_EQ(spec.layer, Layer::kGold);
    const auto schema = spec.contract.ArrowSchema();
    std::vector<std::string> nullable;
    for (const auto& f : schema->fields()) {
      if (f->nullable()) nullable.push_back(f->name());
    }
    EXPECT_THAT(nullable, ::testing::ElementsAre("D_up", "D_down")) << key;
    EXPECT_EQ(spec.contract.columns[7].type, ColumnType::kInt);
  }
  for (const auto& [key, spec] : registry.datasets()) {
    if (std::string_view(key).ends_with("forecast_1s")) continue;
    for (const auto& c : spec.contract.columns) EXPECT_FALSE(c.nullable) << key << " " << c.name;
  }
}

TEST(Registry, BronzeMboContractHasTheSpecColumnsInOrder) {
  const auto registry = Shipped();
  const auto& spec = registry.Get("bronze.future_mbo.mbo");
  std::vector<std::string> names;
  for (const auto& c : spec.contract.columns) names.push_back(c.name);
  EXPECT_THAT(names, ::testing::ElementsAre("ts_recv", "size", "ts_event", "channel_id", "rtype", "order_id",
                                            "publisher_id", "flags", "instrument_id", "ts_in_delta", "action",
                                            "sequence", "side", "symbol", "price"));
  EXPECT_EQ(spec.contract.columns[10].type, ColumnType::kString);
  EXPECT_EQ(spec.contract.columns[14].type, ColumnType::kLong);
  EXPECT_EQ(spec.layer, Layer::kBronze);
  EXPECT_EQ(spec.path_template, "bronze/source=databento/product_type=future_mbo/symbol={symbol}/table=mbo");
  EXPECT_EQ(spec.contract.sha256, common::Sha256File(kSourceDir / spec.contract.relative_path));
  EXPECT_EQ(spec.contract.source, "embedded:contracts/bronze/future_mbo/mbo.avsc");
  EXPECT_EQ(spec.contract.sha256.size(), 64u);
}

TEST(Registry, GoldAndOptionContractsMatchTheSpecWidths) {
  const auto registry = Shipped();
  EXPECT_EQ(registry.Get("gold.future_mbo.physics_surface_1s").contract.columns.size(), 36u);
  EXPECT_EQ(registry.Get("gold.equity_mbo.physics_surface_1s").contract.columns.size(), 36u);
  EXPECT_EQ(registry.Get("gold.future_option_mbo.physics_surface_1s").contract.columns.size(), 18u);
  EXPECT_EQ(registry.Get("silver.future_option_mbo.depth_and_flow_1s").contract.columns.size(), 16u);
  EXPECT_EQ(registry.Get("silver.equity_option_mbo.depth_and_flow_1s").contract.columns.size(), 15u);
  EXPECT_EQ(registry.Get("bronze.future_option_mbo.mbo").contract.columns.size(), 19u);
  EXPECT_EQ(registry.Get("bronze.equity_option_mbo.cmbp_1").contract.columns.size(), 12u);
}

TEST(Registry, UnknownKeyIsAnError) {
  EXPECT_THAT([] { Shipped().Get("silver.nope.x"); },
              ::testing::ThrowsMessage<RegistryError>(HasSubstr("unknown dataset key 'silver.nope.x'")));
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("spymaster_registry_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "config");
    std::filesystem::create_directories(dir_ / "contracts");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  std::filesystem::path dir_;
};

using RegistryFiles = TempDir;

TEST_F(RegistryFiles, BadAvroTypeNamesFileAndColumn) {
  Write("contracts/x.avsc", R"({"type":"record","name":"X","fields":[{"name":"a","type":"float"}]})");
  Write("config/datasets.yaml",
        "contract_root: ..\ndatasets:\n  silver.x.y:\n    layer: silver\n    path: s/x\n"
        "    format: parquet\n    partition_keys: [symbol, dt]\n    contract: contracts/x.avsc\n");
  EXPECT_THAT([&] { DatasetRegistry::Load(dir_ / "config/datasets.yaml"); },
              ::testing::ThrowsMessage<RegistryError>(AllOf(HasSubstr("x.avsc"), HasSubstr("'a'"))));
}

TEST_F(RegistryFiles, MissingContractFileIsNamed) {
  Write("config/datasets.yaml",
        "contract_root: ..\ndatasets:\n  silver.x.y:\n    layer: silver\n    path: s/x\n"
        "    format: parquet\n    partition_keys: [symbol, dt]\n    contract: contracts/none.avsc\n");
  EXPECT_THAT([&] { DatasetRegistry::Load(dir_ / "config/datasets.yaml"); },
              ::testing::ThrowsMessage<RegistryError>(HasSubstr("none.avsc")));
}

TEST_F(RegistryFiles, MissingFieldIsNamed) {
  Write("config/datasets.yaml", "contract_root: ..\ndatasets:\n  silver.x.y:\n    layer: silver\n    path: s/x\n");
  EXPECT_THAT([&] { DatasetRegistry::Load(dir_ / "config/datasets.yaml"); },
              ::testing::ThrowsMessage<RegistryError>(AllOf(HasSubstr("silver.x.y"), HasSubstr("'format'"))));
}

TEST(Registry, EmbeddedCopyIsTheSourceTreesConfigByteForByte) {
  std::set<std::string> in_tree = {"config/datasets.yaml"};
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kSourceDir / "contracts")) {
    if (entry.path().extension() == ".avsc")
      in_tree.insert(entry.path().lexically_relative(kSourceDir).generic_string());
  }
  std::set<std::string> embedded;
  for (const EmbeddedFile& file : EmbeddedConfigFiles()) {
    embedded.insert(std::string(file.path));
    EXPECT_EQ(file.bytes, ReadSourceFile(file.path)) << file.path;
  }
  EXPECT_EQ(embedded, in_tree);

  const auto from_files = DatasetRegistry::Load(kSourceDir / "config/datasets.yaml");
  const auto from_binary = Shipped();
  ASSERT_EQ(from_binary.datasets().size(), from_files.datasets().size());
  for (const auto& [key, spec] : from_files.datasets()) {
    const DatasetSpec& copy = from_binary.Get(key);
    EXPECT_EQ(copy.path_template, spec.path_template) << key;
    EXPECT_EQ(copy.contract.relative_path, spec.contract.relative_path) << key;
    EXPECT_EQ(copy.contract.sha256, spec.contract.sha256) << key;
    EXPECT_TRUE(copy.contract.ArrowSchema()->Equals(*spec.contract.ArrowSchema())) << key;
  }
}

TEST_F(RegistryFiles, EnvOverridePointsAtAnotherConfig) {
  Write("contracts/x.avsc", R"({"type":"record","name":"X","fields":[{"name":"a","type":"long"}]})");
  Write("config/datasets.yaml",
        "contract_root: ..\ndatasets:\n  silver.x.y:\n    layer: silver\n    path: s/x\n"
        "    format: parquet\n    partition_keys: [symbol, dt]\n    contract: contracts/x.avsc\n");
  ::setenv("SPYMASTER_CONFIG", dir_.c_str(), 1);
  EXPECT_EQ(ConfigOverride(), dir_ / "config" / "datasets.yaml");
  const auto overridden = DatasetRegistry::LoadDefault();
  EXPECT_EQ(overridden.datasets().size(), 1u);
  EXPECT_EQ(overridden.Get("silver.x.y").contract.source, (dir_ / "contracts/x.avsc").string());
  ::setenv("SPYMASTER_CONFIG", (dir_ / "my.yaml").c_str(), 1);
  EXPECT_EQ(ConfigOverride(), dir_ / "my.yaml");
  ::setenv("SPYMASTER_CONFIG", "", 1);
  EXPECT_EQ(ConfigOverride(), std::nullopt);
  ::unsetenv("SPYMASTER_CONFIG");
  EXPECT_EQ(ConfigOverride(), std::nullopt);
  EXPECT_EQ(DatasetRegistry::LoadDefault().datasets().size(), Shipped().datasets().size());
}

TEST(ContractCheck, MissingExtraMisorderedAndMistypedColumnsAreNamed) {
  const auto registry = Shipped();
  const auto& spec = registry.Get("silver.future_mbo.book_snapshot_1s");
  const auto good = spec.contract.ArrowSchema();
  EXPECT_NO_THROW(CheckContract(spec, *good));

  auto missing = good->RemoveField(3).ValueOrDie();
  EXPECT_THAT([&] { CheckContract(spec, *missing); },
              ::testing::ThrowsMessage<ContractError>(
                  AllOf(HasSubstr("silver.future_mbo.book_snapshot_1s"), HasSubstr("missing column 'best_bid_qty'"))));

  auto extra = good->AddField(2, arrow::field("bogus", arrow::int64())).ValueOrDie();
  EXPECT_THAT([&] { CheckContract(spec, *extra); },
              ::testing::ThrowsMessage<ContractError>(HasSubstr("extra column 'bogus'")));

  auto mistyped = good->SetField(6, arrow::field("mid_price", arrow::float32())).ValueOrDie();
  EXPECT_THAT([&] { CheckContract(spec, *mistyped); },
              ::testing::ThrowsMessage<ContractError>(AllOf(HasSubstr("column 'mid_price'"), HasSubstr("double"))));

  auto swapped = arrow::schema({good->field(1), good->field(0)});
  for (int i = 2; i < good->num_fields(); ++i) swapped = swapped->AddField(i, good->field(i)).ValueOrDie();
  EXPECT_THAT([&] { CheckContract(spec, *swapped); },
              ::testing::ThrowsMessage<ContractError>(HasSubstr("column 'window_end_ts_ns' at position 0")));
}

}  // namespace
}  // namespace spymaster::lake
