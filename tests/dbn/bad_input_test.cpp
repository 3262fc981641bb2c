// Corrupt input of every class fails with a DecodeError naming the source and the byte offset.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "dbn/decoder.hpp"
#include "dbn/encoder.hpp"
#include "dbn_test_util.hpp"

namespace spymaster::dbn {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kMetadataLen = 128;  // v3, no symbols: 8 + 100 + 20 padded to a multiple of 8

Metadata MboMetadata() {
  Metadata m;
  m.dataset = "GLBX.MDP3";
  m.schema = Schema::kMbo;
  m.stype_in = SType::kRawSymbol;
  return m;
}

std::vector<std::byte> ValidStream(Compression compression = Compression::kNone, int records = 3) {
  std::vector<std::byte> out;
  auto encoder = Encoder::ToBuffer(&out, MboMetadata(), compression);
  for (int i = 0; i < records; ++i) {
    MboMsg msg;
    msg.hd.instrument_id = 42;
    msg.order_id = static_cast<std::uint64_t>(i);
    encoder.Write(msg);
  }
  encoder.Finish();
  return out;
}

// Decodes every record; returns the error or "" when the input decoded cleanly.
DecodeError DecodeExpectingError(const std::vector<std::byte>& bytes, DecoderOptions options = {}) {
  try {
    auto decoder = Decoder::FromBuffer(bytes, options, "input.dbn");
    int guard = 0;
    while (decoder.Next() != nullptr) {
      if (++guard > 1000) ADD_FAILURE() << "decoder does not terminate";
    }
  } catch (const DecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "no DecodeError";
  return DecodeError("", 0, "");
}

TEST(DbnBadInput, ValidStreamHasTheExpectedLayout) {
  const auto bytes = ValidStream();
  ASSERT_EQ(bytes.size(), kMetadataLen + 3 * sizeof(MboMsg));
  auto decoder = Decoder::FromBuffer(bytes);
  int n = 0;
  while (decoder.Next() != nullptr) ++n;
  EXPECT_EQ(n, 3);
}

TEST(DbnBadInput, TruncatedPrelude) {
  auto bytes = ValidStream();
  bytes.resize(5);
  const auto e = DecodeExpectingError(bytes);
  EXPECT_EQ(e.source(), "input.dbn");
  EXPECT_EQ(e.offset(), 5u);
  EXPECT_THAT(e.what(), HasSubstr("input.dbn: byte offset 5: truncated DBN metadata prelude"));
}

TEST(DbnBadInput, TruncatedMetadata) {
  auto bytes = ValidStream();
  bytes.resize(50);
  const auto e = DecodeExpectingError(bytes);
  EXPECT_EQ(e.offset(), 50u);
  EXPECT_THAT(e.what(), HasSubstr("truncated DBN metadata"));
}

TEST(DbnBadInput, WrongMagic) {
  auto bytes = ValidStream();
  bytes[1] = std::byte{'X'};
  const auto e = DecodeExpectingError(bytes);
  EXPECT_EQ(e.offset(), 0u);
  EXPECT_THAT(e.what(), HasSubstr("missing 'DBN' magic"));
}

TEST(DbnBadInput, UnsupportedVersions) {
  for (const int version : {0, 4, 255}) {
    auto bytes = ValidStream();
    bytes[3] = static_cast<std::byte>(version);
    const auto e = DecodeExpectingError(bytes);
    EXPECT_EQ(e.offset(), 3u);
    EXPECT_THAT(e.what(), HasSubstr("unsupported DBN version " + std::to_string(version)));
  }
  DecoderOptions fragment;
  fragment.fragment = true;
  fragment.fragment_version = 7;
  EXPECT_THAT(DecodeExpectingError({}, fragment).what(), HasSubstr("unsupported DBN version 7"));
}

TEST(DbnBadInput, MetadataLengthBelowTheFixedSection) {
  auto bytes = ValidStream();
  bytes[4] = std::byte{50};
  bytes[5] = std::byte{0};
  const auto e = DecodeExpectingError(bytes);
  EXPECT_EQ(e.offset(), 4u);
  EXPECT_THAT(e.what(), HasSubstr("metadata length 50"));
}

TEST(DbnBadInput, MetadataCountsPointingPastItsEnd) {
  auto bytes = ValidStream();
  bytes[112] = std::byte{0xFF};  // symbols count: 255 symbols cannot fit in the metadata
  const auto e = DecodeExpectingError(bytes);
  EXPECT_THAT(e.what(), HasSubstr("metadata ends inside symbols"));
}

TEST(DbnBadInput, TruncatedRecord) {
  auto bytes = ValidStream();
  bytes.resize(bytes.size() - 10);
  const auto e = DecodeExpectingError(bytes);
  EXPECT_EQ(e.offset(), kMetadataLen + 2 * sizeof(MboMsg));
  EXPECT_THAT(e.what(), HasSubstr("truncated record: stream ends after 46 of 56 bytes"));
}

TEST(DbnBadInput, TruncatedRecordHeader) {
  auto bytes = ValidStream();
  bytes.push_back(std::byte{14});
  bytes.push_back(std::byte{0xA0});
  const auto e = DecodeExpectingError(bytes);
  EXPECT_EQ(e.offset(), kMetadataLen + 3 * sizeof(MboMsg));
  EXPECT_THAT(e.what(), HasSubstr("truncated record header"));
}

TEST(DbnBadInput, RecordShorterThanItsRType) {
  auto bytes = ValidStream();
  bytes[kMetadataLen + sizeof(MboMsg)] = std::byte{10};  // 40 bytes claimed for a 56-byte MBO record
  const auto e = DecodeExpectingError(bytes);
  EXPECT_EQ(e.offset(), kMetadataLen + sizeof(MboMsg));
  EXPECT_THAT(e.what(), HasSubstr("record length 40 bytes is smaller than the 56 bytes of rtype 0xa0 (mbo)"));
}

TEST(DbnBadInput, ZeroLengthRecord) {
  auto bytes = ValidStream();
  bytes[kMetadataLen + sizeof(MboMsg)] = std::byte{0};
  const auto e = DecodeExpectingError(bytes);
  EXPECT_EQ(e.offset(), kMetadataLen + sizeof(MboMsg));
  EXPECT_THAT(e.what(), HasSubstr("record with length 0"));
}

TEST(DbnBadInput, UnknownRTypesAreSkippedNotErrors) {
  auto bytes = ValidStream();
  bytes[kMetadataLen + 1] = std::byte{0x77};
  auto decoder = Decoder::FromBuffer(bytes);
  const RecordRef* first = decoder.Next();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(static_cast<int>(first->rtype()), 0x77);
  EXPECT_EQ(first->Get<MboMsg>(), nullptr);
  EXPECT_NE(decoder.Next(), nullptr);
}

TEST(DbnBadInput, CorruptZstd) {
  auto bytes = ValidStream(Compression::kZstd, 200);
  ASSERT_TRUE(testing::IsZstd(bytes));
  for (std::size_t i = 12; i < 40; ++i) bytes[i] ^= std::byte{0x5A};
  const auto e = DecodeExpectingError(bytes);
  EXPECT_THAT(e.what(), HasSubstr("input.dbn: byte offset"));
  EXPECT_THAT(e.what(), HasSubstr("zstd"));
}

// MBO records with varied fields, so that zstd keeps literals a flipped byte can change undetected
// until the frame's checksum. The decoder decompresses 1 MiB at a time, so records of a longer frame
// come out before zstd reaches its end.
std::vector<std::byte> VariedZstdStream(int records, std::vector<MboMsg>* written) {
  std::vector<std::byte> out;
  auto encoder = Encoder::ToBuffer(&out, MboMetadata(), Compression::kZstd);
  std::mt19937_64 rng{7};
  for (int i = 0; i < records; ++i) {
    MboMsg msg;
    msg.hd.instrument_id = 42;
    msg.hd.ts_event = 1'000'000'000 + static_cast<std::uint64_t>(i) * 1000 + rng() % 1000;
    msg.ts_recv = msg.hd.ts_event + 5;
    msg.order_id = rng();
    msg.price = static_cast<std::int64_t>(rng() % 100'000) * 250'000'000;
    msg.size = static_cast<std::uint32_t>(rng() % 100 + 1);
    msg.action = 'A';
    msg.side = 'B';
    msg.sequence = static_cast<std::uint32_t>(i);
    encoder.Write(msg);
    written->push_back(msg);
  }
  encoder.Finish();
  return out;
}

TEST(DbnBadInput, VerifyRestReportsACorruptFrameWhoseRecordsLookedFine) {
  std::vector<MboMsg> want;
  const auto valid = VariedZstdStream(60'000, &want);  // 3.4 MB decoded
  {
    auto intact = Decoder::FromBuffer(valid);
    for (int i = 0; i < 100; ++i) ASSERT_NE(intact.Next(), nullptr);
    EXPECT_NO_THROW(intact.VerifyRest());
    EXPECT_EQ(intact.Next(), nullptr);
    // A push decoder in mid-stream: the frame is open because the rest has not come yet, not truncated.
    auto push = Decoder::Push();
    push.Feed(std::span(valid).first(valid.size() / 2));
    ASSERT_NE(push.Next(), nullptr);
    EXPECT_NO_THROW(push.VerifyRest());
  }
  // The first flipped byte (from the middle on) after which the decoder hands out a changed record:
  // zstd checks the frame's checksum only at its end, so the record itself says nothing is wrong.
  int found = 0;
  for (std::size_t pos = valid.size() / 8; pos < valid.size() / 4 && found == 0; ++pos) {
    auto bytes = valid;
    bytes[pos] ^= std::byte{0x01};
    try {
      auto decoder = Decoder::FromBuffer(bytes, {}, "day.dbn.zst");
      for (std::size_t i = 0; const RecordRef* rec = decoder.Next(); ++i) {
        const auto* mbo = rec->Get<MboMsg>();
        if (mbo != nullptr && i < want.size() && std::memcmp(mbo, &want[i], sizeof(MboMsg)) == 0) continue;
        ++found;
        try {
          decoder.VerifyRest();
          ADD_FAILURE() << "VerifyRest passed a corrupt frame (byte " << pos << " flipped)";
        } catch (const DecodeError& e) {
          EXPECT_THAT(e.what(), HasSubstr("day.dbn.zst: byte offset"));
          EXPECT_THAT(e.what(), HasSubstr("corrupt zstd data"));
        }
        break;
      }
    } catch (const DecodeError&) {
      // zstd or the record checks caught this flip by themselves
    }
  }
  EXPECT_EQ(found, 1) << "no flipped byte changed a record undetected; the test needs another stream";
}

// Whatever a byte flipped inside the compressed data breaks, the error is the frame's, not a record's.
TEST(DbnBadInput, ErrorsInsideACorruptFrameNameTheFrame) {
  std::vector<MboMsg> want;
  const auto valid = VariedZstdStream(60'000, &want);
  int errors = 0;
  for (std::size_t pos = 64; pos + 8 < valid.size(); pos += valid.size() / 101) {
    auto bytes = valid;
    bytes[pos] ^= std::byte{0x20};
    try {
      auto decoder = Decoder::FromBuffer(bytes, {}, "day.dbn.zst");
      while (decoder.Next() != nullptr) {
      }
    } catch (const DecodeError& e) {
      ++errors;
      EXPECT_THAT(e.what(), HasSubstr("zstd")) << "byte " << pos << " flipped";
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(DbnBadInput, TruncatedZstdFrame) {
  auto bytes = ValidStream(Compression::kZstd, 200);
  bytes.resize(bytes.size() / 2);
  const auto e = DecodeExpectingError(bytes);
  EXPECT_THAT(e.what(), ::testing::AnyOf(HasSubstr("truncated zstd frame"), HasSubstr("truncated record")));
}

TEST(DbnBadInput, DowngradeIsRefused) {
  DecoderOptions options;
  options.upgrade_policy = VersionUpgradePolicy::kUpgradeToV2;
  EXPECT_THAT(DecodeExpectingError(ValidStream(), options).what(), HasSubstr("cannot upgrade DBN version 3"));
}

TEST(DbnBadInput, FileErrorsNameTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("dbn_bad_input_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "broken.dbn";
  auto bytes = ValidStream();
  bytes.resize(bytes.size() - 1);
  {
    std::ofstream out{path, std::ios::binary};
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    auto decoder = Decoder::FromFile(path);
    while (decoder.Next() != nullptr) {
    }
    ADD_FAILURE() << "no error";
  } catch (const DecodeError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string() + ": byte offset 240: truncated record"));
    EXPECT_EQ(e.kind(), ErrorKind::kData);  // bad bytes: the input's fault
  }
  try {
    Decoder::FromFile(dir / "missing.dbn");
    ADD_FAILURE() << "no error";
  } catch (const DecodeError& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir / "missing.dbn").string() + ": byte offset 0: cannot open"));
    EXPECT_EQ(e.kind(), ErrorKind::kIo);  // the system's
  }
  std::filesystem::remove_all(dir);
}

// Random mutations of valid plain and zstd streams: decoding either succeeds or throws DecodeError.
TEST(DbnBadInput, RandomCorruptionNeverCrashesOrHangs) {
  std::mt19937_64 rng{12345};
  for (const Compression compression : {Compression::kNone, Compression::kZstd}) {
    const auto valid = ValidStream(compression, 20);
    for (int trial = 0; trial < 2000; ++trial) {
      auto bytes = valid;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < edits; ++i) bytes[rng() % bytes.size()] = static_cast<std::byte>(rng());
      if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
      try {
        auto decoder = Decoder::FromBuffer(bytes);
        int n = 0;
        while (const RecordRef* rec = decoder.Next()) {
          ASSERT_GE(rec->size(), sizeof(RecordHeader));
          ASSERT_LT(++n, 10000);
        }
      } catch (const DecodeError&) {
      }
    }
  }
}

}  // namespace
}  // namespace spymaster::dbn
