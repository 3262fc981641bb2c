// Every shared DBN fixture decodes with the expected shape and round-trips byte for byte.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "dbn/decoder.hpp"
#include "dbn/encoder.hpp"
#include "dbn_test_util.hpp"

namespace spymaster::dbn {
namespace {

using testing::Decompress;
using testing::FixtureDir;
using testing::FixtureFiles;
using testing::IsFragment;
using testing::NameVersion;
using testing::ReadBytes;

DecoderOptions AsIsOptions(const std::filesystem::path& path) {
  DecoderOptions options;
  options.upgrade_policy = VersionUpgradePolicy::kAsIs;
  options.fragment = IsFragment(path);
  options.fragment_version = NameVersion(path);
  return options;
}

struct Decoded {
  std::vector<std::vector<std::byte>> records;
  std::vector<RType> rtypes;
};

Decoded DecodeAll(Decoder& decoder) {
  Decoded out;
  while (const RecordRef* rec = decoder.Next()) {
    out.records.emplace_back(rec->data(), rec->data() + rec->size());
    out.rtypes.push_back(rec->rtype());
  }
  return out;
}

// Expected (rtype, record size, count) per schema, from fixtures/dbn/SOURCE.md.
struct Shape {
  RType rtype;
  std::size_t size;
  std::size_t count;
};

Shape ExpectedShape(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  const std::uint8_t v = NameVersion(path);
  if (name.find(".mbo.") != std::string::npos) return {RType::kMbo, 56, 2};
  if (name.find(".cmbp-1.") != std::string::npos) return {RType::kCmbp1, 80, 2};
  if (name.find(".mbp-1.") != std::string::npos) return {RType::kMbp1, 80, 2};
  if (name.find(".trades.") != std::string::npos) return {RType::kMbp0, 48, 2};
  if (name.find(".status.") != std::string::npos) return {RType::kStatus, 40, 4};
  if (name.find(".statistics.") != std::string::npos) return {RType::kStatistics, v == 3 ? 80u : 64u, 2};
  if (name.find(".definition.") != std::string::npos) {
    return {RType::kInstrumentDef, v == 1 ? 360u : v == 2 ? 400u : 520u, 2};
  }
  ADD_FAILURE() << "unexpected fixture " << name;
  return {};
}

TEST(DbnFixtures, EveryFixtureDecodesWithTheDocumentedShape) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  const auto files = FixtureFiles();
  ASSERT_GE(files.size(), 31u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    auto decoder = Decoder::FromFile(path, AsIsOptions(path));
    EXPECT_EQ(decoder.has_metadata(), !IsFragment(path));
    EXPECT_EQ(decoder.input_version(), NameVersion(path));
    EXPECT_EQ(decoder.compressed(), path.extension() == ".zst");
    const Decoded decoded = DecodeAll(decoder);
    const Shape shape = ExpectedShape(path);
    ASSERT_EQ(decoded.records.size(), shape.count);
    for (std::size_t i = 0; i < decoded.records.size(); ++i) {
      EXPECT_EQ(decoded.rtypes[i], shape.rtype);
      EXPECT_EQ(decoded.records[i].size(), shape.size);
    }
    if (decoder.has_metadata()) {
      const Metadata& m = decoder.metadata();
      EXPECT_EQ(m.version, NameVersion(path));
      EXPECT_EQ(m.symbol_cstr_len, m.version == 1 ? 22u : 71u);
      EXPECT_FALSE(m.ts_out);
      EXPECT_TRUE(m.dataset == "GLBX.MDP3" || m.dataset == "XNAS.ITCH") << m.dataset;
    }
  }
}

TEST(DbnFixtures, MboV3MatchesTheSpecSanityVector) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  auto decoder = Decoder::FromFile(FixtureDir() / "test_data.mbo.v3.dbn");
  const Metadata& m = decoder.metadata();
  EXPECT_EQ(m.dataset, "GLBX.MDP3");
  EXPECT_EQ(m.schema, Schema::kMbo);
  EXPECT_EQ(m.start, 1609160400000000000ULL);
  EXPECT_EQ(m.end, 1609200000000000000ULL);
  EXPECT_EQ(m.limit, 2u);
  EXPECT_EQ(m.stype_in, SType::kRawSymbol);
  EXPECT_EQ(m.stype_out, SType::kInstrumentId);
  ASSERT_EQ(m.symbols, std::vector<std::string>{"ESH1"});
  ASSERT_EQ(m.mappings.size(), 1u);
  EXPECT_EQ(m.mappings[0].raw_symbol, "ESH1");
  ASSERT_EQ(m.mappings[0].intervals.size(), 1u);
  EXPECT_EQ(m.mappings[0].intervals[0].start_date, 20201228u);
  EXPECT_EQ(m.mappings[0].intervals[0].end_date, 20201229u);
  EXPECT_EQ(m.mappings[0].intervals[0].symbol, "5482");
  const RecordRef* rec = decoder.Next();
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(decoder.record_offset(), 360u);
  const auto* mbo = rec->Get<MboMsg>();
  ASSERT_NE(mbo, nullptr);
  EXPECT_EQ(rec->Get<TradeMsg>(), nullptr);  // wrong rtype is refused
  EXPECT_EQ(mbo->hd.instrument_id, 5482u);
  EXPECT_EQ(mbo->hd.publisher_id, 1u);
  EXPECT_EQ(mbo->hd.ts_event, 1609160400000429831ULL);
  EXPECT_EQ(mbo->ts_recv, 1609160400000704060ULL);
  EXPECT_EQ(mbo->order_id, 647784973705ULL);
  EXPECT_EQ(mbo->price, 3722750000000);
  EXPECT_EQ(mbo->size, 1u);
  EXPECT_EQ(mbo->flags, flags::kLast);
  EXPECT_EQ(mbo->action, 'C');
  EXPECT_EQ(mbo->side, 'A');
  EXPECT_EQ(mbo->ts_in_delta, 22993);
  EXPECT_EQ(mbo->sequence, 1170352u);
  EXPECT_NE(decoder.Next(), nullptr);
  EXPECT_EQ(decoder.Next(), nullptr);
  EXPECT_EQ(decoder.Next(), nullptr);  // stays at the end
}

// decode → encode reproduces the (decompressed) input exactly, plain and through zstd.
TEST(DbnFixtures, RoundTripReproducesEveryFixtureByteForByte) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  for (const auto& path : FixtureFiles()) {
    SCOPED_TRACE(path.filename().string());
    const std::vector<std::byte> original = Decompress(ReadBytes(path));
    ASSERT_FALSE(original.empty());
    for (const Compression compression : {Compression::kNone, Compression::kZstd}) {
      auto decoder = Decoder::FromFile(path, AsIsOptions(path));
      std::vector<std::byte> out;
      auto encoder = decoder.has_metadata() ? Encoder::ToBuffer(&out, decoder.metadata(), compression)
                                            : Encoder::FragmentToBuffer(&out, compression);
      while (const RecordRef* rec = decoder.Next()) encoder.Write(rec->header());
      encoder.Finish();
      EXPECT_EQ(testing::IsZstd(out), compression == Compression::kZstd);
      EXPECT_EQ(Decompress(out), original);
    }
  }
}

// Our zstd framing is the reference streaming encoder's: checksum on, no content size, 2 MiB window (the
// fixture frame header "28 b5 2f fd 04 58"). Compressed payloads can still differ between libzstd versions.
TEST(DbnFixtures, ZstdFramingMatchesTheReferenceStreamingEncoder) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  int compared = 0;
  for (const auto& path : FixtureFiles()) {
    const auto original = ReadBytes(path);
    if (!testing::IsZstd(original) || original[4] != std::byte{0x04}) continue;  // not written by streaming
    SCOPED_TRACE(path.filename().string());
    auto decoder = Decoder::FromFile(path, AsIsOptions(path));
    std::vector<std::byte> out;
    auto encoder = decoder.has_metadata() ? Encoder::ToBuffer(&out, decoder.metadata(), Compression::kZstd)
                                          : Encoder::FragmentToBuffer(&out, Compression::kZstd);
    while (const RecordRef* rec = decoder.Next()) encoder.Write(rec->header());
    encoder.Finish();
    ASSERT_GE(out.size(), 6u);
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + 6, original.begin()));
    ++compared;
  }
  EXPECT_GE(compared, 17);
}

// Whatever the input form (file, memory, stream), the decoded records are the same bytes.
TEST(DbnFixtures, FileBufferAndStreamDecodeIdentically) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  for (const auto& path : FixtureFiles()) {
    SCOPED_TRACE(path.filename().string());
    const auto options = AsIsOptions(path);
    auto from_file = Decoder::FromFile(path, options);
    const auto bytes = ReadBytes(path);
    auto from_buffer = Decoder::FromBuffer(bytes, options, path.string());
    std::ifstream in{path, std::ios::binary};
    auto from_stream = Decoder::FromStream(in, options, path.string());
    const Decoded a = DecodeAll(from_file);
    EXPECT_EQ(a.records, DecodeAll(from_buffer).records);
    EXPECT_EQ(a.records, DecodeAll(from_stream).records);
    EXPECT_EQ(from_file.metadata(), from_buffer.metadata());
    EXPECT_EQ(from_file.metadata(), from_stream.metadata());
  }
}

// Points this process's standard input at `fd` (and closes it) until destroyed.
class StdinFrom {
 public:
  explicit StdinFrom(int fd) : saved_{::dup(STDIN_FILENO)} {
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
  }
  ~StdinFrom() {
    ::dup2(saved_, STDIN_FILENO);
    ::close(saved_);
  }

 private:
  int saved_;
};

// Standard input as a pipe (read in chunks) or a redirected file (mapped) decodes like the file itself.
TEST(DbnFixtures, StdinDecodesLikeTheFile) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  for (const auto& path : FixtureFiles()) {
    SCOPED_TRACE(path.filename().string());
    const auto options = AsIsOptions(path);
    auto from_file = Decoder::FromFile(path, options);
    const Decoded expected = DecodeAll(from_file);
    const auto bytes = ReadBytes(path);
    ASSERT_LT(bytes.size(), 65536u);  // fits in a pipe's buffer, so no writer thread is needed

    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fds[1]);
    {
      StdinFrom stdin_pipe{fds[0]};
      auto from_pipe = Decoder::FromStdin(options);
      EXPECT_EQ(from_pipe.source_name(), "<stdin>");
      EXPECT_EQ(from_pipe.compressed(), testing::IsZstd(bytes));
      EXPECT_EQ(DecodeAll(from_pipe).records, expected.records);
      EXPECT_EQ(from_pipe.metadata(), from_file.metadata());
    }
    {
      StdinFrom stdin_file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
      auto from_redirect = Decoder::FromStdin(options);
      EXPECT_EQ(DecodeAll(from_redirect).records, expected.records);
    }
  }
}

// The metadata encoder reproduces every fixture's metadata block, v1 (198), v2 (345) and v3 (352 padded).
TEST(DbnFixtures, MetadataEncodesToTheOriginalBytes) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  for (const auto& path : FixtureFiles()) {
    if (IsFragment(path)) continue;
    SCOPED_TRACE(path.filename().string());
    const auto original = Decompress(ReadBytes(path));
    const std::size_t size = MetadataSize(original);
    const Metadata m = DecodeMetadata(original);
    const auto encoded = EncodeMetadata(m);
    ASSERT_EQ(encoded.size(), size);
    EXPECT_TRUE(std::equal(encoded.begin(), encoded.end(), original.begin()));
  }
}

TEST(DbnFixtures, UpgradeToV3TurnsV2StatisticsIntoTheV3Fixture) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  auto v2 = Decoder::FromFile(FixtureDir() / "test_data.statistics.dbn");  // default policy: upgrade to v3
  auto v3 = Decoder::FromFile(FixtureDir() / "test_data.statistics.v3.dbn.zst");
  EXPECT_EQ(v2.input_version(), 2);
  EXPECT_EQ(v2.metadata().version, 3);
  const Decoded upgraded = DecodeAll(v2);
  const Decoded expected = DecodeAll(v3);
  ASSERT_EQ(upgraded.records.size(), 2u);
  EXPECT_EQ(upgraded.records, expected.records);
}

TEST(DbnFixtures, UpgradedDefinitionsKeepEverySharedField) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  for (const char* old_name : {"test_data.definition.v1.dbn.frag", "test_data.definition.v2.dbn.frag"}) {
    SCOPED_TRACE(old_name);
    const auto old_path = FixtureDir() / old_name;
    DecoderOptions as_is = AsIsOptions(old_path);
    DecoderOptions upgrade = as_is;
    upgrade.upgrade_policy = VersionUpgradePolicy::kUpgradeToV3;
    auto old_decoder = Decoder::FromFile(old_path, as_is);
    auto new_decoder = Decoder::FromFile(old_path, upgrade);
    int n = 0;
    while (const RecordRef* old_rec = old_decoder.Next()) {
      const RecordRef* new_rec = new_decoder.Next();
      ASSERT_NE(new_rec, nullptr);
      const auto* def = new_rec->Get<InstrumentDefMsg>();
      ASSERT_NE(def, nullptr);
      EXPECT_EQ(def->hd.length, 130);
      auto check = [&](const auto& old) {
        EXPECT_EQ(def->hd.instrument_id, old.hd.instrument_id);
        EXPECT_EQ(def->hd.ts_event, old.hd.ts_event);
        EXPECT_EQ(def->ts_recv, old.ts_recv);
        EXPECT_EQ(def->strike_price, old.strike_price);
        EXPECT_EQ(def->raw_instrument_id, old.raw_instrument_id);
        EXPECT_EQ(def->min_price_increment, old.min_price_increment);
        EXPECT_EQ(def->expiration, old.expiration);
        EXPECT_EQ(CStr(def->raw_symbol), CStr(old.raw_symbol));
        EXPECT_EQ(CStr(def->asset), CStr(old.asset));
        EXPECT_EQ(CStr(def->exchange), CStr(old.exchange));
        EXPECT_EQ(def->instrument_class, old.instrument_class);
        EXPECT_EQ(def->match_algorithm, old.match_algorithm);
        EXPECT_EQ(def->security_update_action, old.security_update_action);
        EXPECT_EQ(def->tick_rule, old.tick_rule);
        EXPECT_EQ(def->leg_count, 0);
        EXPECT_EQ(def->leg_price, kUndefPrice);
        EXPECT_FALSE(CStr(def->raw_symbol).empty());
      };
      if (const auto* v1 = old_rec->Get<v1::InstrumentDefMsg>(); v1 != nullptr && old_rec->size() == 360) {
        check(*v1);
      } else {
        check(*old_rec->Get<v2::InstrumentDefMsg>());
      }
      ++n;
    }
    EXPECT_EQ(n, 2);
    EXPECT_EQ(new_decoder.Next(), nullptr);
  }
}

}  // namespace
}  // namespace spymaster::dbn
