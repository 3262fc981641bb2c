// Streaming DBN encoder: metadata + records, plain or zstd, any version 1–3 (the records written must
// match metadata.version). Files are written to a temporary name and renamed by Finish(); an Encoder
// destroyed without Finish() removes its temporary file, so no half-written output stays behind.
//
//   auto enc = Encoder::ToFile("out.mbo.dbn.zst", metadata, Compression::kZstd);
//   MboMsg msg;  msg.hd.instrument_id = 42;  ...
//   enc.Write(msg);
//   enc.Finish();
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include "dbn/enums.hpp"
#include "dbn/metadata.hpp"
#include "dbn/record.hpp"

namespace spymaster::dbn {

class Encoder {
 public:
  static Encoder ToFile(const std::filesystem::path& path, const Metadata& metadata,
                        Compression compression = Compression::kNone);
  // Appends to `*out`, which must outlive the encoder.
  static Encoder ToBuffer(std::vector<std::byte>* out, const Metadata& metadata,
                          Compression compression = Compression::kNone);
  // Fragments: records only, no metadata.
  static Encoder FragmentToFile(const std::filesystem::path& path, Compression compression = Compression::kNone);
  static Encoder FragmentToBuffer(std::vector<std::byte>* out, Compression compression = Compression::kNone);

  Encoder(Encoder&&) noexcept;
  Encoder& operator=(Encoder&&) noexcept;
  ~Encoder();

  // Writes header.length * 4 bytes starting at `header` (the record it heads, ts_out suffix included).
  void Write(const RecordHeader& header);
  // Writes a whole record struct; its header length must equal sizeof(R) / 4.
  template <class R>
  void Write(const R& record) {
    static_assert(std::is_same_v<decltype(record.hd), RecordHeader>, "R must be a DBN record struct");
    static_assert(sizeof(R) % 4 == 0);
    if (record.hd.Size() != sizeof(R)) [[unlikely]]
      ThrowLengthMismatch(record.hd, sizeof(R));
    WriteBytes(reinterpret_cast<const std::byte*>(&record), sizeof(R));
  }
  // Raw bytes of records, e.g. copied from a decoder; not validated.
  void WriteBytes(const std::byte* data, std::size_t size);
  // Flushes, ends the zstd frame, closes and (for files) renames into place. Required before destruction.
  void Finish();

 private:
  struct Impl;
  explicit Encoder(std::unique_ptr<Impl> impl);
  [[noreturn]] static void ThrowLengthMismatch(const RecordHeader& header, std::size_t size);
  std::unique_ptr<Impl> impl_;
};

}  // namespace spymaster::dbn
