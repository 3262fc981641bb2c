// One window as the stream sends it (stream.md Part 1): batch_start, then per requested surface a
// surface_header text message and one binary message holding a complete Arrow IPC stream (schema, one
// record batch, end-of-stream). A group is immutable once encoded (queued and written without copies).
#pragma once

#include <arrow/type_fwd.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/forecast.hpp"
#include "serve/stream_params.hpp"
#include "serve/stream_window.hpp"

namespace spymaster::serve {

struct Message {
  bool binary = false;
  std::string text;                      // text messages
  std::shared_ptr<arrow::Buffer> bytes;  // binary messages
  const void* data() const;
  std::size_t size() const;
};

struct WindowMessages {
  int64_t window_end_ts_ns = 0;
  std::vector<Message> messages;
  std::size_t bytes = 0;  // payload bytes of all messages
};
using WindowMessagesPtr = std::shared_ptr<const WindowMessages>;

// The stream schemas (stream.md Part 2 §A.5; forecast with 31 rows per window).
std::shared_ptr<arrow::Schema> SnapSchema();
std::shared_ptr<arrow::Schema> VelocitySchema();
std::shared_ptr<arrow::Schema> OptionsSchema();
std::shared_ptr<arrow::Schema> ForecastSchema();

// The window's messages. `window.window->gold` needs only the streamed columns (rel_ticks, side,
// liquidity_velocity, rho, nu, kappa, pressure_grad, u_wave_energy, Omega); `forecast` is its Forecaster output.
WindowMessagesPtr EncodeWindow(const StreamWindow& window, std::span<const engine::ForecastRow> forecast,
                               std::span<const Surface> surfaces);

// Text messages outside windows.
Message TextMessage(std::string text);
std::string EndJson(int64_t windows);
std::string ErrorJson(const std::string& message);
std::string DroppedJson(int64_t windows);

}  // namespace spymaster::serve
