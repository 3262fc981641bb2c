// HTTP for the Databento historical API (spec dbn.md §10.1): libcurl, Basic auth with the API key as the
// user name (set through curl's options, never in a URL, argv or a log line), form-encoded POSTs,
// X-Warning headers logged, and bounded exponential backoff on connection errors, 429 (Retry-After
// honoured) and 5xx.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace spymaster::ingest {

struct RetryPolicy {
  int max_attempts = 5;      // per request, the first one included
  double first_delay_s = 1;  // backoff 1, 2, 4, ... capped, with jitter
  double max_delay_s = 30;
  double connect_timeout_s = 10;
  // A transfer slower than 1 byte/s for this long is dropped (and resumed by the download loop).
  double stall_timeout_s = 100;
};

// A failed request: status is the HTTP status (>= 400) or 0 when no response arrived (connection
// refused, reset, timeout, cut transfer). The message names the endpoint and carries the server's body.
class HttpError : public Error {
 public:
  HttpError(long status, bool retryable, std::optional<double> retry_after_s, const std::string& what)
      : Error{ErrorKind::kIo, what}, status_{status}, retryable_{retryable}, retry_after_s_{retry_after_s} {}
  long status() const { return status_; }
  bool retryable() const { return retryable_; }  // connection errors, 429, 500, 502, 503, 504
  std::optional<double> retry_after_s() const { return retry_after_s_; }

 private:
  long status_;
  bool retryable_;
  std::optional<double> retry_after_s_;
};

using Params = std::vector<std::pair<std::string, std::string>>;

// (bytes in the file so far, bytes expected in total) during a download.
using ProgressFn = std::function<void(std::uint64_t, std::uint64_t)>;

class HttpClient {
 public:
  // base_url like "https://hist.databento.com" (no trailing /v0).
  HttpClient(std::string base_url, std::string api_key, RetryPolicy retry);

  // GET <base>/v0/<method>?params, retried per the policy; the body of a 2xx answer.
  std::string Get(std::string_view method, const Params& params);
  // POST <base>/v0/<method> with a form body. A non-idempotent call (batch.submit_job creates a billable
  // job) is retried only on 429, where the server did nothing; other failures throw at once.
  std::string Post(std::string_view method, const Params& params, bool idempotent);

  // One attempt at GETting `url` into `file`: resumes from the file's current size with a Range
  // request (starts over when the server ignores the range). Throws HttpError; a cut transfer leaves
  // the bytes received in the file for the next attempt.
  void DownloadOnce(const std::string& url, const std::filesystem::path& file, std::uint64_t expected_size,
                    const ProgressFn& progress);

  // Sleeps before retry number `attempt` (1 = first retry): Retry-After when given, else backoff.
  void Backoff(int attempt, std::optional<double> retry_after_s) const;

  const RetryPolicy& retry() const { return retry_; }
  const std::string& base_url() const { return base_url_; }
  const std::string& api_key() const { return api_key_; }

 private:
  std::string Request(bool post, std::string_view method, const Params& params, bool retry_all);

  std::string base_url_;
  std::string api_key_;
  RetryPolicy retry_;
};

// application/x-www-form-urlencoded text of params.
std::string FormEncode(const Params& params);

}  // namespace spymaster::ingest
