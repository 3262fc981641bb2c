// Push mode: the same bytes handed to the decoder in random-size pieces (down to one byte, splitting
// headers, records and zstd blocks) give the same records as decoding the whole file, for every fixture.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "dbn/decoder.hpp"
#include "dbn_test_util.hpp"

namespace spymaster::dbn {
namespace {

using testing::FixtureFiles;
using testing::IsFragment;
using testing::NameVersion;
using testing::ReadBytes;

DecoderOptions OptionsFor(const std::filesystem::path& file) {
  DecoderOptions o;
  if (IsFragment(file)) {
    o.fragment = true;
    o.fragment_version = NameVersion(file);
  }
  return o;
}

std::vector<std::vector<std::byte>> Records(Decoder& d) {
  std::vector<std::vector<std::byte>> out;
  while (const RecordRef* r = d.Next()) out.emplace_back(r->data(), r->data() + r->size());
  return out;
}

std::vector<std::vector<std::byte>> PushRecords(const std::vector<std::byte>& bytes, const DecoderOptions& o,
                                                std::mt19937_64& rng, std::size_t max_piece) {
  Decoder d = Decoder::Push(o, "<test>");
  std::vector<std::vector<std::byte>> out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::size_t n = std::min(bytes.size() - pos, 1 + rng() % max_piece);
    d.Feed({bytes.data() + pos, n});
    pos += n;
    while (const RecordRef* r = d.Next()) out.emplace_back(r->data(), r->data() + r->size());
  }
  d.FinishInput();
  while (const RecordRef* r = d.Next()) out.emplace_back(r->data(), r->data() + r->size());
  return out;
}

TEST(PushDecoderTest, RandomPiecesGiveTheRecordsOfTheWholeFile) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  std::mt19937_64 rng(20260106);
  int files = 0;
  for (const auto& file : FixtureFiles()) {
    const auto bytes = ReadBytes(file);
    Decoder whole = Decoder::FromBuffer(bytes, OptionsFor(file), file.string());
    const auto want = Records(whole);
    ASSERT_FALSE(want.empty()) << file;
    for (std::size_t max_piece : {1u, 7u, 64u, 4096u}) {
      EXPECT_EQ(PushRecords(bytes, OptionsFor(file), rng, max_piece), want) << file << " pieces ≤ " << max_piece;
    }
    ++files;
  }
  EXPECT_GE(files, 30);
}

TEST(PushDecoderTest, MetadataArrivesOnlyWhenComplete) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  const auto bytes = ReadBytes(testing::FixtureDir() / "test_data.mbo.v3.dbn");
  Decoder d = Decoder::Push();
  d.Feed({bytes.data(), 10});  // magic, version and part of the length
  EXPECT_FALSE(d.PollStart());
  EXPECT_EQ(d.Next(), nullptr);
  d.Feed({bytes.data() + 10, bytes.size() - 10});
  EXPECT_TRUE(d.PollStart());
  EXPECT_EQ(d.metadata().dataset, "GLBX.MDP3");
  EXPECT_NE(d.Next(), nullptr);
}

TEST(PushDecoderTest, InputCutMidRecordIsAnErrorOnlyAfterFinish) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  const auto bytes = ReadBytes(testing::FixtureDir() / "test_data.mbo.v3.dbn");
  Decoder d = Decoder::Push({}, "<socket>");
  d.Feed({bytes.data(), bytes.size() - 5});
  int n = 0;
  while (d.Next() != nullptr) ++n;
  EXPECT_GT(n, 0);
  EXPECT_EQ(d.Next(), nullptr);  // waiting, not failing
  d.FinishInput();
  try {
    d.Next();
    FAIL() << "a record cut short must be an error";
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("<socket>"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST(PushDecoderTest, FeedIsRefusedOutsidePushMode) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  const auto bytes = ReadBytes(testing::FixtureDir() / "test_data.mbo.v3.dbn");
  Decoder d = Decoder::FromBuffer(bytes);
  EXPECT_THROW(d.Feed(bytes), std::logic_error);
}

}  // namespace
}  // namespace spymaster::dbn
