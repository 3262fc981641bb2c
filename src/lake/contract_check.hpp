// Checks an Arrow schema against a dataset contract: missing, extra, misordered or mistyped columns
// are errors naming the dataset and the column.
#pragma once

#include <arrow/type_fwd.h>

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "lake/registry.hpp"

namespace spymaster::lake {

class ContractError : public Error {
 public:
  explicit ContractError(const std::string& what) : Error{ErrorKind::kData, what} {}
};

// Throws ContractError. Nullability is not part of the check (our contracts have no nullable
// columns, and writers produce non-null arrays).
void CheckContract(const DatasetSpec& dataset, const arrow::Schema& schema);

}  // namespace spymaster::lake
