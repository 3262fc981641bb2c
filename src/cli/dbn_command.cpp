// `spymaster dbn to-json FILE` (same output and flags as the official `dbn FILE --json`; FILE "-" is stdin),
// `spymaster dbn info FILE` (metadata and record counts per rtype) and
// `spymaster dbn recode IN OUT` (decode + encode, e.g. to upgrade or (de)compress).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/commands.hpp"
#include "common/standard_output.hpp"
#include "dbn/decoder.hpp"
#include "dbn/encoder.hpp"
#include "dbn/json.hpp"
#include "dbn/symbol_map.hpp"

namespace spymaster::cli {
namespace {

struct ToJsonArgs {
  std::string file;
  bool metadata = false;
  bool upgrade = false;
  bool pretty = false;
  bool map_symbols = false;
  bool input_fragment = false;
  bool input_zstd_fragment = false;
  std::optional<int> input_dbn_version;
  std::optional<std::uint64_t> limit;
};

dbn::DecoderOptions DecoderOptionsFor(const ToJsonArgs& args) {
  if (args.input_dbn_version && !args.input_fragment && !args.input_zstd_fragment) {
    throw CLI::ValidationError("--input-dbn-version", "requires --input-fragment or --input-zstd-fragment");
  }
  dbn::DecoderOptions options;
  options.upgrade_policy = args.upgrade ? dbn::VersionUpgradePolicy::kUpgradeToV3 : dbn::VersionUpgradePolicy::kAsIs;
  options.fragment = args.input_fragment || args.input_zstd_fragment;
  // As the reference CLI: a fragment is assumed to be of the current version unless told otherwise.
  options.fragment_version = static_cast<std::uint8_t>(args.input_dbn_version.value_or(dbn::kDbnVersion));
  return options;
}

// --limit as the official CLI reads it (Rust's u64 parse into a NonZeroU64): digits with an optional
// '+', at least 1, at most 2^64 - 1. CLI11's own conversion would wrap "-1" round to 2^64 - 1.
std::uint64_t ParseLimit(const std::string& text) {
  const std::string_view digits = std::string_view(text).substr(text.starts_with('+') ? 1 : 0);
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw UsageError(fmt::format("--limit: invalid value '{}': not a positive integer", text));
  }
  std::uint64_t value = 0;
  if (std::from_chars(digits.data(), digits.data() + digits.size(), value).ec != std::errc{}) {
    throw UsageError(fmt::format("--limit: invalid value '{}': larger than {}", text, ~std::uint64_t{0}));
  }
  if (value == 0) throw UsageError(fmt::format("--limit: invalid value '{}': must be at least 1", text));
  return value;
}

// "-" is standard input, as in the official CLI (a file named "-" is still reachable as "./-").
dbn::Decoder OpenInput(const ToJsonArgs& args) {
  const dbn::DecoderOptions options = DecoderOptionsFor(args);
  return args.file == "-" ? dbn::Decoder::FromStdin(options) : dbn::Decoder::FromFile(args.file, options);
}

// JSON text collected in 1 MiB pieces before it goes to stdout.
class Output {
 public:
  std::string& buffer() { return buffer_; }
  void MaybeFlush() {
    if (buffer_.size() >= (1 << 20)) Flush();
  }
  void Flush() {
    WriteStdout(buffer_);
    buffer_.clear();
  }

 private:
  std::string buffer_;
};

void PrintJson(dbn::Decoder& decoder, const ToJsonArgs& args, Output& out) {
  if (args.metadata) {
    dbn::Metadata metadata = decoder.metadata();
    if (args.limit) metadata.limit = metadata.limit == 0 ? *args.limit : std::min(metadata.limit, *args.limit);
    dbn::AppendJson(out.buffer(), metadata, args.pretty);
    return;
  }
  std::optional<dbn::TsSymbolMap> symbols;
  if (args.map_symbols) {
    try {
      symbols = dbn::TsSymbolMap::FromMetadata(decoder.metadata());
    } catch (const std::invalid_argument& e) {
      throw Error(ErrorKind::kData, fmt::format("{}: metadata: {}", decoder.source_name(), e.what()));
    }
  }
  std::uint64_t count = 0;
  while (const dbn::RecordRef* record = decoder.Next()) {
    if (args.limit && count >= *args.limit) break;
    ++count;
    try {
      if (symbols) {
        const std::string* symbol = symbols->Find(*record);
        dbn::AppendJson(out.buffer(), *record, args.pretty, &symbol);
      } else {
        dbn::AppendJson(out.buffer(), *record, args.pretty);
      }
    } catch (const std::invalid_argument& e) {
      throw dbn::DecodeError(decoder.source_name(), decoder.record_offset(), e.what());
    }
    out.MaybeFlush();
  }
}

void RunToJson(const ToJsonArgs& args) {
  auto decoder = OpenInput(args);
  Output out;
  try {
    PrintJson(decoder, args, out);
  } catch (const dbn::DecodeError&) {
    // As the official CLI: the records before the bad one are printed, then the error. A write error
    // here is dropped in favour of the decode error (main's final stdout check still fails the run).
    try {
      out.Flush();
    } catch (const Error&) {
    }
    throw;
  }
  out.Flush();
}

std::string TsText(std::uint64_t ts) {
  if (ts == dbn::kUndefTimestamp) return "none";
  return fmt::format("{} ({})", dbn::FormatTimestamp(ts), ts);
}

void RunInfo(const ToJsonArgs& args) {
  auto decoder = OpenInput(args);
  std::array<std::uint64_t, 256> counts{};
  std::uint64_t total = 0;
  std::uint64_t bytes = 0;
  while (const dbn::RecordRef* record = decoder.Next()) {
    ++counts[static_cast<std::uint8_t>(record->rtype())];
    ++total;
    bytes += record->size();
  }
  std::string text =
      fmt::format("file: {}\ncompression: {}\n", decoder.source_name(), decoder.compressed() ? "zstd" : "none");
  if (decoder.has_metadata()) {
    const auto& m = decoder.metadata();
    const auto list = [](const std::vector<std::string>& values) {
      return fmt::format("{} [{}]", values.size(), fmt::join(values, ", "));
    };
    text += fmt::format("version: {} (input {})\n", m.version, decoder.input_version());
    text += fmt::format("dataset: {}\nschema: {}\n", m.dataset, m.schema ? dbn::ToString(*m.schema) : "mixed");
    text += fmt::format("start: {}\nend: {}\nlimit: {}\n", TsText(m.start), TsText(m.end), m.limit);
    text += fmt::format("stype_in: {}\nstype_out: {}\nts_out: {}\nsymbol_cstr_len: {}\n",
                        m.stype_in ? dbn::ToString(*m.stype_in) : "mixed", dbn::ToString(m.stype_out), m.ts_out,
                        m.symbol_cstr_len);
    text += fmt::format("symbols: {}\npartial: {}\nnot_found: {}\nmappings: {}\n", list(m.symbols), list(m.partial),
                        list(m.not_found), m.mappings.size());
    constexpr int kShown = 20;
    int shown = 0;
    for (const auto& mapping : m.mappings) {
      for (const auto& interval : mapping.intervals) {
        if (shown++ < kShown) {
          text += fmt::format("  {} [{}, {}) -> {}\n", mapping.raw_symbol, interval.start_date, interval.end_date,
                              interval.symbol);
        }
      }
    }
    if (shown > kShown) text += fmt::format("  ... {} more intervals\n", shown - kShown);
  } else {
    text += fmt::format("fragment: version {}, no metadata\n", decoder.input_version());
  }
  text += fmt::format("records: {} ({} bytes)\n", total, bytes);
  for (std::size_t r = 0; r < counts.size(); ++r) {
    if (counts[r] == 0) continue;
    const auto name = dbn::ToString(static_cast<dbn::RType>(r));
    text += fmt::format("  rtype 0x{:02x} {}: {}\n", r, name.empty() ? "unknown" : name, counts[r]);
  }
  WriteStdout(text);
}

struct RecodeArgs {
  ToJsonArgs input;
  std::string output;
  bool zstd = false;
  bool fragment = false;
};

// Decodes and re-encodes: byte-identical to the input for as-is decoding of a canonical file.
void RunRecode(const RecodeArgs& args) {
  auto decoder = OpenInput(args.input);
  const auto compression = args.zstd ? dbn::Compression::kZstd : dbn::Compression::kNone;
  auto encoder = args.fragment || !decoder.has_metadata()
                     ? dbn::Encoder::FragmentToFile(args.output, compression)
                     : dbn::Encoder::ToFile(args.output, decoder.metadata(), compression);
  while (const dbn::RecordRef* record = decoder.Next()) encoder.Write(record->header());
  encoder.Finish();
}

void AddInputOptions(CLI::App& cmd, ToJsonArgs& args) {
  cmd.add_option("file", args.file, "DBN file (.dbn, .dbn.zst or a fragment); '-' reads standard input")->required();
  auto* frag = cmd.add_flag("--input-fragment", args.input_fragment,
                            "Interpret the input as an uncompressed DBN fragment (records without metadata)");
  auto* zfrag = cmd.add_flag("--input-zstd-fragment", args.input_zstd_fragment,
                             "Interpret the input as a zstd-compressed DBN fragment");
  frag->excludes(zfrag);
  cmd.add_option("--input-dbn-version", args.input_dbn_version,
                 "DBN version of the fragment (default: the current version, 3)")
      ->check(CLI::Range(1, 3));
  cmd.add_flag("-u,--upgrade", args.upgrade, "Upgrade records of DBN versions 1 and 2 to version 3");
}

}  // namespace

void AddDbnCommand(CLI::App& app) {
  auto* dbn_cmd = app.add_subcommand("dbn", "Decode Databento DBN files");
  dbn_cmd->require_subcommand(1);

  auto args = std::make_shared<ToJsonArgs>();
  auto* to_json = dbn_cmd->add_subcommand("to-json", "Print records as JSON lines, like the official `dbn --json`");
  AddInputOptions(*to_json, *args);
  auto* metadata = to_json->add_flag("-m,--metadata", args->metadata, "Print the metadata instead of the records");
  to_json->add_flag("-p,--pretty", args->pretty, "ISO 8601 timestamps, decimal prices and indented output");
  auto* map_symbols = to_json->add_flag("-s,--map-symbols", args->map_symbols,
                                        "Add a 'symbol' field from the metadata's symbology mappings");
  to_json->add_option_function<std::string>(
      "-l,--limit", [args](const std::string& text) { args->limit = ParseLimit(text); },
      "Print at most NUM_RECORDS records (a positive integer)");
  for (const char* name : {"--input-fragment", "--input-zstd-fragment"}) {
    auto* frag = to_json->get_option(name);
    frag->excludes(metadata);
    frag->excludes(map_symbols);
  }
  to_json->callback([args] { RunToJson(*args); });

  auto info_args = std::make_shared<ToJsonArgs>();
  auto* info = dbn_cmd->add_subcommand("info", "Print metadata and record counts per rtype");
  AddInputOptions(*info, *info_args);
  info->callback([info_args] { RunInfo(*info_args); });

  auto recode_args = std::make_shared<RecodeArgs>();
  auto* recode = dbn_cmd->add_subcommand("recode", "Decode a DBN file and encode it again (optionally upgraded)");
  AddInputOptions(*recode, recode_args->input);
  recode->add_option("output", recode_args->output, "Output file")->required();
  recode->add_flag("-z,--zstd", recode_args->zstd, "Zstd-compress the output");
  recode->add_flag("-F,--fragment", recode_args->fragment, "Write records only, no metadata");
  recode->callback([recode_args] { RunRecode(*recode_args); });
}

}  // namespace spymaster::cli
