// Encoder behaviour and decoder features not covered by the fixtures: large streams, multi-frame zstd,
// misaligned buffers, ts_out, inferred fragment versions, temp-file handling, symbol maps, text forms.
#include "dbn/encoder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "dbn/decoder.hpp"
#include "dbn/json.hpp"
#include "dbn/symbol_map.hpp"
#include "dbn_test_util.hpp"

namespace spymaster::dbn {
namespace {

class TempDir {
 public:
  TempDir() : path_{std::filesystem::temp_directory_path() / ("dbn_encoder_test_" + std::to_string(::getpid()))} {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

Metadata EsMetadata(std::uint8_t version = 3) {
  Metadata m;
  m.version = version;
  m.dataset = "GLBX.MDP3";
  m.schema = Schema::kMbo;
  m.start = 1609160400000000000ULL;
  m.end = 1609200000000000000ULL;
  m.limit = 2;
  m.stype_in = SType::kRawSymbol;
  m.stype_out = SType::kInstrumentId;
  m.symbol_cstr_len = version == 1 ? 22 : 71;
  m.symbols = {"ESH1"};
  m.mappings = {{"ESH1", {{20201228, 20201229, "5482"}}}};
  return m;
}

MboMsg SyntheticMbo(std::uint64_t i) {
  MboMsg msg;
  msg.hd.instrument_id = 5482;
  msg.hd.publisher_id = 1;
  msg.hd.ts_event = 1609160400000000000ULL + i * 1000;
  msg.ts_recv = msg.hd.ts_event + 250;
  msg.order_id = i * 7 + 1;
  msg.price = 3'700'000'000'000 + static_cast<std::int64_t>(i % 100) * 250'000'000;
  msg.size = static_cast<std::uint32_t>(1 + i % 9);
  msg.action = "ACMTF"[i % 5];
  msg.side = i % 2 == 0 ? 'B' : 'A';
  msg.flags = flags::kLast;
  msg.sequence = static_cast<std::uint32_t>(i);
  return msg;
}

TEST(DbnEncoder, MetadataLengthsFollowTheSpecWorkedExample) {
  for (const auto& [version, length] : {std::pair{1, 198u}, {2, 345u}, {3, 352u}}) {
    const auto bytes = EncodeMetadata(EsMetadata(static_cast<std::uint8_t>(version)));
    ASSERT_EQ(bytes.size(), 8 + length);
    std::uint32_t encoded_length;
    std::memcpy(&encoded_length, bytes.data() + 4, 4);
    EXPECT_EQ(encoded_length, length);
    EXPECT_EQ(DecodeMetadata(bytes), EsMetadata(static_cast<std::uint8_t>(version)));
  }
}

TEST(DbnEncoder, RejectsWhatCannotBeEncoded) {
  Metadata m = EsMetadata();
  m.symbols = {std::string(71, 'X')};  // needs a NUL terminator within 71 bytes
  EXPECT_THROW(EncodeMetadata(m), std::invalid_argument);
  m = EsMetadata();
  m.version = 4;
  EXPECT_THROW(EncodeMetadata(m), std::invalid_argument);

  std::vector<std::byte> out;
  auto encoder = Encoder::ToBuffer(&out, EsMetadata());
  MboMsg msg;
  msg.hd.length = 16;  // not the struct size
  EXPECT_THROW(encoder.Write(msg), std::invalid_argument);
  RecordHeader tiny{2, RType::kMbo, 0, 0, 0};
  EXPECT_THROW(encoder.Write(tiny), std::invalid_argument);
  encoder.Finish();
  EXPECT_THROW(encoder.Write(SyntheticMbo(0)), std::logic_error);
}

TEST(DbnEncoder, StreamsALargeZstdFileThroughATempName) {
  TempDir dir;
  const auto path = dir.path() / "big.mbo.dbn.zst";
  constexpr std::uint64_t kCount = 300'000;
  {
    auto encoder = Encoder::ToFile(path, EsMetadata(), Compression::kZstd);
    for (std::uint64_t i = 0; i < kCount; ++i) encoder.Write(SyntheticMbo(i));
    EXPECT_FALSE(std::filesystem::exists(path));  // only the temporary file exists until Finish
    encoder.Finish();
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);  // no temp left
  EXPECT_LT(std::filesystem::file_size(path), kCount * sizeof(MboMsg) / 4);

  // From the file, from memory (all input available at once) and from a stream, across many output chunks.
  const auto bytes = testing::ReadBytes(path);
  std::ifstream in{path, std::ios::binary};
  std::vector<Decoder> decoders;
  decoders.push_back(Decoder::FromFile(path));
  decoders.push_back(Decoder::FromBuffer(bytes));
  decoders.push_back(Decoder::FromStream(in));
  for (auto& decoder : decoders) {
    EXPECT_TRUE(decoder.compressed());
    EXPECT_EQ(decoder.metadata(), EsMetadata());
    std::uint64_t i = 0;
    while (const RecordRef* rec = decoder.Next()) {
      const auto* mbo = rec->Get<MboMsg>();
      ASSERT_NE(mbo, nullptr);
      const MboMsg expected = SyntheticMbo(i);
      ASSERT_EQ(std::memcmp(mbo, &expected, sizeof(MboMsg)), 0) << "record " << i;
      ++i;
    }
    EXPECT_EQ(i, kCount);
  }
}

TEST(DbnEncoder, UnfinishedFileLeavesNothingBehind) {
  TempDir dir;
  const auto path = dir.path() / "abandoned.dbn";
  {
    auto encoder = Encoder::ToFile(path, EsMetadata());
    encoder.Write(SyntheticMbo(1));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(DbnDecoder, DecodesAcrossZstdFramesAndSkippableFrames) {
  std::vector<std::byte> first;
  auto head = Encoder::ToBuffer(&first, EsMetadata(), Compression::kZstd);
  for (std::uint64_t i = 0; i < 1000; ++i) head.Write(SyntheticMbo(i));
  head.Finish();
  std::vector<std::byte> second;
  auto tail = Encoder::FragmentToBuffer(&second, Compression::kZstd);
  for (std::uint64_t i = 1000; i < 2500; ++i) tail.Write(SyntheticMbo(i));
  tail.Finish();
  // A skippable frame (magic 0x184D2A5x, u32 size, payload) between the two frames.
  const std::array<std::uint8_t, 12> skippable = {0x53, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 1, 2, 3, 4};
  std::vector<std::byte> all = first;
  for (const auto b : skippable) all.push_back(static_cast<std::byte>(b));
  all.insert(all.end(), second.begin(), second.end());

  auto decoder = Decoder::FromBuffer(all);
  std::uint64_t i = 0;
  while (const RecordRef* rec = decoder.Next()) {
    ASSERT_EQ(rec->Get<MboMsg>()->order_id, SyntheticMbo(i).order_id);
    ++i;
  }
  EXPECT_EQ(i, 2500u);
}

TEST(DbnDecoder, MisalignedBuffersDecodeTheSameRecords) {
  std::vector<std::byte> plain;
  auto encoder = Encoder::ToBuffer(&plain, EsMetadata());
  for (std::uint64_t i = 0; i < 10; ++i) encoder.Write(SyntheticMbo(i));
  encoder.Finish();
  for (std::size_t shift = 1; shift < 8; ++shift) {
    std::vector<std::byte> storage(plain.size() + shift);
    std::memcpy(storage.data() + shift, plain.data(), plain.size());
    auto decoder = Decoder::FromBuffer({storage.data() + shift, plain.size()});
    std::uint64_t i = 0;
    while (const RecordRef* rec = decoder.Next()) {
      ASSERT_EQ(reinterpret_cast<std::uintptr_t>(rec->data()) % 8, 0u);
      ASSERT_EQ(rec->Get<MboMsg>()->sequence, i++);
    }
    EXPECT_EQ(i, 10u);
  }
}

// Records that may need upgrading (version inferred per record) take the same alignment care.
TEST(DbnDecoder, MisalignedFragmentsOfInferredVersionDecode) {
  std::vector<std::byte> frag;
  auto encoder = Encoder::FragmentToBuffer(&frag);
  SystemMsg system;
  v1::SystemMsg old_system;
  std::memcpy(old_system.msg.data(), "Heartbeat", 9);
  encoder.Write(system);
  encoder.Write(old_system);
  encoder.Write(InstrumentDefMsg{});
  encoder.Finish();
  DecoderOptions options;
  options.fragment = true;
  options.fragment_version = 0;
  std::vector<std::byte> storage(frag.size() + 4);
  std::memcpy(storage.data() + 4, frag.data(), frag.size());
  auto decoder = Decoder::FromBuffer({storage.data() + 4, frag.size()}, options);
  std::vector<std::uint8_t> codes;
  while (const RecordRef* rec = decoder.Next()) {
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(rec->data()) % 8, 0u);
    if (const auto* msg = rec->Get<SystemMsg>()) codes.push_back(msg->code);
  }
  EXPECT_EQ(codes, (std::vector<std::uint8_t>{255, 0}));  // the v1 heartbeat is upgraded with code 0
}

TEST(DbnDecoder, TsOutSuffixIsCountedAndExposed) {
  Metadata m = EsMetadata();
  m.ts_out = true;
  std::vector<std::byte> bytes;
  auto encoder = Encoder::ToBuffer(&bytes, m);
  struct WithTsOut {
    MboMsg rec;
    std::uint64_t ts_out;
  } with{SyntheticMbo(3), 1609160400123456789ULL};
  with.rec.hd.length = sizeof(WithTsOut) / 4;
  encoder.Write(with.rec.hd);
  encoder.Finish();

  auto decoder = Decoder::FromBuffer(bytes);
  const RecordRef* rec = decoder.Next();
  ASSERT_NE(rec, nullptr);
  EXPECT_TRUE(rec->has_ts_out());
  EXPECT_EQ(rec->size(), 64u);
  EXPECT_EQ(rec->ts_out(), 1609160400123456789ULL);
  ASSERT_NE(rec->Get<MboMsg>(), nullptr);
  EXPECT_EQ(rec->Get<MboMsg>()->order_id, SyntheticMbo(3).order_id);
  std::string json;
  AppendJson(json, *rec, false);
  EXPECT_THAT(json, ::testing::EndsWith(",\"ts_out\":\"1609160400123456789\"}\n"));
}

TEST(DbnDecoder, UpgradesV1StatisticsAndCarriesTsOut) {
  Metadata m = EsMetadata(1);
  m.schema = Schema::kStatistics;
  m.ts_out = true;
  v1::StatMsg stat;
  stat.hd.instrument_id = 7;
  stat.price = 123;
  stat.quantity = kUndefStatQuantityV1;
  stat.stat_type = 3;
  struct {
    v1::StatMsg rec;
    std::uint64_t ts_out;
  } with{stat, 99};
  with.rec.hd.length = sizeof(with) / 4;
  std::vector<std::byte> bytes;
  auto encoder = Encoder::ToBuffer(&bytes, m);
  encoder.Write(with.rec.hd);
  encoder.Finish();

  auto decoder = Decoder::FromBuffer(bytes);  // default policy: upgrade to v3
  EXPECT_EQ(decoder.metadata().version, 3);
  EXPECT_EQ(decoder.metadata().symbol_cstr_len, 71u);
  const RecordRef* rec = decoder.Next();
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->size(), sizeof(StatMsg) + 8);
  const auto* v3 = rec->Get<StatMsg>();
  ASSERT_NE(v3, nullptr);
  EXPECT_EQ(v3->hd.instrument_id, 7u);
  EXPECT_EQ(v3->price, 123);
  EXPECT_EQ(v3->quantity, kUndefStatQuantity);
  EXPECT_EQ(v3->stat_type, 3);
  EXPECT_EQ(rec->ts_out(), 99u);
}

TEST(DbnDecoder, FragmentVersionCanBeInferredFromRecordSizes) {
  SPYMASTER_REQUIRE_DBN_FIXTURES();
  for (const char* name :
       {"test_data.definition.v1.dbn.frag", "test_data.definition.v2.dbn.frag", "test_data.definition.v3.dbn.frag"}) {
    DecoderOptions options;
    options.fragment = true;
    options.fragment_version = 0;  // unknown
    auto decoder = Decoder::FromFile(testing::FixtureDir() / name, options);
    int n = 0;
    while (const RecordRef* rec = decoder.Next()) {
      ASSERT_NE(rec->Get<InstrumentDefMsg>(), nullptr) << name;
      EXPECT_FALSE(CStr(rec->Get<InstrumentDefMsg>()->raw_symbol).empty());
      ++n;
    }
    EXPECT_EQ(n, 2) << name;
  }
}

TEST(DbnSymbolMap, MapsInstrumentIdsByDate) {
  const auto map = TsSymbolMap::FromMetadata(EsMetadata());
  const std::uint64_t day = DateToTs(20201228);
  EXPECT_EQ(day, 1609113600000000000ULL);
  ASSERT_NE(map.Find(day + 1, 5482), nullptr);
  EXPECT_EQ(*map.Find(day + 1, 5482), "ESH1");
  EXPECT_EQ(map.Find(day - 1, 5482), nullptr);
  EXPECT_EQ(map.Find(DateToTs(20201229), 5482), nullptr);  // end date is exclusive
  EXPECT_EQ(map.Find(day + 1, 1), nullptr);

  TsSymbolMap manual;
  manual.Insert(1, 100, 200, "A");
  manual.Insert(1, 150, 300, "B");  // overrides the overlap
  EXPECT_EQ(*manual.Find(120, 1), "A");
  EXPECT_EQ(*manual.Find(160, 1), "B");
  EXPECT_EQ(*manual.Find(250, 1), "B");

  Metadata bad = EsMetadata();
  bad.stype_out = SType::kRawSymbol;
  EXPECT_THROW(TsSymbolMap::FromMetadata(bad), std::invalid_argument);
}

TEST(DbnText, PricesAndTimestampsFormatLikeTheReference) {
  EXPECT_EQ(FormatPrice(3722750000000), "3722.750000000");
  EXPECT_EQ(FormatPrice(-1), "-0.000000001");
  EXPECT_EQ(FormatPrice(0), "0.000000000");
  EXPECT_EQ(FormatPrice(kUndefPrice), "UNDEF_PRICE");
  EXPECT_EQ(FormatTimestamp(1609160400000704060ULL), "2020-12-28T13:00:00.000704060Z");
  EXPECT_EQ(FormatTimestamp(1), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(FormatTimestamp(951782400000000000ULL), "2000-02-29T00:00:00.000000000Z");
}

TEST(DbnText, EnumNamesRoundTrip) {
  for (int s = 0; s < 20; ++s) {
    const auto schema = static_cast<Schema>(s);
    EXPECT_EQ(SchemaFromString(ToString(schema)), schema);
  }
  EXPECT_EQ(ToString(RType::kInstrumentDef), "instrument-def");
  EXPECT_EQ(RTypeOf(Schema::kCmbp1), RType::kCmbp1);
  EXPECT_EQ(RTypeOf(Schema::kTbbo), RType::kMbp1);
  EXPECT_EQ(STypeFromString("raw_symbol"), SType::kRawSymbol);
  EXPECT_FALSE(SchemaFromString("nope").has_value());
}

}  // namespace
}  // namespace spymaster::dbn
