// One window as the stream sends it (stream.md Part 1): batch_start, then per requested surface a
// surface_header text message and one binary message holding a complete Arrow IPC stream (schema, one
// record batch, end-of-stream). A group is immutable once encoded (queued and written without copies).
#pragma once

#include <arrow/type_fwd.h>

#include <boost/asio/buffer.hpp>
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
  // The messages as WebSocket frames (server to client: final, unmasked), header and payload buffers in
  // order, so that a session writes a whole window in one gathered write (one sendmsg rather than one per
  // message) and every client of the stream shares the framing. Points into `frame_headers` and the
  // messages: set by FrameMessages once the group is complete, and the group is not moved after.
  std::string frame_headers;
  std::vector<boost::asio::const_buffer> wire;
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

// A final, unmasked WebSocket frame header (RFC 6455 §5.2) for a text or binary message of `size` bytes.
std::string FrameHeader(bool binary, std::size_t size);

// Fills `group.frame_headers` and `group.wire` from `group.messages`.
void FrameMessages(WindowMessages& group);

// Text messages outside windows.
Message TextMessage(std::string text);
std::string EndJson(int64_t windows);
std::string ErrorJson(const std::string& message);
std::string DroppedJson(int64_t windows);

}  // namespace spymaster::serve
