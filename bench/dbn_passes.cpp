#include "bench/dbn_passes.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "dbn/decoder.hpp"

namespace spymaster::bench {
namespace {

dbn::DecoderOptions AsIs() {
  dbn::DecoderOptions options;
  options.upgrade_policy = dbn::VersionUpgradePolicy::kAsIs;
  return options;
}

}  // namespace

PassResult DecodePass(const std::filesystem::path& path) {
  auto decoder = dbn::Decoder::FromFile(path, AsIs());
  PassResult result;
  while (const dbn::RecordRef* rec = decoder.Next()) {
    ++result.records;
    result.bytes += rec->size();
    result.checksum += static_cast<std::uint64_t>(rec->rtype());
  }
  return result;
}

PassResult MboChecksumPass(const std::filesystem::path& path) {
  auto decoder = dbn::Decoder::FromFile(path, AsIs());
  PassResult result;
  std::uint64_t sum = 0;
  while (const dbn::RecordRef* rec = decoder.Next()) {
    ++result.records;
    result.bytes += rec->size();
    if (const auto* m = rec->Get<dbn::MboMsg>()) {
      sum = sum * 31 + (m->order_id ^ static_cast<std::uint64_t>(m->price) ^ m->size ^ m->flags ^
                        static_cast<std::uint8_t>(m->action) ^ static_cast<std::uint8_t>(m->side) ^ m->ts_recv);
    }
  }
  result.checksum = sum;
  return result;
}

PassResult ZstdOnlyPass(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::vector<std::byte> in_buf(1 << 20);
  std::vector<std::byte> out_buf(1 << 20);
  PassResult result;
  for (;;) {
    const ssize_t n = ::read(fd, in_buf.data(), in_buf.size());
    if (n <= 0) break;
    ZSTD_inBuffer in{in_buf.data(), static_cast<std::size_t>(n), 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer out{out_buf.data(), out_buf.size(), 0};
      const std::size_t rc = ZSTD_decompressStream(dctx, &out, &in);
      if (ZSTD_isError(rc)) {
        ZSTD_freeDCtx(dctx);
        ::close(fd);
        throw std::runtime_error(fmt::format("{}: {}", path.string(), ZSTD_getErrorName(rc)));
      }
      result.bytes += out.pos;
    }
  }
  ZSTD_freeDCtx(dctx);
  ::close(fd);
  return result;
}

}  // namespace spymaster::bench
