#include "dbn/encoder.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include "common/error.hpp"

namespace spymaster::dbn {
namespace {

constexpr std::size_t kBufferSize = 1 << 20;
constexpr int kZstdLevel = 3;  // the reference encoder's "0" = zstd's default level

}  // namespace

struct Encoder::Impl {
  // Exactly one of file_ / out_ is the sink.
  std::FILE* file = nullptr;
  std::filesystem::path final_path;
  std::filesystem::path temp_path;
  std::vector<std::byte>* out = nullptr;
  ZSTD_CCtx* zstd = nullptr;
  std::vector<std::byte> buffer;  // pending uncompressed bytes: [0, used)
  std::size_t used = 0;
  std::vector<std::byte> zbuffer;  // compressed output scratch
  bool finished = false;

  explicit Impl(Compression compression) : buffer(kBufferSize) {
    if (compression == Compression::kZstd) {
      zstd = ZSTD_createCCtx();
      if (zstd == nullptr) throw std::bad_alloc();
      ZSTD_CCtx_setParameter(zstd, ZSTD_c_compressionLevel, kZstdLevel);
      ZSTD_CCtx_setParameter(zstd, ZSTD_c_checksumFlag, 1);
      zbuffer.resize(ZSTD_CStreamOutSize());
    }
  }

  void OpenFile(const std::filesystem::path& path) {
    final_path = path;
    temp_path = path;
    temp_path += fmt::format(".tmp-{}", ::getpid());
    file = std::fopen(temp_path.c_str(), "wb");
    if (file == nullptr) {
      throw Error(ErrorKind::kIo, fmt::format("{}: cannot create: {}", temp_path.string(), std::strerror(errno)));
    }
  }

  ~Impl() {
    if (zstd != nullptr) ZSTD_freeCCtx(zstd);
    if (file != nullptr) {
      std::fclose(file);
      std::error_code ignored;
      std::filesystem::remove(temp_path, ignored);
    }
  }

  void Sink(const std::byte* data, std::size_t size) {
    if (out != nullptr) {
      out->insert(out->end(), data, data + size);
    } else if (std::fwrite(data, 1, size, file) != size) {
      throw Error(ErrorKind::kIo, fmt::format("{}: write failed: {}", temp_path.string(), std::strerror(errno)));
    }
  }

  // Pushes `size` bytes at `data` through zstd (or straight) to the sink.
  void Emit(const std::byte* data, std::size_t size, ZSTD_EndDirective mode) {
    if (zstd == nullptr) {
      Sink(data, size);
      return;
    }
    ZSTD_inBuffer in{data, size, 0};
    for (;;) {
      ZSTD_outBuffer zout{zbuffer.data(), zbuffer.size(), 0};
      const std::size_t rc = ZSTD_compressStream2(zstd, &zout, &in, mode);
      if (ZSTD_isError(rc))
        throw Error(ErrorKind::kIo, fmt::format("zstd compression failed: {}", ZSTD_getErrorName(rc)));
      Sink(zbuffer.data(), zout.pos);
      if (mode == ZSTD_e_continue ? in.pos == in.size : rc == 0) break;
    }
  }

  void Flush(ZSTD_EndDirective mode) {
    Emit(buffer.data(), used, mode);
    used = 0;
  }

  void Append(const std::byte* data, std::size_t size) {
    if (used + size > buffer.size()) [[unlikely]] {
      if (finished) throw std::logic_error("dbn::Encoder: Write after Finish");
      Flush(ZSTD_e_continue);
      if (size > buffer.size()) {
        Emit(data, size, ZSTD_e_continue);
        return;
      }
    }
    std::memcpy(buffer.data() + used, data, size);
    used += size;
  }
};

Encoder::Encoder(std::unique_ptr<Impl> impl) : impl_{std::move(impl)} {}
Encoder::Encoder(Encoder&&) noexcept = default;
Encoder& Encoder::operator=(Encoder&&) noexcept = default;
Encoder::~Encoder() = default;

Encoder Encoder::ToFile(const std::filesystem::path& path, const Metadata& metadata, Compression compression) {
  Encoder encoder = FragmentToFile(path, compression);
  const auto bytes = EncodeMetadata(metadata);
  encoder.WriteBytes(bytes.data(), bytes.size());
  return encoder;
}

Encoder Encoder::ToBuffer(std::vector<std::byte>* out, const Metadata& metadata, Compression compression) {
  Encoder encoder = FragmentToBuffer(out, compression);
  const auto bytes = EncodeMetadata(metadata);
  encoder.WriteBytes(bytes.data(), bytes.size());
  return encoder;
}

Encoder Encoder::FragmentToFile(const std::filesystem::path& path, Compression compression) {
  auto impl = std::make_unique<Impl>(compression);
  impl->OpenFile(path);
  return Encoder{std::move(impl)};
}

Encoder Encoder::FragmentToBuffer(std::vector<std::byte>* out, Compression compression) {
  auto impl = std::make_unique<Impl>(compression);
  impl->out = out;
  return Encoder{std::move(impl)};
}

void Encoder::ThrowLengthMismatch(const RecordHeader& header, std::size_t size) {
  throw std::invalid_argument(
      fmt::format("dbn::Encoder: record with rtype 0x{:02x} has header length {} bytes, "
                  "struct size {}",
                  static_cast<unsigned>(header.rtype), header.Size(), size));
}

void Encoder::Write(const RecordHeader& header) {
  if (header.length < sizeof(RecordHeader) / 4) {
    throw std::invalid_argument(fmt::format("dbn::Encoder: impossible record length {} words", header.length));
  }
  impl_->Append(reinterpret_cast<const std::byte*>(&header), header.Size());
}

void Encoder::WriteBytes(const std::byte* data, std::size_t size) { impl_->Append(data, size); }

void Encoder::Finish() {
  if (impl_->finished) return;
  // Flushing the data before ending the frame (as the reference encoder does) leaves the content size
  // out of the frame header and ends with an empty last block: our .dbn.zst files then match the
  // reference's byte for byte.
  impl_->Flush(ZSTD_e_flush);
  impl_->Flush(ZSTD_e_end);
  impl_->finished = true;
  impl_->buffer = {};  // makes any later Append overflow into the "after Finish" error
  if (impl_->file != nullptr) {
    std::FILE* file = impl_->file;
    impl_->file = nullptr;
    const bool ok = std::fflush(file) == 0 && std::fclose(file) == 0;
    std::error_code ec;
    if (!ok) {
      std::filesystem::remove(impl_->temp_path, ec);
      throw Error(ErrorKind::kIo, fmt::format("{}: write failed: {}", impl_->temp_path.string(), std::strerror(errno)));
    }
    std::filesystem::rename(impl_->temp_path, impl_->final_path, ec);
    if (ec) {
      const std::string reason = ec.message();
      std::filesystem::remove(impl_->temp_path, ec);
      throw Error(ErrorKind::kIo, fmt::format("{}: cannot rename into place: {}", impl_->final_path.string(), reason));
    }
  }
}

}  // namespace spymaster::dbn
