#include "lake/contract_check.hpp"

#include <arrow/api.h>
#include <fmt/format.h>

namespace spymaster::lake {

void CheckContract(const DatasetSpec& dataset, const arrow::Schema& schema) {
  const auto& columns = dataset.contract.columns;
  for (const Column& c : columns) {
    if (schema.GetFieldIndex(c.name) < 0) {
      throw ContractError(fmt::format("dataset {}: missing column '{}' (contract {})", dataset.key, c.name,
                                      dataset.contract.relative_path));
    }
  }
  for (const auto& field : schema.fields()) {
    bool known = false;
    for (const Column& c : columns) known = known || c.name == field->name();
    if (!known) {
      throw ContractError(fmt::format("dataset {}: extra column '{}' not in contract {}", dataset.key, field->name(),
                                      dataset.contract.relative_path));
    }
  }
  if (schema.num_fields() != static_cast<int>(columns.size())) {
    throw ContractError(fmt::format("dataset {}: duplicate columns in schema", dataset.key));
  }
  const auto expected = dataset.contract.ArrowSchema();
  for (int i = 0; i < schema.num_fields(); ++i) {
    const auto& field = schema.field(i);
    if (field->name() != columns[i].name) {
      throw ContractError(fmt::format("dataset {}: column '{}' at position {} but the contract has '{}'", dataset.key,
                                      field->name(), i, columns[i].name));
    }
    if (!field->type()->Equals(*expected->field(i)->type())) {
      throw ContractError(fmt::format("dataset {}: column '{}' has type {} but the contract says {} ({})", dataset.key,
                                      field->name(), field->type()->ToString(), ToString(columns[i].type),
                                      expected->field(i)->type()->ToString()));
    }
  }
}

}  // namespace spymaster::lake
