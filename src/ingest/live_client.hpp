// Databento Live client (spec dbn.md §11): plain TCP to the gateway, CRAM authentication, subscription
// lines, start_session, then a DBN stream decoded by our codec in push mode. On a dropped connection
// (gateway close, reset, no byte for heartbeat + 5 s) it reconnects with exponential backoff, redoes the
// handshake and resubscribes with `start=<last timestamp seen>` so the gateway replays what was missed;
// replayed records already delivered (before the resume point, or among the ones at exactly that
// timestamp already seen) are skipped. The timestamp is the index timestamp (spec dbn.md §3.4: ts_recv
// where the record has one, else ts_event): the gateway's replay filter and stream order use it, while
// ts_event can go backwards in the stream (late-stamped records), which would make a ts_event resume
// point drop or repeat records. A session whose metadata starts after the resume point
// could not be replayed from there: that is counted as a gap (with its length).
//
//   LiveClient client(options, key);
//   client.Run([](const dbn::Metadata& md, const dbn::RecordRef& rec) { ... return true; });
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dbn/decoder.hpp"

namespace spymaster::ingest {

// One subscription line (chunked by 500 symbols) of a session.
struct LiveSubscription {
  std::string schema = "mbo";
  std::string stype_in = "parent";
  std::vector<std::string> symbols;
};

struct LiveOptions {
  std::string host;  // default: <dataset lower-cased, '.' → '-'>.lsg.databento.com
  int port = 13000;
  std::string dataset = "GLBX.MDP3";
  // Several schemas or symbologies go in one session (one dataset per session): the gateway then sends
  // one stream of mixed records, its metadata's schema and stype_in "mixed" (spec dbn.md §11.3).
  std::vector<LiveSubscription> subscriptions;
  std::string start;  // optional replay start (ns or ISO-8601) of the first session
  int heartbeat_interval_s = 30;
  int max_reconnects = 10;  // consecutive failed attempts before giving up
  double first_backoff_s = 1;
  double max_backoff_s = 30;
};

struct LiveStats {
  std::int64_t records = 0;            // delivered to the handler
  std::int64_t replay_duplicates = 0;  // skipped after a resume
  std::int64_t reconnects = 0;
  std::int64_t gaps = 0;    // resumes the gateway could not replay from the resume point
  std::int64_t gap_ns = 0;  // their total length
  std::string session_id;   // of the current session
};

// Return false to stop (the client closes the socket and Run returns).
using LiveHandler = std::function<bool(const dbn::Metadata&, const dbn::RecordRef&)>;
// Called when every record received so far has been handed out, before waiting for more bytes (a
// recorder flushes there, so that a quiet stream is on disk).
using IdleHandler = std::function<void()>;
// Connection state changes, for whoever shows them: ("live", "...") once a session is authenticated,
// ("reconnecting", reason) when a connection dropped and a new one is about to be tried.
using StatusHandler = std::function<void(const std::string& state, const std::string& message)>;

class LiveClient {
 public:
  LiveClient(LiveOptions options, std::string api_key);

  // Runs sessions until the handler returns false, SIGINT/SIGTERM, or reconnecting fails
  // max_reconnects times in a row (throws Error naming the gateway and the last failure).
  void Run(const LiveHandler& handler, const IdleHandler& on_idle = {});

  void set_status_handler(StatusHandler handler) { on_status_ = std::move(handler); }
  // Called at least every kTickMs while a session waits for bytes (a live window clock's timer runs there,
  // on the thread that runs the handler).
  void set_tick_handler(std::function<void()> handler) { on_tick_ = std::move(handler); }
  static constexpr int kTickMs = 50;
  // From any thread: Run returns within about 200 ms.
  void Stop() { stop_ = true; }

  const LiveStats& stats() const { return stats_; }

  // The gateway host for a dataset: GLBX.MDP3 → glbx-mdp3.lsg.databento.com.
  static std::string DefaultHost(const std::string& dataset);

 private:
  // One connection; returns true when the handler asked to stop, false when the connection dropped.
  bool Session(const LiveHandler& handler, const IdleHandler& on_idle);

  LiveOptions options_;
  std::string api_key_;
  StatusHandler on_status_;
  std::function<void()> on_tick_;
  std::atomic<bool> stop_{false};
  LiveStats stats_;
  std::optional<std::uint64_t> last_ts_;  // index timestamp of the last delivered data record
  std::int64_t seen_at_last_ts_ = 0;      // how many delivered records had exactly that timestamp
  bool delivered_this_session_ = false;
};

}  // namespace spymaster::ingest
