#include "sim/simulate.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include "dbn/encoder.hpp"
#include "lake/raw_layout.hpp"
#include "sim/batch_files.hpp"
#include "sim/definitions.hpp"
#include "sim/instruments.hpp"
#include "sim/market_path.hpp"
#include "sim/mbo_generator.hpp"
#include "sim/progress.hpp"
#include "sim/quote_generator.hpp"
#include "sim/rng.hpp"
#include "sim/session.hpp"
#include "sim/stamper.hpp"
#include "sim/statistics_writer.hpp"

namespace spymaster::sim {
namespace {

namespace fs = std::filesystem;

struct Target {
  const ProductPlan* plan;
  const Job* job;
  fs::path final_dir;
  fs::path staging_dir;
  fs::path DataFile() const { return staging_dir / job->file_name; }
};

struct Resolved {
  Scenario scenario;
  Session session;
  std::vector<ProductType> products;
};

Resolved Resolve(const SimOptions& options) {
  if (!(options.scale > 0 && options.scale <= 100)) {
    throw std::invalid_argument(fmt::format("--scale {} must be in (0, 100]", options.scale));
  }
  Resolved r;
  r.scenario = LoadScenario(options.scenario);
  r.session = MakeSession(options.dt, options.start, options.end, r.scenario);
  for (const std::string& name : options.products) {
    const auto p = lake::ParseProductType(name);
    if (!p) {
      throw std::invalid_argument(
          fmt::format("unknown product '{}' (future_mbo, future_option_mbo, equity_mbo, equity_option_mbo)", name));
    }
    if (std::find(r.products.begin(), r.products.end(), *p) == r.products.end()) r.products.push_back(*p);
  }
  if (r.products.empty()) r.products.assign(lake::kAllProductTypes.begin(), lake::kAllProductTypes.end());
  return r;
}

std::uint64_t WriteDefinitions(const ProductPlan& plan, const Target& target, const Session& session) {
  auto enc = dbn::Encoder::ToFile(target.DataFile(), MakeMetadata(plan, *target.job, session), dbn::Compression::kZstd);
  std::uint64_t ts = session.day_start_ns;
  for (const Instrument& in : plan.instruments) {
    enc.Write(MakeDefinition(plan, in, session, ts));
    ts += 1000;
  }
  enc.Finish();
  return plan.instruments.size();
}

struct ProductOutcome {
  std::vector<std::uint64_t> records;  // per target of the product, in job order
};

using ProgressFn = std::function<void(double)>;

// Merges the per-instrument generators of one file by event time (ties by instrument order).
template <class Gen>
class Merger {
 public:
  explicit Merger(std::vector<Gen>& gens) : gens_(gens) {
    for (std::uint32_t i = 0; i < gens_.size(); ++i) Push(i);
  }
  bool Empty() const { return heap_.empty(); }
  std::uint64_t TopTs() const { return heap_.front().first; }
  std::uint32_t Pop() {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    const std::uint32_t i = heap_.back().second;
    heap_.pop_back();
    return i;
  }
  void Push(std::uint32_t i) {
    const std::uint64_t ts = gens_[i].next_ts();
    if (ts == std::numeric_limits<std::uint64_t>::max()) return;
    heap_.emplace_back(ts, i);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }

 private:
  std::vector<Gen>& gens_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> heap_;
};

std::uint64_t StreamSeed(std::uint64_t seed, const ProductPlan& plan) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : std::string(ToString(plan.product)) + "/" + plan.root)
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
  return seed ^ h;
}

// One product: its market-data file (MBO or CMBP-1) from the per-instrument generators merged in time
// order, plus the definition and statistics files that accompany option products.
template <class Gen, class Msg>
ProductOutcome GenerateProduct(const ProductPlan& plan, const std::vector<Target>& targets, const Session& session,
                               const MarketPath& path, const SimOptions& options, const ProgressFn& progress) {
  constexpr bool kMbo = std::is_same_v<Gen, MboGenerator>;
  const std::uint64_t seed = StreamSeed(options.seed, plan);
  ProductOutcome outcome;
  outcome.records.assign(targets.size(), 0);
  auto data = dbn::Encoder::ToFile(targets[0].DataFile(), MakeMetadata(plan, *targets[0].job, session),
                                   dbn::Compression::kZstd);
  std::optional<dbn::Encoder> stats_encoder;
  std::optional<StatisticsWriter> stats;
  std::size_t stats_target = 0;
  for (std::size_t t = 1; t < targets.size(); ++t) {
    if (targets[t].job->schema == dbn::Schema::kDefinition)
      outcome.records[t] = WriteDefinitions(plan, targets[t], session);
    if (targets[t].job->schema == dbn::Schema::kStatistics) {
      stats_encoder.emplace(dbn::Encoder::ToFile(targets[t].DataFile(), MakeMetadata(plan, *targets[t].job, session),
                                                 dbn::Compression::kZstd));
      stats.emplace(plan, path, session, &*stats_encoder, Rng(seed, 0x57A7), Rng(seed, 0x57A8));
      stats_target = t;
    }
  }
  std::vector<Gen> gens;
  gens.reserve(plan.instruments.size());
  for (std::size_t i = 0; i < plan.instruments.size(); ++i) {
    if constexpr (kMbo) {
      // CME order ids are 13-digit numbers, Nasdaq's small sequential ones; each instrument its own range.
      const std::uint64_t id_base = plan.dataset == "GLBX.MDP3" ? 6'400'000'000'000ULL : 100'000'000ULL;
      gens.emplace_back(plan.instruments[i], path, session, options.scale, Rng(seed, 1000 + i),
                        id_base + static_cast<std::uint64_t>(i) * 10'000'000'000ULL);
    } else {
      gens.emplace_back(plan.instruments[i], path, session, options.scale, Rng(seed, 1000 + i));
    }
  }
  Stamper stamper(plan.publisher_id, Rng(seed, 0x57A3));
  std::vector<Msg> out;
  out.reserve(4096);
  auto flush = [&](std::size_t index) {
    for (auto& m : out) {
      stamper.Apply(m, plan.instruments[index].instrument_id);
      data.Write(m);
      if (stats && m.action == 'T') stats->Trade(m.hd.ts_event, index, m.price);
    }
    outcome.records[0] += out.size();
    out.clear();
  };
  // The opening: MBO files start with a clear + snapshot of every book, CMBP-1 with every first quote.
  auto opening = [&](std::uint64_t ts) {
    for (std::size_t i = 0; i < gens.size(); ++i) {
      if constexpr (kMbo) {
        gens[i].Snapshot(ts, out);
      } else {
        gens[i].Open(ts, out);
      }
      flush(i);
    }
  };
  opening(session.snapshot_ns);
  if (stats) stats->Opening(session.snapshot_ns);
  std::vector<std::uint64_t> clears;
  if constexpr (kMbo) {
    for (const auto& e : session.episodes) {
      if (e.episode.kind == EpisodeKind::kClearSnapshot) clears.push_back(e.begin_ns);
    }
  }
  std::size_t next_clear = 0;
  Merger merger(gens);
  const double span = static_cast<double>(session.close_ns - session.snapshot_ns);
  std::uint64_t steps = 0;
  while (!merger.Empty()) {
    const std::uint64_t ts = merger.TopTs();
    if (next_clear < clears.size() && clears[next_clear] <= ts) {
      opening(clears[next_clear++]);
      continue;
    }
    const std::uint32_t g = merger.Pop();
    gens[g].Step(out);
    flush(g);
    merger.Push(g);
    if ((++steps & 0x3FFF) == 0) progress(static_cast<double>(ts - session.snapshot_ns) / span);
  }
  while (next_clear < clears.size()) opening(clears[next_clear++]);
  data.Finish();
  if (stats) {
    stats_encoder->Finish();
    outcome.records[stats_target] = stats->records();
  }
  progress(1.0);
  return outcome;
}

bool IsDataFileFor(const fs::path& file, const Session& session, const std::string& table) {
  const std::string name = file.filename().string();
  const std::string needle = fmt::format("-{}.{}.dbn", common::ToYyyymmdd(session.date), table);
  return name.find(needle) != std::string::npos;
}

// Refuses before anything is generated: existing raw files for the day (unless --overwrite and they are
// our own simulated job's files) and unwritable directories.
void CheckTargets(const std::vector<Target>& targets, const Session& session, bool overwrite) {
  for (const Target& t : targets) {
    const fs::path table_dir = t.final_dir.parent_path();
    std::error_code ec;
    if (fs::is_directory(table_dir, ec)) {
      for (const auto& job : fs::directory_iterator(table_dir)) {
        if (!job.is_directory() || job.path().filename().string().starts_with(".")) continue;
        for (const auto& file : fs::directory_iterator(job.path())) {
          if (!IsDataFileFor(file.path(), session, t.job->table)) continue;
          if (!overwrite) {
            throw std::runtime_error(
                fmt::format("raw file already present: {} (pass --overwrite to replace "
                            "simulated files)",
                            file.path().string()));
          }
          if (job.path() != t.final_dir) {
            throw std::runtime_error(
                fmt::format("refusing to overwrite {}: it belongs to job {}, not to the "
                            "simulator's {}; remove it yourself if you mean to",
                            file.path().string(), job.path().filename().string(), t.job->job_id));
          }
        }
      }
    }
    if (!overwrite && fs::exists(t.final_dir)) {
      throw std::runtime_error(
          fmt::format("raw job directory already present: {} (pass --overwrite to replace "
                      "simulated files)",
                      t.final_dir.string()));
    }
  }
  for (const Target& t : targets) {
    std::error_code ec;
    fs::create_directories(t.final_dir.parent_path(), ec);
    if (ec) {
      throw std::runtime_error(
          fmt::format("cannot create directory {}: {}", t.final_dir.parent_path().string(), ec.message()));
    }
    if (access(t.final_dir.parent_path().c_str(), W_OK) != 0) {
      throw std::runtime_error(fmt::format("directory {} is not writable", t.final_dir.parent_path().string()));
    }
  }
}

}  // namespace

std::string Describe(const SimOptions& options) { return DescribeSession(Resolve(options).session); }

SimReport Simulate(const SimOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const Resolved resolved = Resolve(options);
  const Session& session = resolved.session;
  const MarketPath path(session, options.seed);
  const std::vector<ProductPlan> plans = PlanDay(session, path, resolved.products);

  std::vector<std::vector<Target>> targets(plans.size());
  std::vector<Target> all;
  const std::string tag = fmt::format(".tmp-{}", getpid());
  for (std::size_t p = 0; p < plans.size(); ++p) {
    for (const Job& job : plans[p].jobs) {
      const fs::path table_dir = lake::RawTableDir(options.lake, plans[p].product, plans[p].root, job.table);
      Target t{&plans[p], &job, table_dir / job.job_id, table_dir / ("." + job.job_id + tag)};
      targets[p].push_back(t);
      all.push_back(t);
    }
  }
  CheckTargets(all, session, options.overwrite);

  auto cleanup = [&] {
    for (const Target& t : all) {
      std::error_code ec;
      fs::remove_all(t.staging_dir, ec);
    }
  };
  std::vector<std::string> names;
  names.reserve(plans.size());
  for (const auto& p : plans) names.push_back(fmt::format("{}/{}", ToString(p.product), p.root));
  Progress progress(names, options.progress);
  std::vector<ProductOutcome> outcomes(plans.size());
  try {
    for (const Target& t : all) {
      fs::remove_all(t.staging_dir);
      fs::create_directory(t.staging_dir);
    }
    // Products are independent (own random streams, own files), so running them on parallel threads
    // cannot change a byte of the output.
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto worker = [&] {
      for (std::size_t p; (p = next.fetch_add(1)) < plans.size();) {
        try {
          const ProgressFn report = [&progress, p](double f) { progress.Update(p, f); };
          outcomes[p] =
              plans[p].product == ProductType::kEquityOptionMbo
                  ? GenerateProduct<QuoteGenerator, dbn::Cmbp1Msg>(plans[p], targets[p], session, path, options, report)
                  : GenerateProduct<MboGenerator, dbn::MboMsg>(plans[p], targets[p], session, path, options, report);
          for (const Target& t : targets[p]) WriteSideFiles(t.staging_dir, plans[p], *t.job, session);
        } catch (...) {
          std::lock_guard lock(error_mutex);
          if (!error) error = std::current_exception();
        }
      }
    };
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    const unsigned n_threads = std::min<unsigned>(options.threads > 0 ? static_cast<unsigned>(options.threads) : hw,
                                                  static_cast<unsigned>(plans.size()));
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < n_threads; ++i) pool.emplace_back(worker);
    worker();
    for (auto& th : pool) th.join();
    progress.Finish();
    if (error) std::rethrow_exception(error);
    for (const Target& t : all) {
      if (fs::exists(t.final_dir)) fs::remove_all(t.final_dir);  // CheckTargets allowed it (--overwrite)
      fs::rename(t.staging_dir, t.final_dir);
    }
  } catch (...) {
    progress.Finish();
    cleanup();
    throw;
  }

  SimReport report;
  for (std::size_t p = 0; p < plans.size(); ++p) {
    for (std::size_t j = 0; j < targets[p].size(); ++j) {
      const Target& t = targets[p][j];
      const fs::path file = t.final_dir / t.job->file_name;
      report.files.push_back({file, std::string(ToString(plans[p].product)), plans[p].root, t.job->table,
                              outcomes[p].records[j], fs::file_size(file)});
      report.records += outcomes[p].records[j];
    }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace spymaster::sim
