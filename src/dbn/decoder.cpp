#include "dbn/decoder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <istream>
#include <stdexcept>
#include <vector>

#include "dbn/upgrade.hpp"

namespace spymaster::dbn {
namespace {

constexpr std::size_t kChunk = 1 << 20;
constexpr std::uint32_t kZstdMagic = 0xFD2FB528;
constexpr std::uint32_t kZstdSkippableMask = 0xFFFFFFF0;
constexpr std::uint32_t kZstdSkippableMagic = 0x184D2A50;

bool IsZstd(std::span<const std::byte> head) {
  if (head.size() < 4) return false;
  std::uint32_t magic;
  std::memcpy(&magic, head.data(), 4);
  return magic == kZstdMagic || (magic & kZstdSkippableMask) == kZstdSkippableMagic;
}

// Smallest valid size of a record of `rtype` in any DBN version (so older layouts decode as-is).
std::size_t MinRecordSize(RType rtype) {
  switch (rtype) {
    case RType::kMbp0:
      return sizeof(TradeMsg);
    case RType::kMbp1:
      return sizeof(Mbp1Msg);
    case RType::kMbp10:
      return sizeof(Mbp10Msg);
    case RType::kOhlcvDeprecated:
    case RType::kOhlcv1S:
    case RType::kOhlcv1M:
    case RType::kOhlcv1H:
    case RType::kOhlcv1D:
    case RType::kOhlcvEod:
      return sizeof(OhlcvMsg);
    case RType::kStatus:
      return sizeof(StatusMsg);
    case RType::kInstrumentDef:
      return sizeof(v1::InstrumentDefMsg);
    case RType::kImbalance:
      return sizeof(ImbalanceMsg);
    case RType::kError:
      return sizeof(v1::ErrorMsg);
    case RType::kSymbolMapping:
      return sizeof(v1::SymbolMappingMsg);
    case RType::kSystem:
      return sizeof(v1::SystemMsg);
    case RType::kStatistics:
      return sizeof(v1::StatMsg);
    case RType::kMbo:
      return sizeof(MboMsg);
    case RType::kCmbp1:
    case RType::kTcbbo:
      return sizeof(Cmbp1Msg);
    case RType::kCbbo1S:
    case RType::kCbbo1M:
      return sizeof(CbboMsg);
    case RType::kBbo1S:
    case RType::kBbo1M:
      return sizeof(BboMsg);
  }
  return sizeof(RecordHeader);
}

// Size of the `version` layout of a record whose layout changed across versions.
std::size_t VersionedSize(RType rtype, std::uint8_t version) {
  switch (rtype) {
    case RType::kInstrumentDef:
      return version == 1   ? sizeof(v1::InstrumentDefMsg)
             : version == 2 ? sizeof(v2::InstrumentDefMsg)
                            : sizeof(InstrumentDefMsg);
    case RType::kStatistics:
      return version <= 2 ? sizeof(v1::StatMsg) : sizeof(StatMsg);
    case RType::kError:
      return version == 1 ? sizeof(v1::ErrorMsg) : sizeof(ErrorMsg);
    case RType::kSymbolMapping:
      return version == 1 ? sizeof(v1::SymbolMappingMsg) : sizeof(SymbolMappingMsg);
    case RType::kSystem:
      return version == 1 ? sizeof(v1::SystemMsg) : sizeof(SystemMsg);
    default:
      return MinRecordSize(rtype);
  }
}

// Version of a record of unknown version, inferred from its size (fragments without a given version).
std::uint8_t InferVersion(RType rtype, std::size_t body_size) {
  switch (rtype) {
    case RType::kInstrumentDef:
      return body_size < sizeof(v2::InstrumentDefMsg) ? 1 : body_size < sizeof(InstrumentDefMsg) ? 2 : 3;
    case RType::kStatistics:
      return body_size < sizeof(StatMsg) ? 2 : 3;
    case RType::kError:
      return body_size < sizeof(ErrorMsg) ? 1 : 3;
    case RType::kSymbolMapping:
      return body_size < sizeof(SymbolMappingMsg) ? 1 : 3;
    case RType::kSystem:
      return body_size < sizeof(SystemMsg) ? 1 : 3;
    default:
      return 3;
  }
}

}  // namespace

std::uint64_t RecordRef::ts_out() const {
  std::uint64_t value;
  std::memcpy(&value, data() + size() - 8, sizeof value);
  return value;
}

struct Decoder::Impl {
  std::string name;
  DecoderOptions options;

  // Raw input: a memory view (buffer or mmap'd file), a file descriptor or a std::istream.
  std::span<const std::byte> memory;
  void* mapped = nullptr;
  std::size_t mapped_size = 0;
  int fd = -1;
  std::istream* stream = nullptr;
  std::vector<std::byte> raw;       // raw chunk for fd/stream input
  std::span<const std::byte> zsrc;  // current raw window: `memory` or the filled part of `raw`
  std::size_t zsrc_pos = 0;
  std::uint64_t raw_base = 0;  // raw offset of zsrc[0]
  bool raw_eof = false;
  bool push = false;           // push mode: `raw` holds the fed bytes not yet consumed
  bool push_finished = false;  // push mode: FinishInput() was called
  bool started = false;        // metadata (or fragment start) decoded

  ZSTD_DCtx* zstd = nullptr;
  bool frame_open = false;  // inside a zstd frame (input ending here means truncation)

  // Decoded bytes: data[pos, end). `data` is `memory` for plain in-memory input, else `buf`.
  const std::byte* data = nullptr;
  std::size_t pos = 0;
  std::size_t end = 0;
  std::uint64_t base = 0;  // decoded-stream offset of data[0]
  bool eof = false;        // no decoded bytes beyond `end` will ever arrive
  std::vector<std::byte> buf;

  Metadata metadata;
  bool has_metadata = false;
  std::uint8_t input_version = kDbnVersion;  // 0 = unknown (fragment), inferred per record
  std::uint8_t output_version = kDbnVersion;
  bool ts_out = false;
  std::array<std::uint16_t, 256> min_size{};
  std::array<bool, 256> upgrade{};
  alignas(8) std::array<std::byte, kMaxRecordLen + 8> scratch{};
  alignas(8) std::array<std::byte, 1024> aligned{};  // misaligned or upgrade-source copy of a record
  RecordRef current;
  std::uint64_t record_offset = 0;

  ~Impl() {
    if (zstd != nullptr) ZSTD_freeDCtx(zstd);
    if (mapped != nullptr) ::munmap(mapped, mapped_size);
    if (fd >= 0) ::close(fd);
  }

  // A corrupt zstd frame explains a broken record better than the record does: that error wins.
  [[noreturn]] void Fail(std::uint64_t offset, const std::string& what) {
    VerifyRest();
    throw DecodeError(name, offset, zstd != nullptr ? what + " (offset in the decompressed stream)" : what);
  }

  // See Decoder::VerifyRest.
  void VerifyRest() {
    if (zstd == nullptr) return;
    std::vector<std::byte> sink(ZSTD_DStreamOutSize());
    for (;;) {
      ZSTD_inBuffer in{zsrc.data(), zsrc.size(), zsrc_pos};
      ZSTD_outBuffer out{sink.data(), sink.size(), 0};
      const std::size_t ret = ZSTD_decompressStream(zstd, &out, &in);
      if (ZSTD_isError(ret)) {
        throw DecodeError(name, raw_base + in.pos, fmt::format("corrupt zstd data: {}", ZSTD_getErrorName(ret)));
      }
      if (in.pos != zsrc_pos || out.pos != 0) frame_open = ret != 0;
      zsrc_pos = in.pos;
      if (out.pos == out.size || zsrc_pos < zsrc.size()) continue;
      if (!ReadRaw()) break;
    }
    pos = end;
    eof = true;
    // A push decoder's input may go on: only the bytes fed so far are judged.
    if (frame_open && !Starved()) {
      throw DecodeError(name, raw_base + zsrc.size(), "truncated zstd frame (input ends mid-frame)");
    }
  }

  // One read(2) of at most `cap` bytes; 0 at end of input. `offset` is where they start, for errors.
  std::size_t ReadFd(std::byte* dst, std::size_t cap, std::uint64_t offset) const {
    for (;;) {
      const ssize_t n = ::read(fd, dst, cap);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR)
        throw DecodeError(name, offset, fmt::format("read failed: {}", std::strerror(errno)), ErrorKind::kIo);
    }
  }

  // Reads the next raw chunk of a fd/stream source into `raw`; false at end of input.
  bool ReadRaw() {
    if (push) {
      if (push_finished) raw_eof = true;
      return false;  // Feed() brings bytes in
    }
    if (fd < 0 && stream == nullptr) return false;
    raw_base += zsrc.size();
    std::size_t got = 0;
    if (fd >= 0) {
      got = ReadFd(raw.data(), raw.size(), raw_base);
    } else {
      stream->read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
      got = static_cast<std::size_t>(stream->gcount());
      if (stream->bad()) throw DecodeError(name, raw_base, "stream read failed", ErrorKind::kIo);
    }
    zsrc = {raw.data(), got};
    zsrc_pos = 0;
    if (got == 0) raw_eof = true;
    return got > 0;
  }

  // Appends decoded bytes to buf[end, cap): at least `want` unless the input ends. Returns bytes added.
  std::size_t Produce(std::size_t want) {
    std::byte* dst = buf.data() + end;
    const std::size_t cap = buf.size() - end;
    if (zstd == nullptr) {  // plain fd/stream: hand over leftover raw bytes, then read straight into buf
      std::size_t n = std::min(cap, zsrc.size() - zsrc_pos);
      std::memcpy(dst, zsrc.data() + zsrc_pos, n);
      zsrc_pos += n;
      while (n < want) {
        if (zsrc_pos == zsrc.size() && !ReadRaw()) {
          eof = !Starved();
          break;
        }
        const std::size_t m = std::min(cap - n, zsrc.size() - zsrc_pos);
        std::memcpy(dst + n, zsrc.data() + zsrc_pos, m);
        zsrc_pos += m;
        n += m;
      }
      return n;
    }
    ZSTD_outBuffer out{dst, cap, 0};
    for (;;) {
      // Called even without new input: zstd may hold output from a call that filled the buffer.
      ZSTD_inBuffer in{zsrc.data(), zsrc.size(), zsrc_pos};
      const std::size_t out_before = out.pos;
      const std::size_t ret = ZSTD_decompressStream(zstd, &out, &in);
      if (ZSTD_isError(ret)) {
        throw DecodeError(name, raw_base + in.pos, fmt::format("corrupt zstd data: {}", ZSTD_getErrorName(ret)));
      }
      // A call that moved nothing says nothing about frames (between frames zstd asks for a header).
      if (in.pos != zsrc_pos || out.pos != out_before) frame_open = ret != 0;
      zsrc_pos = in.pos;
      if (out.pos == out.size) break;
      if (zsrc_pos < zsrc.size()) continue;
      // Input consumed and everything decodable flushed: read more only if still short.
      if (out.pos >= want) break;
      if (!ReadRaw()) {
        if (Starved()) break;
        if (frame_open) throw DecodeError(name, raw_base + zsrc.size(), "truncated zstd frame (input ends mid-frame)");
        eof = true;
        break;
      }
    }
    return out.pos;
  }

  // Push mode before FinishInput(): running out of bytes means "wait", not "end".
  bool Starved() const { return push && !push_finished; }

  // Makes at least `need` decoded bytes available at data + pos unless the input ends (or, in push
  // mode, the fed bytes run out) first.
  std::size_t Fill(std::size_t need) {
    if (end - pos >= need || eof) return end - pos;
    if (pos > 0) {
      std::memmove(buf.data(), buf.data() + pos, end - pos);
      base += pos;
      end -= pos;
      pos = 0;
    }
    while (end < need && !eof) {
      if (end == buf.size()) buf.resize(std::max(buf.size() * 2, kChunk));  // grows only as bytes arrive
      const std::size_t got = Produce(need - end);
      end += got;
      if (got == 0 && Starved()) break;
    }
    data = buf.data();
    return end - pos;
  }

  // False (push mode) when the metadata has not fully arrived yet.
  bool ReadMetadata() {
    const std::size_t have = Fill(8);
    if (have < 8 && Starved()) return false;
    const std::size_t total = MetadataSize({data + pos, have}, name);
    if (Fill(total) < total) {
      if (Starved()) return false;
      Fail(base + end, fmt::format("truncated DBN metadata: stream ends after {} of {} bytes", end - pos, total));
    }
    metadata = DecodeMetadata({data + pos, total}, name);
    pos += total;
    has_metadata = true;
    input_version = metadata.version;
    ts_out = metadata.ts_out;
    return true;
  }

  void Configure() {
    switch (options.upgrade_policy) {
      case VersionUpgradePolicy::kAsIs:
        output_version = input_version;
        break;
      case VersionUpgradePolicy::kUpgradeToV2:
        if (input_version > 2) {
          throw DecodeError(name, 3, fmt::format("cannot upgrade DBN version {} to version 2", input_version));
        }
        output_version = 2;
        break;
      case VersionUpgradePolicy::kUpgradeToV3:
        output_version = 3;
        break;
    }
    if (has_metadata) {
      if (metadata.version == 1 && output_version > 1) metadata.symbol_cstr_len = kSymbolCstrLen;
      metadata.version = output_version;
    } else {
      metadata.version = output_version;
      metadata.ts_out = ts_out;
    }
    const std::size_t suffix = ts_out ? 8 : 0;
    for (std::size_t r = 0; r < 256; ++r) {
      const auto rtype = static_cast<RType>(r);
      min_size[r] = static_cast<std::uint16_t>(MinRecordSize(rtype) + suffix);
      upgrade[r] = input_version == 0 ? NeedsUpgrade(rtype, 1, output_version)
                                      : NeedsUpgrade(rtype, input_version, output_version);
    }
  }

  const RecordRef* Upgrade(const std::byte* rec, std::size_t len) {
    if (reinterpret_cast<std::uintptr_t>(rec) % 8 != 0) {
      std::memcpy(aligned.data(), rec, len);
      rec = aligned.data();
    }
    const auto* hd = reinterpret_cast<const RecordHeader*>(rec);
    const std::size_t body = len - (ts_out ? 8 : 0);
    const std::uint8_t from = input_version != 0 ? input_version : InferVersion(hd->rtype, body);
    if (!NeedsUpgrade(hd->rtype, from, output_version)) {
      current = RecordRef{hd, ts_out};
      return &current;
    }
    if (body < VersionedSize(hd->rtype, from)) {
      Fail(record_offset, fmt::format("record length {} is smaller than a DBN v{} {} record ({} bytes)", len, from,
                                      ToString(hd->rtype), VersionedSize(hd->rtype, from)));
    }
    UpgradeRecord(*hd, from, output_version, ts_out, scratch.data());
    current = RecordRef{reinterpret_cast<const RecordHeader*>(scratch.data()), ts_out};
    return &current;
  }

  const RecordRef* Next() {
    if (!started) [[unlikely]] {
      if (!TryStart()) return nullptr;
    }
    if (end - pos < sizeof(RecordHeader)) [[unlikely]] {
      if (Fill(sizeof(RecordHeader)) == 0) return nullptr;
      if (end - pos < sizeof(RecordHeader)) {
        if (Starved()) return nullptr;
        Fail(base + pos, fmt::format("truncated record header: stream ends after {} of 16 bytes", end - pos));
      }
    }
    const std::byte* rec = data + pos;
    record_offset = base + pos;
    const std::size_t len = static_cast<std::size_t>(rec[0]) * 4;
    const auto rtype = static_cast<std::uint8_t>(rec[1]);
    if (len < min_size[rtype]) [[unlikely]] {
      if (len == 0) Fail(record_offset, "record with length 0");
      Fail(record_offset, fmt::format("record length {} bytes is smaller than the {} bytes of rtype 0x{:02x}{}", len,
                                      min_size[rtype], rtype,
                                      ToString(static_cast<RType>(rtype)).empty()
                                          ? std::string{}
                                          : fmt::format(" ({})", ToString(static_cast<RType>(rtype)))));
    }
    if (end - pos < len) [[unlikely]] {
      if (Fill(len) < len) {
        if (Starved()) return nullptr;  // the record is re-read from its header once more bytes arrive
        Fail(record_offset, fmt::format("truncated record: stream ends after {} of {} bytes", end - pos, len));
      }
      rec = data + pos;
    }
    pos += len;
    if (upgrade[rtype]) [[unlikely]] {
      return Upgrade(rec, len);
    }
    if (reinterpret_cast<std::uintptr_t>(rec) % 8 != 0) [[unlikely]] {
      std::memcpy(aligned.data(), rec, len);
      rec = aligned.data();
    }
    current = RecordRef{reinterpret_cast<const RecordHeader*>(rec), ts_out};
    return &current;
  }

  // Sets up decoding once the raw source is in place: detects zstd, reads metadata.
  void Start(std::span<const std::byte> head) {
    if (IsZstd(head)) {
      zstd = ZSTD_createDCtx();
      if (zstd == nullptr) throw std::bad_alloc();
    } else if (fd < 0 && stream == nullptr && !push) {
      data = memory.data();
      end = memory.size();
      eof = true;
    }
    if (!push) TryStart();
  }

  // Reads the metadata (or takes the fragment's given version) and configures the record layouts.
  // False only in push mode, while the metadata has not fully arrived.
  bool TryStart() {
    if (push && zstd == nullptr && end == pos && !push_finished) {
      // The compression is known from the first four bytes only.
      if (zsrc.size() - zsrc_pos < sizeof(kZstdMagic)) return false;
      Start(zsrc.subspan(zsrc_pos));
    }
    if (options.fragment) {
      if (options.fragment_version > 3) {
        throw DecodeError(name, 0,
                          fmt::format("unsupported DBN version {} (supported: 1-3)", options.fragment_version));
      }
      input_version = options.fragment_version;
      ts_out = options.fragment_ts_out;
    } else if (!ReadMetadata()) {
      return false;
    }
    Configure();
    started = true;
    return true;
  }

  void FeedBytes(std::span<const std::byte> bytes) {
    if (!push) throw std::logic_error("Decoder::Feed is for push decoders only");
    if (push_finished) throw std::logic_error("Decoder::Feed after FinishInput");
    // Drop what zstd or the plain copy already consumed, then append.
    raw.erase(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(zsrc_pos));
    raw_base += zsrc_pos;
    raw.insert(raw.end(), bytes.begin(), bytes.end());
    zsrc = {raw.data(), raw.size()};
    zsrc_pos = 0;
  }

  // Sets up an open `fd`: a plain regular file is mmap'd and decoded in place, anything else (zstd, pipes)
  // is read in chunks.
  void StartFd() {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
      throw DecodeError(name, 0, fmt::format("cannot stat: {}", std::strerror(errno)), ErrorKind::kIo);
    std::array<std::byte, 4> head{};
    // Only a file read from its start (a redirected stdin may have been read from already) is mapped whole.
    const bool whole_file = S_ISREG(st.st_mode) && st.st_size > 0 && ::lseek(fd, 0, SEEK_CUR) == 0;
    const ssize_t n = whole_file ? ::pread(fd, head.data(), head.size(), 0) : 0;
    const std::span<const std::byte> head_span{head.data(), static_cast<std::size_t>(std::max<ssize_t>(n, 0))};
    if (whole_file && !IsZstd(head_span)) {
      const auto size = static_cast<std::size_t>(st.st_size);
      void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (map != MAP_FAILED) {
        ::madvise(map, size, MADV_SEQUENTIAL);
        mapped = map;
        mapped_size = size;
        ::close(fd);
        fd = -1;
        memory = {static_cast<const std::byte*>(map), size};
        zsrc = memory;
        raw_eof = true;
        Start(memory);
        return;
      }
    }
    // A pipe may hand over fewer bytes than the zstd magic in one read: gather those first.
    raw.resize(kChunk);
    std::size_t got = 0;
    while (got < sizeof(kZstdMagic)) {
      const std::size_t m = ReadFd(raw.data() + got, raw.size() - got, got);
      if (m == 0) break;
      got += m;
    }
    zsrc = {raw.data(), got};
    raw_eof = got == 0;
    Start(zsrc);
  }
};

Decoder::Decoder(std::unique_ptr<Impl> impl) : impl_{std::move(impl)} {}
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;
Decoder::~Decoder() = default;

Decoder Decoder::FromBuffer(std::span<const std::byte> bytes, const DecoderOptions& options, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->options = options;
  impl->memory = bytes;
  impl->zsrc = bytes;
  impl->raw_eof = true;
  impl->Start(bytes);
  return Decoder{std::move(impl)};
}

Decoder Decoder::FromStream(std::istream& in, const DecoderOptions& options, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->options = options;
  impl->stream = &in;
  impl->raw.resize(kChunk / 4);
  impl->ReadRaw();
  impl->raw_base = 0;
  impl->Start(impl->zsrc);
  return Decoder{std::move(impl)};
}

Decoder Decoder::Push(const DecoderOptions& options, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->options = options;
  impl->push = true;
  return Decoder{std::move(impl)};
}

void Decoder::Feed(std::span<const std::byte> bytes) { impl_->FeedBytes(bytes); }
void Decoder::FinishInput() {
  if (!impl_->push) throw std::logic_error("Decoder::FinishInput is for push decoders only");
  impl_->push_finished = true;
}
bool Decoder::PollStart() { return impl_->started || impl_->TryStart(); }

Decoder Decoder::FromFile(const std::filesystem::path& path, const DecoderOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->name = path.string();
  impl->options = options;
  impl->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (impl->fd < 0)
    throw DecodeError(impl->name, 0, fmt::format("cannot open: {}", std::strerror(errno)), ErrorKind::kIo);
  impl->StartFd();
  return Decoder{std::move(impl)};
}

Decoder Decoder::FromStdin(const DecoderOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->name = "<stdin>";
  impl->options = options;
  // A duplicate, so that the decoder owns and closes its descriptor like any other.
  impl->fd = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
  if (impl->fd < 0)
    throw DecodeError(impl->name, 0, fmt::format("cannot read: {}", std::strerror(errno)), ErrorKind::kIo);
  impl->StartFd();
  return Decoder{std::move(impl)};
}

const RecordRef* Decoder::Next() { return impl_->Next(); }
bool Decoder::has_metadata() const { return impl_->has_metadata; }
const Metadata& Decoder::metadata() const { return impl_->metadata; }
std::uint8_t Decoder::input_version() const { return impl_->input_version; }
bool Decoder::compressed() const { return impl_->zstd != nullptr; }
const std::string& Decoder::source_name() const { return impl_->name; }
std::uint64_t Decoder::record_offset() const { return impl_->record_offset; }
void Decoder::VerifyRest() { impl_->VerifyRest(); }

}  // namespace spymaster::dbn
