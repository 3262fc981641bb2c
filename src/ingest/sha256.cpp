#include "ingest/sha256.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>

#include "common/error.hpp"

namespace spymaster::ingest {
namespace {

class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
      throw Error(ErrorKind::kIo, "SHA-256: cannot initialise OpenSSL digest");
    }
  }
  void Update(const void* data, std::size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string HexDigest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest.data(), &len);
    std::string hex;
    hex.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

}  // namespace

std::string Sha256Hex(std::string_view text) {
  Hasher h;
  h.Update(text.data(), text.size());
  return h.HexDigest();
}

std::string FileSha256Hex(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kIo, fmt::format("cannot read {}", path.string()));
  Hasher h;
  std::array<char, 1 << 16> buf;
  while (in) {
    in.read(buf.data(), buf.size());
    h.Update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw Error(ErrorKind::kIo, fmt::format("read error in {}", path.string()));
  return h.HexDigest();
}

}  // namespace spymaster::ingest
