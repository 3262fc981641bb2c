#include "dbn/metadata.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

#include "common/calendar.hpp"
#include "dbn/decode_error.hpp"

namespace spymaster::dbn {
namespace {

constexpr std::size_t kPreludeLen = 8;
constexpr std::size_t kFixedLen = 100;  // bytes after the prelude, before schema_definition_length
constexpr std::size_t kDatasetLen = 16;
constexpr std::uint64_t kV1NullRecordCount = ~std::uint64_t{0};
constexpr std::uint32_t kMaxMetadataLen = 256u << 20;

class Writer {
 public:
  explicit Writer(std::vector<std::byte>* out) : out_{out} {}
  template <class T>
  void Put(T value) {
    Append(&value, sizeof(T));
  }
  void Zeros(std::size_t n) { out_->resize(out_->size() + n, std::byte{0}); }
  void Append(const void* data, std::size_t n) {
    const std::size_t at = out_->size();
    out_->resize(at + n);
    std::memcpy(out_->data() + at, data, n);
  }
  void CStr(const std::string& text, std::size_t width) {
    if (text.size() >= width) {
      throw std::invalid_argument(
          fmt::format("DBN metadata string '{}' is {} bytes; at most {} fit", text, text.size(), width - 1));
    }
    Append(text.data(), text.size());
    Zeros(width - text.size());
  }

 private:
  std::vector<std::byte>* out_;
};

class Reader {
 public:
  Reader(std::span<const std::byte> bytes, std::size_t pos, const std::string& source)
      : bytes_{bytes}, pos_{pos}, source_{source} {}
  template <class T>
  T Get(const char* what) {
    Need(sizeof(T), what);
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string CStr(std::size_t width, const char* what) {
    Need(width, what);
    const char* p = reinterpret_cast<const char*>(bytes_.data() + pos_);
    pos_ += width;
    // Like the reference decoder: the whole field with trailing NULs trimmed.
    std::size_t n = width;
    while (n > 0 && p[n - 1] == '\0') --n;
    return std::string{p, n};
  }
  void Skip(std::size_t n, const char* what) {
    Need(n, what);
    pos_ += n;
  }
  std::size_t pos() const { return pos_; }

 private:
  void Need(std::size_t n, const char* what) const {
    if (bytes_.size() - pos_ < n) {
      throw DecodeError(source_, pos_, fmt::format("metadata ends inside {} (metadata length too small)", what));
    }
  }
  std::span<const std::byte> bytes_;
  std::size_t pos_;
  const std::string& source_;
};

std::vector<std::string> GetSymbols(Reader& r, std::size_t width, const char* what) {
  const auto count = r.Get<std::uint32_t>(what);
  std::vector<std::string> out;
  out.reserve(std::min<std::uint32_t>(count, 1 << 16));
  for (std::uint32_t i = 0; i < count; ++i) out.push_back(r.CStr(width, what));
  return out;
}

}  // namespace

std::vector<std::byte> EncodeMetadata(const Metadata& m) {
  const std::uint8_t version = std::max<std::uint8_t>(m.version, 1);
  if (version > 3) throw std::invalid_argument(fmt::format("cannot encode DBN version {}", version));
  const std::size_t width = version == 1 ? kSymbolCstrLenV1 : m.symbol_cstr_len;
  std::vector<std::byte> out;
  Writer w{&out};
  w.Put('D');
  w.Put('B');
  w.Put('N');
  w.Put(version);
  w.Put<std::uint32_t>(0);  // length, patched below
  w.CStr(m.dataset, kDatasetLen);
  w.Put<std::uint16_t>(m.schema ? static_cast<std::uint16_t>(*m.schema) : kNullSchema);
  w.Put(m.start);
  w.Put(m.end);
  w.Put(m.limit);
  if (version == 1) w.Put(kV1NullRecordCount);
  w.Put<std::uint8_t>(m.stype_in ? static_cast<std::uint8_t>(*m.stype_in) : kNullSType);
  w.Put(static_cast<std::uint8_t>(m.stype_out));
  w.Put<std::uint8_t>(m.ts_out ? 1 : 0);
  if (version == 1) {
    w.Zeros(47);
  } else {
    w.Put(static_cast<std::uint16_t>(width));
    w.Zeros(53);
  }
  w.Put<std::uint32_t>(0);  // schema_definition_length
  for (const auto* list : {&m.symbols, &m.partial, &m.not_found}) {
    w.Put(static_cast<std::uint32_t>(list->size()));
    for (const auto& s : *list) w.CStr(s, width);
  }
  w.Put(static_cast<std::uint32_t>(m.mappings.size()));
  for (const auto& mapping : m.mappings) {
    w.CStr(mapping.raw_symbol, width);
    w.Put(static_cast<std::uint32_t>(mapping.intervals.size()));
    for (const auto& interval : mapping.intervals) {
      w.Put(interval.start_date);
      w.Put(interval.end_date);
      w.CStr(interval.symbol, width);
    }
  }
  if (version >= 3) w.Zeros((8 - out.size() % 8) % 8);
  const auto length = static_cast<std::uint32_t>(out.size() - kPreludeLen);
  std::memcpy(out.data() + 4, &length, sizeof length);
  return out;
}

std::size_t MetadataSize(std::span<const std::byte> prelude, const std::string& source) {
  if (prelude.size() < kPreludeLen) {
    throw DecodeError(source, prelude.size(), "truncated DBN metadata prelude (need 8 bytes)");
  }
  if (std::memcmp(prelude.data(), "DBN", 3) != 0) {
    throw DecodeError(source, 0, "not a DBN stream: missing 'DBN' magic (use a fragment option for bare records)");
  }
  const auto version = static_cast<std::uint8_t>(prelude[3]);
  if (version == 0 || version > 3) {
    throw DecodeError(source, 3, fmt::format("unsupported DBN version {} (supported: 1-3)", version));
  }
  std::uint32_t length;
  std::memcpy(&length, prelude.data() + 4, sizeof length);
  if (length < kFixedLen + 4) {
    throw DecodeError(source, 4, fmt::format("metadata length {} is shorter than the fixed section", length));
  }
  // Real metadata (even ALL_SYMBOLS option chains) is a few MB; a larger length is corruption, and
  // honouring it would buffer gigabytes.
  if (length > kMaxMetadataLen) {
    throw DecodeError(source, 4, fmt::format("metadata length {} exceeds the {} byte limit", length, kMaxMetadataLen));
  }
  return kPreludeLen + length;
}

Metadata DecodeMetadata(std::span<const std::byte> bytes, const std::string& source) {
  const std::size_t total = MetadataSize(bytes, source);
  if (bytes.size() < total) {
    throw DecodeError(source, bytes.size(), fmt::format("truncated DBN metadata: {} of {} bytes", bytes.size(), total));
  }
  Reader r{bytes.first(total), 3, source};
  Metadata m;
  m.version = r.Get<std::uint8_t>("version");
  r.Skip(4, "length");
  m.dataset = r.CStr(kDatasetLen, "dataset");
  const auto schema = r.Get<std::uint16_t>("schema");
  if (schema != kNullSchema) m.schema = static_cast<Schema>(schema);
  m.start = r.Get<std::uint64_t>("start");
  m.end = r.Get<std::uint64_t>("end");
  m.limit = r.Get<std::uint64_t>("limit");
  if (m.version == 1) r.Skip(8, "record_count");
  const auto stype_in = r.Get<std::uint8_t>("stype_in");
  if (stype_in != kNullSType) m.stype_in = static_cast<SType>(stype_in);
  m.stype_out = static_cast<SType>(r.Get<std::uint8_t>("stype_out"));
  m.ts_out = r.Get<std::uint8_t>("ts_out") != 0;
  if (m.version == 1) {
    m.symbol_cstr_len = kSymbolCstrLenV1;
    r.Skip(47, "reserved");
  } else {
    m.symbol_cstr_len = r.Get<std::uint16_t>("symbol_cstr_len");
    r.Skip(53, "reserved");
  }
  const std::size_t schema_def_pos = r.pos();
  if (r.Get<std::uint32_t>("schema_definition_length") != 0) {
    throw DecodeError(source, schema_def_pos, "metadata with a schema definition is not supported");
  }
  const std::size_t width = m.symbol_cstr_len;
  if (width == 0) throw DecodeError(source, 53, "symbol_cstr_len is 0");
  m.symbols = GetSymbols(r, width, "symbols");
  m.partial = GetSymbols(r, width, "partial");
  m.not_found = GetSymbols(r, width, "not_found");
  const auto mapping_count = r.Get<std::uint32_t>("mappings");
  for (std::uint32_t i = 0; i < mapping_count; ++i) {
    SymbolMapping mapping;
    mapping.raw_symbol = r.CStr(width, "mapping raw_symbol");
    const auto interval_count = r.Get<std::uint32_t>("mapping interval count");
    for (std::uint32_t j = 0; j < interval_count; ++j) {
      MappingInterval interval;
      const std::size_t date_pos = r.pos();
      interval.start_date = r.Get<std::uint32_t>("mapping start_date");
      interval.end_date = r.Get<std::uint32_t>("mapping end_date");
      if (!common::FromYyyymmdd(interval.start_date).ok() || !common::FromYyyymmdd(interval.end_date).ok()) {
        throw DecodeError(source, date_pos,
                          fmt::format("invalid mapping date {} or {}", interval.start_date, interval.end_date));
      }
      interval.symbol = r.CStr(width, "mapping symbol");
      mapping.intervals.push_back(std::move(interval));
    }
    m.mappings.push_back(std::move(mapping));
  }
  return m;
}

}  // namespace spymaster::dbn
