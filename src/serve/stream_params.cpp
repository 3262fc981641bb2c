#include "serve/stream_params.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <stdexcept>

#include "common/calendar.hpp"
#include "common/new_york_time.hpp"

namespace spymaster::serve {
namespace {

constexpr std::string_view kKnown = "symbol, dt, speed, skip_minutes, start, end, surfaces, source";
constexpr std::size_t kMaxValueLength = 64;

bool IsKnown(std::string_view key) {
  for (std::string_view k : {"symbol", "dt", "speed", "skip_minutes", "start", "end", "surfaces", "source"}) {
    if (k == key) return true;
  }
  return false;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void CheckSymbol(const std::string& symbol) {
  bool ok = !symbol.empty() && symbol.size() <= 16;
  for (char c : symbol) ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
  if (!ok) {
    throw ParamError(fmt::format("symbol '{}' is not a symbol: use 1-16 letters and digits, e.g. ESH6 or ES", symbol));
  }
}

int64_t ParseClock(std::string_view name, const std::string& value, const std::string& dt) {
  try {
    const std::chrono::seconds time = common::ParseTimeOfDay(value);
    return common::EpochNs(common::NewYorkToUtc(common::ParseDate(dt), time));
  } catch (const std::invalid_argument&) {
    throw ParamError(fmt::format("{} '{}' is not a time: use HH:MM or HH:MM:SS (America/New_York)", name, value));
  }
}

}  // namespace

std::string UrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      const int hi = i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) throw ParamError("malformed %-escape in the query");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<double> ParseSpeed(std::string_view text) {
  if (text == "max") return std::nullopt;
  double v = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v <= 0.0 ||
      v > kMaxSpeed) {
    throw ParamError(fmt::format("speed '{}' is not valid: use a number in (0, {}] or 'max'", text, kMaxSpeed));
  }
  return v;
}

StreamParams ParseStreamQuery(std::string_view query) {
  std::map<std::string, std::string> values;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string key = UrlDecode(pair.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? std::string() : UrlDecode(pair.substr(eq + 1));
    if (!IsKnown(key)) {
      throw ParamError(fmt::format("unknown parameter '{}'; known: {}", key, kKnown));
    }
    if (value.empty()) throw ParamError(fmt::format("parameter '{}' is empty; give a value or leave it out", key));
    if (value.size() > kMaxValueLength) {
      throw ParamError(fmt::format("parameter '{}' is longer than {} characters", key, kMaxValueLength));
    }
    if (!values.emplace(key, value).second) throw ParamError(fmt::format("parameter '{}' given twice", key));
  }

  StreamParams p;
  if (auto it = values.find("symbol"); it != values.end()) p.symbol = it->second;
  CheckSymbol(p.symbol);
  if (auto it = values.find("dt"); it != values.end()) p.dt = it->second;
  try {
    p.dt = common::FormatDate(common::ParseDate(p.dt));
  } catch (const std::invalid_argument&) {
    throw ParamError(fmt::format("dt '{}' is not a date: use YYYY-MM-DD", p.dt));
  }
  if (auto it = values.find("speed"); it != values.end()) p.speed = ParseSpeed(it->second);
  if (auto it = values.find("skip_minutes"); it != values.end()) {
    const std::string& s = it->second;
    int32_t v = -1;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0 || v > kMaxSkipMinutes) {
      throw ParamError(fmt::format("skip_minutes '{}' is not valid: use a whole number 0..{}", s, kMaxSkipMinutes));
    }
    p.skip_minutes = v;
  }
  if (auto it = values.find("start"); it != values.end()) p.start_ns = ParseClock("start", it->second, p.dt);
  if (auto it = values.find("end"); it != values.end()) p.end_ns = ParseClock("end", it->second, p.dt);
  if (p.start_ns && p.end_ns && *p.start_ns >= *p.end_ns) {
    throw ParamError(fmt::format("start '{}' is not before end '{}'", values["start"], values["end"]));
  }
  if (auto it = values.find("surfaces"); it != values.end()) {
    bool wanted[kSurfaceCount] = {};
    std::string_view list = it->second;
    while (true) {
      const std::size_t comma = list.find(',');
      const std::string_view name = list.substr(0, comma);
      int found = -1;
      for (int s = 0; s < kSurfaceCount; ++s) found = kSurfaceNames[s] == name ? s : found;
      if (found < 0 || wanted[found]) {
        throw ParamError(fmt::format("surfaces '{}': '{}' is {}; use a comma list of snap, velocity, options, forecast",
                                     it->second, name, found < 0 ? "not a surface" : "listed twice"));
      }
      wanted[found] = true;
      if (comma == std::string_view::npos) break;
      list = list.substr(comma + 1);
    }
    p.surfaces.clear();
    for (int s = 0; s < kSurfaceCount; ++s) {
      if (wanted[s]) p.surfaces.push_back(static_cast<Surface>(s));
    }
  }
  if (auto it = values.find("source"); it != values.end()) {
    if (it->second == "replay") {
      p.origin = StreamOrigin::kReplay;
    } else if (it->second == "compute") {
      p.origin = StreamOrigin::kCompute;
    } else if (it->second == "raw") {
      p.origin = StreamOrigin::kRaw;
    } else if (it->second == "live") {
      p.origin = StreamOrigin::kLive;
    } else {
      throw ParamError(
          fmt::format("source '{}' is not valid: use replay (the lake's silver and gold), compute "
                      "(the engine from bronze), raw (the engine from the raw DBN files) or live (the server's Live "
                      "feed)",
                      it->second));
    }
  }
  return p;
}

}  // namespace spymaster::serve
