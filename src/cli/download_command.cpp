// `spymaster download futures|equities ... daemon|submit|poll`: Databento batch jobs into the raw lake
// (src/ingest/batch_download.hpp, docs/ingest.md). The API key comes only from DATABENTO_API_KEY.
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "common/error.hpp"
#include "common/standard_output.hpp"
#include "ingest/api_key.hpp"
#include "ingest/batch_download.hpp"
#include "lake/interrupt.hpp"

namespace spymaster::cli {
namespace {

struct DownloadArgs {
  std::string market;
  std::string action;
  std::string start;
  std::string end;
  std::string symbols;
  bool include_futures = false;
  std::string options_schemas;
  double poll_interval_s = 30;
  std::string base_url = "https://hist.databento.com";
  std::string lake = "lake";
  std::string tracker;
  bool dry_run = false;
  int max_attempts = 5;
  double retry_delay_s = 1;
};

void RunDownload(const DownloadArgs& a) {
  const ingest::Market market = a.market == "futures" ? ingest::Market::kFutures : ingest::Market::kEquities;
  if (a.poll_interval_s < 0) throw UsageError("--poll-interval: must be >= 0");
  if (a.max_attempts < 1) throw UsageError("--max-attempts: must be >= 1");
  if (a.retry_delay_s < 0) throw UsageError("--retry-delay: must be >= 0");
  if (a.base_url.rfind("http://", 0) != 0 && a.base_url.rfind("https://", 0) != 0) {
    throw UsageError("--base-url: must start with http:// or https://");
  }
  const bool needs_request = a.action != "poll";
  std::optional<ingest::DownloadRequest> request;
  if (needs_request || !a.start.empty()) {
    request = ingest::MakeRequest(market, a.start, a.end, a.symbols, a.include_futures, a.options_schemas);
  }
  if (a.dry_run && a.action == "poll") throw UsageError("--dry-run: only with submit or daemon");
  const std::string key = ingest::ApiKeyFromEnvironment();
  lake::InstallInterruptHandlers();

  ingest::RetryPolicy retry;
  retry.max_attempts = a.max_attempts;
  retry.first_delay_s = a.retry_delay_s;
  ingest::HttpClient http(a.base_url, key, retry);
  ingest::JobTracker tracker(a.tracker.empty() ? std::filesystem::path("logs") / (a.market + "_jobs.json")
                                               : std::filesystem::path(a.tracker));
  ingest::BatchDownloader downloader(http, tracker, a.lake);
  if (request) downloader.Plan(*request);
  if (a.dry_run) {
    downloader.DryRun();
    return;
  }
  if (a.action == "submit") {
    downloader.Submit(/*resubmit_failed=*/true);
  } else if (a.action == "poll") {
    const ingest::PollSummary s = downloader.Poll();
    PrintStdout("{} downloaded, {} pending, {} failed (tracker {})\n", s.downloaded, s.pending, s.failed,
                tracker.path().string());
  } else {
    downloader.Daemon(a.poll_interval_s);
  }
}

}  // namespace

void AddDownloadCommand(CLI::App& app) {
  auto a = std::make_shared<DownloadArgs>();
  CLI::App* cmd = app.add_subcommand("download",
                                     "Databento batch jobs (submit, poll, download with SHA-256 checks) into the raw "
                                     "lake; key from DATABENTO_API_KEY");
  cmd->add_option("market", a->market, "futures (GLBX.MDP3) or equities (XNAS.ITCH + OPRA.PILLAR)")
      ->required()
      ->check(CLI::IsMember({"futures", "equities"}));
  cmd->add_option("action", a->action,
                  "submit: submit planned jobs; poll: one pass of status checks and downloads; daemon: both until done")
      ->required()
      ->check(CLI::IsMember({"daemon", "submit", "poll"}));
  cmd->add_option("--start", a->start, "First session date YYYY-MM-DD (weekends are skipped)");
  cmd->add_option("--end", a->end, "Last session date YYYY-MM-DD, inclusive (default: --start)");
  cmd->add_option("--symbols", a->symbols, "Roots, comma-separated: ES (futures); SPY,QQQ (equities)");
  cmd->add_flag("--include-futures", a->include_futures, "futures: also the futures MBO job (ES.FUT)");
  cmd->add_option("--options-schemas", a->options_schemas,
                  "Option schemas, 'definition' first, or 'none' (default futures definition,mbo,statistics; "
                  "equities definition,cmbp-1,statistics)");
  cmd->add_option("--poll-interval", a->poll_interval_s, "daemon: seconds between polls")->capture_default_str();
  cmd->add_option("--base-url", a->base_url, "Historical API base URL")->capture_default_str();
  cmd->add_option("--lake", a->lake, "Lake root; files go under <lake>/raw/source=databento/...")
      ->capture_default_str();
  cmd->add_option("--tracker", a->tracker, "Job tracker JSON (default logs/<market>_jobs.json)");
  cmd->add_flag("--dry-run", a->dry_run, "Print the jobs and their cost (metadata.get_cost); submit nothing");
  cmd->add_option("--max-attempts", a->max_attempts, "Attempts per request or file (429/5xx/cut transfers)")
      ->capture_default_str();
  cmd->add_option("--retry-delay", a->retry_delay_s, "First backoff delay in seconds (doubles, capped at 30)")
      ->capture_default_str();
  cmd->callback([a] { RunDownload(*a); });
}

}  // namespace spymaster::cli
