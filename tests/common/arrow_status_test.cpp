// Arrow failures become our Error with the right kind and the caller's context, never an abort.
#include "common/arrow_status.hpp"

#include <arrow/api.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spymaster {
namespace {

using ::testing::HasSubstr;

Error Thrown(const arrow::Status& status) {
  try {
    CheckOk(status, [] { return std::string("silver.x symbol=ESH6 dt=2026-01-06 column 'price'"); });
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no Error for " << status.ToString();
  return Error(ErrorKind::kUsage, "");
}

TEST(ArrowStatus, FailuresNameTheContextAndKeepArrowsReason) {
  const Error e = Thrown(arrow::Status::Invalid("column length mismatch"));
  EXPECT_THAT(e.what(),
              HasSubstr("silver.x symbol=ESH6 dt=2026-01-06 column 'price': Invalid: column length mismatch"));
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_EQ(Thrown(arrow::Status::IOError("short read")).kind(), ErrorKind::kIo);
  EXPECT_EQ(Thrown(arrow::Status::OutOfMemory("malloc of size 1 failed")).kind(), ErrorKind::kIo);
  EXPECT_EQ(Thrown(arrow::Status::TypeError("int32 vs int64")).kind(), ErrorKind::kData);
}

TEST(ArrowStatus, SuccessRunsNoContextAndPassesTheValueThrough) {
  bool formatted = false;
  const auto context = [&] {
    formatted = true;
    return std::string("unused");
  };
  CheckOk(arrow::Status::OK(), context);
  EXPECT_EQ(ValueOrThrow(arrow::Result<int>(7), context), 7);
  EXPECT_FALSE(formatted);
  EXPECT_THROW(ValueOrThrow(arrow::Result<int>(arrow::Status::Invalid("x")), context), Error);
}

TEST(ArrowStatus, AnImpossibleAllocationIsAnIoErrorNotAnAbort) {
  EXPECT_THAT([] { ValueOrThrow(arrow::AllocateBuffer(int64_t{1} << 62), [] { return std::string("huge"); }); },
              ::testing::ThrowsMessage<Error>(HasSubstr("huge: Out of memory")));
}

}  // namespace
}  // namespace spymaster
