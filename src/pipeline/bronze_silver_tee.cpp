#include "pipeline/bronze_silver_tee.hpp"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <future>
#include <stdexcept>
#include <thread>

#include "lake/mbo_rows.hpp"
#include "lake/partition.hpp"
#include "pipeline/bronze_stages.hpp"
#include "pipeline/mbo_stages.hpp"
#include "source/tee_mbo_source.hpp"

namespace spymaster::pipeline {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string Message(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

// Bronze gave the engine less than the whole partition; silver and gold are computed again from it.
class NotStreamed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace

BronzeSilverOutcome RunBronzeTeeingSilverGold(const StageContext& ctx, const Task& bronze_task,
                                              const std::string& contract) {
  const std::string bronze_key = fmt::format("bronze.{}.mbo", lake::ToString(bronze_task.product_type));
  const lake::PartitionKey part{contract, bronze_task.dt};
  const Task silver_task{bronze_task.product_type, contract, bronze_task.dt};
  source::TeeMboSource tee(fmt::format("{} symbol={} dt={}", bronze_key, contract, bronze_task.dt));
  BronzeTee hook{contract, &tee};
  std::promise<lake::InputRef> bronze_ref;  // set once the partition is committed and checked
  std::shared_future<lake::InputRef> bronze_committed = bronze_ref.get_future().share();

  BronzeSilverOutcome outcome;
  std::exception_ptr silver_error;
  const auto start = std::chrono::steady_clock::now();
  std::thread engine_thread([&] {
    try {
      outcome.silver_gold.result = RunSilverGoldMboFrom(ctx, silver_task, tee, [&] {
        tee.Close();  // the engine is done reading: bronze must not wait for it
        return std::vector<lake::InputRef>{bronze_committed.get()};
      });
    } catch (...) {
      silver_error = std::current_exception();
    }
    tee.Close();
    outcome.silver_gold.seconds = SecondsSince(start);
  });

  std::exception_ptr bronze_error;
  try {
    outcome.bronze.result = RunBronzeMboTeed(ctx, bronze_task, hook);
  } catch (...) {
    bronze_error = std::current_exception();
  }
  outcome.bronze.seconds = SecondsSince(start);
  if (bronze_error) {
    // Silver and gold of this task commit nothing and are not reported, as when bronze fails before them.
    tee.Fail(bronze_error);
    bronze_ref.set_exception(bronze_error);
    engine_thread.join();
    outcome.bronze.error = Message(bronze_error);
    outcome.silver_gold = {};
    return outcome;
  }
  try {
    tee.Fail(std::make_exception_ptr(NotStreamed("bronze did not stream the partition")));  // no-op after End
    if (hook.committed_rows < 0) throw NotStreamed("bronze did not stream the partition");
    // The read-back's check of the partition against its manifest (files, sizes, footer row counts), and
    // the rows it holds are the rows the engine could read.
    lake::OpenPartitionReader(ctx.registry, ctx.lake_root, bronze_key, part, 1 << 16, {"ts_event"});
    if (hook.committed_rows != tee.rows_pushed()) {
      throw std::runtime_error(fmt::format("{} {} {}: {} rows committed, {} rows fed to the engine", bronze_key,
                                           contract, bronze_task.dt, hook.committed_rows, tee.rows_pushed()));
    }
    bronze_ref.set_value(lake::InputRefFor(ctx.registry, ctx.lake_root, bronze_key, part));
  } catch (...) {
    bronze_ref.set_exception(std::current_exception());
  }
  engine_thread.join();

  bool streamed = true;
  try {
    if (silver_error) std::rethrow_exception(silver_error);
  } catch (const NotStreamed&) {
    streamed = false;
  } catch (const std::exception& e) {
    outcome.silver_gold.error = e.what();
  }
  outcome.teed = streamed && !silver_error && !outcome.silver_gold.result.skipped;
  // Reported, not in any manifest (those are written already): what the run summary and tests see.
  if (outcome.teed) outcome.silver_gold.result.counters["fed_by_bronze"] = 1;
  if (!streamed) {
    // Bronze is committed: silver and gold from it, as the two stages would.
    const auto again = std::chrono::steady_clock::now();
    try {
      outcome.silver_gold.result = bronze_task.product_type == ProductType::kFutureMbo
                                       ? RunSilverGoldFutureMbo(ctx, silver_task)
                                       : RunSilverGoldEquityMbo(ctx, silver_task);
    } catch (const std::exception& e) {
      outcome.silver_gold.error = e.what();
    }
    outcome.silver_gold.seconds = SecondsSince(again);
  }
  return outcome;
}

}  // namespace spymaster::pipeline
