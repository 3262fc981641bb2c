#include "ingest/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "ingest/api_key.hpp"
#include "lake/interrupt.hpp"

namespace spymaster::ingest {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

CurlPtr NewHandle() {
  GlobalInit();
  CurlPtr curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw Error(ErrorKind::kIo, "libcurl: cannot create a handle");
  return curl;
}

std::string UrlEscape(CURL* curl, const std::string& text) {
  char* escaped = curl_easy_escape(curl, text.c_str(), static_cast<int>(text.size()));
  std::string out = escaped == nullptr ? text : std::string(escaped);
  curl_free(escaped);
  return out;
}

bool RetryableStatus(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

struct HeaderState {
  std::optional<double> retry_after_s;
  std::vector<std::string> warnings;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
  auto* state = static_cast<HeaderState*>(user);
  const std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string value = Trim(line.substr(colon + 1));
  if (name == "retry-after") {
    try {
      state->retry_after_s = std::stod(value);
    } catch (const std::exception&) {
      state->retry_after_s = 1.0;  // an HTTP date: the documented default
    }
  } else if (name == "x-warning") {
    state->warnings.push_back(value);
  }
  return size * n;
}

std::size_t AppendBody(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

void LogWarnings(const HeaderState& headers, std::string_view what) {
  for (const std::string& w : headers.warnings) {
    // A JSON array of strings per the API; anything else is logged as it came.
    const auto parsed = nlohmann::json::parse(w, nullptr, false);
    if (parsed.is_array()) {
      for (const auto& item : parsed) spdlog::warn("{}: server warning: {}", what, item.dump());
    } else {
      spdlog::warn("{}: server warning: {}", what, w);
    }
  }
}

int AbortOnInterrupt(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return lake::InterruptSignal() != 0 ? 1 : 0;
}

void SetCommon(CURL* curl, const std::string& api_key, const RetryPolicy& retry) {
  curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  curl_easy_setopt(curl, CURLOPT_USERNAME, api_key.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, "");
  curl_easy_setopt(curl, CURLOPT_USERAGENT,
                   "Spymaster/"
                   "0.1 C++/libcurl");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(retry.connect_timeout_s * 1000));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(retry.stall_timeout_s)));
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  // Credentials go to the host the request was made to only, never to a redirect target.
  curl_easy_setopt(curl, CURLOPT_UNRESTRICTED_AUTH, 0L);
  // SIGINT/SIGTERM stop a transfer between chunks (the partial file stays for a resume).
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &AbortOnInterrupt);
}

// The server's error body, shortened: a JSON {"detail": ...} is reduced to the detail.
std::string ErrorBody(const std::string& body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("detail")) {
    return parsed["detail"].is_string() ? parsed["detail"].get<std::string>() : parsed["detail"].dump();
  }
  return body.size() > 2000 ? body.substr(0, 2000) + "..." : body;
}

std::string StatusHint(long status) {
  switch (status) {
    case 401:
      return " (authentication failed: check DATABENTO_API_KEY)";
    case 402:
      return " (payment required)";
    case 403:
      return " (the key lacks permission for this dataset)";
    default:
      return "";
  }
}

}  // namespace

std::string FormEncode(const Params& params) {
  CurlPtr curl = NewHandle();
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += UrlEscape(curl.get(), k) + "=" + UrlEscape(curl.get(), v);
  }
  return out;
}

HttpClient::HttpClient(std::string base_url, std::string api_key, RetryPolicy retry)
    : base_url_(std::move(base_url)), api_key_(std::move(api_key)), retry_(retry) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  GlobalInit();
}

void HttpClient::Backoff(int attempt, std::optional<double> retry_after_s) const {
  double delay = retry_after_s.value_or(retry_.first_delay_s * static_cast<double>(1 << std::min(attempt - 1, 20)));
  delay = std::min(delay, retry_.max_delay_s);
  if (!retry_after_s) {
    static thread_local std::mt19937 rng{std::random_device{}()};
    delay *= std::uniform_real_distribution<double>(0.8, 1.2)(rng);
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(std::max(delay, 0.0)));
}

std::string HttpClient::Get(std::string_view method, const Params& params) {
  return Request(false, method, params, true);
}

std::string HttpClient::Post(std::string_view method, const Params& params, bool idempotent) {
  return Request(true, method, params, idempotent);
}

std::string HttpClient::Request(bool post, std::string_view method, const Params& params, bool retry_all) {
  const std::string url = base_url_ + "/v0/" + std::string(method);
  const std::string form = FormEncode(params);
  const std::string what = fmt::format("{} {}", post ? "POST" : "GET", url);
  for (int attempt = 1;; ++attempt) {
    CurlPtr curl = NewHandle();
    SetCommon(curl.get(), api_key_, retry_);
    std::string body;
    HeaderState headers;
    const std::string full_url = post || form.empty() ? url : url + "?" + form;
    curl_easy_setopt(curl.get(), CURLOPT_URL, full_url.c_str());
    if (post) curl_easy_setopt(curl.get(), CURLOPT_COPYPOSTFIELDS, form.c_str());
    curl_slist* list = curl_slist_append(nullptr, "Accept: application/json");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(list, &curl_slist_free_all);
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &headers);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 100'000L);
    const CURLcode rc = curl_easy_perform(curl.get());
    lake::ThrowIfInterrupted();
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    LogWarnings(headers, what);
    std::optional<HttpError> error;
    if (rc != CURLE_OK) {
      error.emplace(0, true, std::nullopt, Redact(fmt::format("{}: {}", what, curl_easy_strerror(rc)), api_key_));
    } else if (status >= 400) {
      error.emplace(
          status, RetryableStatus(status), headers.retry_after_s,
          Redact(fmt::format("{}: HTTP {}{}: {}", what, status, StatusHint(status), ErrorBody(body)), api_key_));
    } else {
      return body;
    }
    // A non-idempotent request may have been carried out when the answer was lost or a 5xx: only a 429
    // (refused before doing anything) is safe to repeat.
    const bool may_retry = error->retryable() && (retry_all || error->status() == 429);
    if (!may_retry || attempt >= retry_.max_attempts) {
      if (may_retry) {
        throw HttpError(error->status(), true, std::nullopt,
                        fmt::format("{} (gave up after {} attempts)", error->what(), attempt));
      }
      throw *error;
    }
    spdlog::warn("{}; retry {}/{}", error->what(), attempt, retry_.max_attempts - 1);
    Backoff(attempt, error->retry_after_s());
  }
}

namespace {

struct DownloadState {
  CURL* curl = nullptr;
  std::FILE* file = nullptr;
  std::filesystem::path path;
  std::uint64_t start = 0;    // bytes in the file before this attempt
  std::uint64_t written = 0;  // bytes appended by this attempt
  std::uint64_t expected = 0;
  bool decided = false;  // whether the status of this response has been looked at
  bool to_file = false;
  std::string error_body;
  bool write_failed = false;
  const ProgressFn* progress = nullptr;
};

std::size_t OnDownloadData(char* data, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<DownloadState*>(user);
  const std::size_t bytes = size * n;
  if (!s->decided) {
    s->decided = true;
    long status = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200 && s->start > 0) {
      // The server sent the whole file instead of the range: start over.
      if (std::fflush(s->file) != 0 || ::ftruncate(fileno(s->file), 0) != 0 || std::fseek(s->file, 0, SEEK_SET) != 0) {
        s->write_failed = true;
        return 0;
      }
      s->start = 0;
    }
    s->to_file = status == 200 || status == 206;
  }
  if (!s->to_file) {
    s->error_body.append(data, bytes);
    return bytes;
  }
  if (std::fwrite(data, 1, bytes, s->file) != bytes) {
    s->write_failed = true;
    return 0;
  }
  s->written += bytes;
  if (*s->progress) (*s->progress)(s->start + s->written, s->expected);
  return bytes;
}

}  // namespace

void HttpClient::DownloadOnce(const std::string& url, const std::filesystem::path& file, std::uint64_t expected_size,
                              const ProgressFn& progress) {
  std::error_code ec;
  const std::uint64_t have = std::filesystem::exists(file, ec) ? std::filesystem::file_size(file, ec) : 0;
  std::unique_ptr<std::FILE, decltype(&std::fclose)> out(std::fopen(file.c_str(), "ab"), &std::fclose);
  if (!out) throw Error(ErrorKind::kIo, fmt::format("cannot open {} for writing", file.string()));
  CurlPtr curl = NewHandle();
  SetCommon(curl.get(), api_key_, retry_);
  DownloadState state;
  state.curl = curl.get();
  state.file = out.get();
  state.path = file;
  state.start = have;
  state.expected = expected_size;
  state.progress = &progress;
  HeaderState headers;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  // A plain Range header rather than CURLOPT_RESUME_FROM: a server that ignores it (200, whole file) is
  // then handled by starting the file over instead of failing the transfer.
  const std::string range = fmt::format("{}-", have);
  if (have > 0) curl_easy_setopt(curl.get(), CURLOPT_RANGE, range.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &OnDownloadData);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &headers);
  const CURLcode rc = curl_easy_perform(curl.get());
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  lake::ThrowIfInterrupted();
  const bool flushed = std::fflush(out.get()) == 0 && ::fsync(fileno(out.get())) == 0;
  LogWarnings(headers, url);
  if (state.write_failed || !flushed) {
    throw Error(ErrorKind::kIo, fmt::format("cannot write {} (disk full?)", file.string()));
  }
  const std::string what = Redact(fmt::format("GET {}", url), api_key_);
  if (status >= 400) {
    throw HttpError(
        status, RetryableStatus(status), headers.retry_after_s,
        Redact(fmt::format("{}: HTTP {}{}: {}", what, status, StatusHint(status), ErrorBody(state.error_body)),
               api_key_));
  }
  if (rc != CURLE_OK) {
    throw HttpError(0, true, std::nullopt,
                    fmt::format("{}: {} after {} bytes", what, curl_easy_strerror(rc), state.start + state.written));
  }
}

}  // namespace spymaster::ingest
