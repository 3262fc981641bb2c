// The query of ws://HOST:PORT/v1/velocity/stream (stream.md Part 1), parsed and validated. Anything
// invalid throws ParamError with a message that names the parameter and says what is accepted; the
// server sends it as {"type":"error"} and closes with 1008.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace spymaster::serve {

class ParamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Surface : uint8_t { kSnap, kVelocity, kOptions, kForecast };
inline constexpr std::string_view kSurfaceNames[] = {"snap", "velocity", "options", "forecast"};
inline constexpr int kSurfaceCount = 4;

// Where windows come from: the lake's silver/gold partitions, the engine driven from bronze or from the
// raw DBN day files (through bronze's normalization, as `run --source raw`), or the engine driven by the
// server's Live feed (serve --live).
enum class StreamOrigin : uint8_t { kReplay, kCompute, kRaw, kLive };
inline constexpr std::string_view kOriginNames[] = {"replay", "compute", "raw", "live"};

inline constexpr double kMaxSpeed = 10000.0;
inline constexpr int32_t kMaxSkipMinutes = 24 * 60;

struct StreamParams {
  std::string symbol = "ESH6";
  std::string dt = "2026-01-06";
  std::optional<double> speed = 1.0;  // nullopt: "max", as fast as the client reads
  int32_t skip_minutes = 0;
  std::optional<int64_t> start_ns;  // windows starting before this are not sent (UTC ns)
  std::optional<int64_t> end_ns;    // windows ending after this are not sent
  std::vector<Surface> surfaces = {Surface::kSnap, Surface::kVelocity, Surface::kOptions, Surface::kForecast};
  StreamOrigin origin = StreamOrigin::kReplay;
};

// Decodes %XX and '+' of a query component; throws ParamError on a malformed escape.
std::string UrlDecode(std::string_view text);

// Parses the query part of a request target (after '?', may be empty).
StreamParams ParseStreamQuery(std::string_view query);

// A speed value as the query and the control message give it: a number in (0, 10000] or "max".
std::optional<double> ParseSpeed(std::string_view text);

}  // namespace spymaster::serve
