// Streaming DBN decoder (spec §9): file, memory buffer or std::istream; plain or zstd (auto-detected,
// multi-frame); full streams or fragments; optional upgrade of v1/v2 records to v3.
//
//   auto decoder = Decoder::FromFile("x.dbn.zst");
//   while (const RecordRef* rec = decoder.Next()) {
//     if (const auto* mbo = rec->Get<MboMsg>()) { ... }
//   }
//
// Push mode (a socket): bytes are handed in as they arrive and Next() returns nullptr when it needs more.
//
//   auto decoder = Decoder::Push();
//   decoder.Feed(bytes);                 // any split, even mid-record or mid-zstd-block
//   while (const RecordRef* rec = decoder.Next()) { ... }
//   ...
//   decoder.FinishInput();               // then nullptr means a clean end; a cut record throws
//
// Next() never allocates in steady state; a RecordRef and the record it points to stay valid until the
// next call to Next(). Corrupt input throws DecodeError naming the source and byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "dbn/decode_error.hpp"
#include "dbn/enums.hpp"
#include "dbn/metadata.hpp"
#include "dbn/record.hpp"

namespace spymaster::dbn {

enum class VersionUpgradePolicy : std::uint8_t {
  kAsIs,         // records exactly as encoded
  kUpgradeToV2,  // v1 → v2 (a v3 input is an error)
  kUpgradeToV3,  // v1/v2 → v3 (reference default)
};

struct DecoderOptions {
  VersionUpgradePolicy upgrade_policy = VersionUpgradePolicy::kUpgradeToV3;
  // Fragments are records with no metadata; their version and ts_out must be given. A fragment_version
  // of 0 means unknown: versioned records (definitions, statistics, ...) get their version from their size.
  bool fragment = false;
  std::uint8_t fragment_version = kDbnVersion;
  bool fragment_ts_out = false;
};

// A view of one decoded record. Get<T>() checks rtype and length before handing out a typed pointer.
// Decoded with kUpgradeToV3 (the default) every record has the current, unqualified layout (MboMsg,
// InstrumentDefMsg, StatMsg, ...); with kAsIs, older files hold v1::/v2:: layouts, which are shorter.
class RecordRef {
 public:
  RecordRef() = default;
  RecordRef(const RecordHeader* header, bool has_ts_out) : header_{header}, has_ts_out_{has_ts_out} {}

  const RecordHeader& header() const { return *header_; }
  RType rtype() const { return header_->rtype; }
  std::size_t size() const { return header_->Size(); }  // bytes, ts_out suffix included
  const std::byte* data() const { return reinterpret_cast<const std::byte*>(header_); }
  bool has_ts_out() const { return has_ts_out_; }
  std::uint64_t ts_out() const;  // gateway send time; only meaningful when has_ts_out()

  template <class T>
  bool Holds() const {
    return T::HasRType(rtype()) && size() >= sizeof(T) + (has_ts_out_ ? 8 : 0);
  }
  template <class T>
  const T* Get() const {
    return Holds<T>() ? reinterpret_cast<const T*>(header_) : nullptr;
  }

 private:
  const RecordHeader* header_ = nullptr;
  bool has_ts_out_ = false;
};

class Decoder {
 public:
  static Decoder FromFile(const std::filesystem::path& path, const DecoderOptions& options = {});
  // Standard input, named "<stdin>" in errors: a pipe is read incrementally, a redirected plain file mmap'd.
  static Decoder FromStdin(const DecoderOptions& options = {});
  // Decodes `bytes` in place (zero-copy when plain and 8-byte aligned); the caller keeps them alive.
  static Decoder FromBuffer(std::span<const std::byte> bytes, const DecoderOptions& options = {},
                            std::string name = "<memory>");
  // Reads `in` incrementally; the caller keeps it alive.
  static Decoder FromStream(std::istream& in, const DecoderOptions& options = {}, std::string name = "<stream>");
  // Push mode: no input yet; Feed() hands bytes in. Metadata is read once enough bytes have arrived
  // (metadata_ready()).
  static Decoder Push(const DecoderOptions& options = {}, std::string name = "<push>");

  // Push mode only: appends bytes (copied). Records already returned stay valid until the next Next().
  void Feed(std::span<const std::byte> bytes);
  // Push mode only: no more bytes will come.
  void FinishInput();
  // Push mode: decodes the metadata once enough bytes have arrived, without taking a record. True when
  // the metadata (for fragments: the start) is in, always true for the other modes.
  bool PollStart();

  Decoder(Decoder&&) noexcept;
  Decoder& operator=(Decoder&&) noexcept;
  ~Decoder();

  // The next record, or nullptr at a clean end of input (push mode: also when more bytes are needed
  // before FinishInput()). Throws DecodeError on corrupt input.
  const RecordRef* Next();

  bool has_metadata() const;  // false for fragments
  // Metadata after the upgrade policy (version, symbol_cstr_len); for fragments only version and ts_out are set.
  const Metadata& metadata() const;
  std::uint8_t input_version() const;  // version of the records in the input
  bool compressed() const;
  const std::string& source_name() const;
  // Offset, in the decompressed stream, of the record last returned by Next().
  std::uint64_t record_offset() const;

  // zstd checks a frame's checksum only at the frame's end, and a Databento day file is one frame: a
  // corrupt file hands out nonsense records long before that. A reader that meets a record that makes
  // no sense (out of order, impossible values) calls this before blaming the record: it decompresses
  // the rest of the input, discarding it, and throws DecodeError (file offset, "checksum" or "corrupt")
  // when the input is corrupt. Returns when it is intact (nothing to check for plain input); push
  // mode checks the bytes fed so far. The decoder is at the end of its input afterwards. The decoder
  // does the same for its own errors.
  void VerifyRest();

 private:
  struct Impl;
  explicit Decoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace spymaster::dbn
