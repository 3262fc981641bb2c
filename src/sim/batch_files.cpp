#include "sim/batch_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/sha256.hpp"

namespace spymaster::sim {
namespace {

using Json = nlohmann::ordered_json;

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

std::string Dump(const Json& j) { return j.dump(4); }

std::vector<const Instrument*> SortedBySymbol(const ProductPlan& plan) {
  std::vector<const Instrument*> out;
  for (const auto& in : plan.instruments) out.push_back(&in);
  std::sort(out.begin(), out.end(),
            [](const Instrument* a, const Instrument* b) { return a->raw_symbol < b->raw_symbol; });
  return out;
}

}  // namespace

dbn::Metadata MakeMetadata(const ProductPlan& plan, const Job& job, const Session& session) {
  dbn::Metadata md;
  md.version = 3;
  md.dataset = plan.dataset;
  md.schema = job.schema;
  md.start = session.day_start_ns;
  md.end = session.day_end_ns;
  md.stype_in = plan.stype_in;
  md.stype_out = dbn::SType::kInstrumentId;
  md.symbols = plan.query_symbols;
  const std::uint32_t d0 = common::ToYyyymmdd(session.date);
  const std::uint32_t d1 = common::ToYyyymmdd(common::AddDays(session.date, 1));
  for (const Instrument* in : SortedBySymbol(plan)) {
    md.mappings.push_back({in->raw_symbol, {{d0, d1, std::to_string(in->instrument_id)}}});
  }
  return md;
}

void WriteSideFiles(const std::filesystem::path& job_dir, const ProductPlan& plan, const Job& job,
                    const Session& session) {
  const std::string stype_in(dbn::ToString(plan.stype_in));
  const std::string d0 = common::FormatDate(session.date);
  const std::string d1 = common::FormatDate(common::AddDays(session.date, 1));

  Json metadata;
  metadata["version"] = 1;
  metadata["job_id"] = job.job_id;
  metadata["query"] = {{"dataset", plan.dataset},
                       {"schema", job.table},
                       {"symbols", plan.query_symbols},
                       {"stype_in", stype_in},
                       {"stype_out", "instrument_id"},
                       {"start", session.day_start_ns},
                       {"end", session.day_end_ns},
                       {"limit", nullptr},
                       {"encoding", "dbn"},
                       {"compression", "zstd"}};
  metadata["customizations"] = {{"pretty_px", false},     {"pretty_ts", false},      {"map_symbols", false},
                                {"split_symbols", false}, {"split_duration", "day"}, {"split_size", nullptr},
                                {"packaging", nullptr},   {"delivery", "download"}};
  WriteText(job_dir / "metadata.json", Dump(metadata));

  Json symbology;
  Json result = Json::object();
  for (const Instrument* in : SortedBySymbol(plan)) {
    result[in->raw_symbol] = Json::array({{{"d0", d0}, {"d1", d1}, {"s", std::to_string(in->instrument_id)}}});
  }
  symbology["result"] = result;
  symbology["symbols"] = plan.query_symbols;
  symbology["stype_in"] = stype_in;
  symbology["stype_out"] = "instrument_id";
  symbology["start_date"] = d0;
  symbology["end_date"] = d1;
  symbology["partial"] = Json::array();
  symbology["not_found"] = Json::array();
  symbology["message"] = "OK";
  symbology["status"] = 0;
  WriteText(job_dir / "symbology.json", Dump(symbology));

  const Json condition = Json::array({{{"date", d0}, {"condition", "available"}, {"last_modified_date", d0}}});
  WriteText(job_dir / "condition.json", Dump(condition));

  Json files = Json::array();
  for (const std::string name : {"condition.json", "metadata.json", "symbology.json", job.file_name.c_str()}) {
    const auto path = job_dir / name;
    // Simulated jobs were never on Databento's servers: the URLs say so instead of pointing there.
    files.push_back({{"filename", name},
                     {"size", std::filesystem::file_size(path)},
                     {"hash", "sha256:" + common::Sha256File(path)},
                     {"urls",
                      {{"https", fmt::format("simulated://{}/{}", job.job_id, name)},
                       {"ftp", fmt::format("simulated://{}/{}", job.job_id, name)}}}});
  }
  WriteText(job_dir / "manifest.json", Dump(Json{{"job_id", job.job_id}, {"files", files}}));
}

}  // namespace spymaster::sim
