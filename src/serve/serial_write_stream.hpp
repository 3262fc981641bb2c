// The layer under a session's websocket::stream: it lets the session write a window's pre-framed messages
// (WindowMessages::wire) in one gathered write next to Beast's own writes (pong, close) without their bytes
// interleaving. Every write, Beast's or the session's, is written whole (async_write_some here completes
// only when all its bytes are out) and one at a time: a write asked for while another is in flight waits for
// it. Beast writes each frame in one asio::async_write, which hands this layer at most 64 KiB per call: so
// Beast's frames stay contiguous only while they are that small, as pong and close frames are (≤ 127 bytes);
// the session writes its messages itself (already framed) and never through Beast. Reads pass through.
#pragma once

#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <type_traits>
#include <utility>

namespace spymaster::serve {

class SerialWriteStream {
 public:
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;

  explicit SerialWriteStream(boost::asio::ip::tcp::socket&& socket) : next_(std::move(socket)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() noexcept { return next_; }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    using Op = Waiting<ConstBuffers, std::decay_t<Handler>>;
    if (writing_) {
      waiting_.push_back(std::make_unique<Op>(*this, buffers, std::forward<Handler>(handler)));
      return;
    }
    Write(buffers, std::forward<Handler>(handler));
  }

 private:
  struct Pending {
    virtual ~Pending() = default;
    virtual void Start() = 0;
  };

  template <class ConstBuffers, class Handler>
  struct Waiting : Pending {
    Waiting(SerialWriteStream& s, const ConstBuffers& b, Handler&& h) : stream(s), buffers(b), handler(std::move(h)) {}
    void Start() override { stream.Write(buffers, std::move(handler)); }
    SerialWriteStream& stream;
    ConstBuffers buffers;
    Handler handler;
  };

  // Completes a whole write: starts the next waiting one, then hands the result on. Runs on the socket's
  // executor, which is the session's (one io_context per I/O thread). A plain pointer to the stream: every
  // write's final handler (the session's own, or Beast's read and close operations') holds the session that
  // owns it.
  template <class Handler>
  struct Done {
    SerialWriteStream* stream;
    Handler handler;
    void operator()(boost::system::error_code ec, std::size_t bytes) {
      stream->writing_ = false;
      if (!stream->waiting_.empty()) {
        const std::unique_ptr<Pending> next = std::move(stream->waiting_.front());
        stream->waiting_.pop_front();
        next->Start();
      }
      handler(ec, bytes);
    }
    // A session's write loop marks its handler as a continuation; keep that through this layer.
    friend bool asio_handler_is_continuation(Done* done) {
      return boost_asio_handler_cont_helpers::is_continuation(done->handler);
    }
  };

  // asio's transfer_all hands the socket at most 64 KiB per call; a window (~100 KB) goes in one sendmsg
  // when the socket takes it.
  static std::size_t Uncapped(const boost::system::error_code& ec, std::size_t) {
    return ec ? 0 : static_cast<std::size_t>(-1);
  }

  template <class ConstBuffers, class Handler>
  void Write(const ConstBuffers& buffers, Handler&& handler) {
    writing_ = true;
    boost::asio::async_write(next_, buffers, &Uncapped,
                             Done<std::decay_t<Handler>>{this, std::forward<Handler>(handler)});
  }

  next_layer_type next_;
  bool writing_ = false;
  std::deque<std::unique_ptr<Pending>> waiting_;
};

// Beast closes a WebSocket by tearing down its lowest layer; found by argument-dependent lookup.
template <class Handler>
void async_teardown(boost::beast::role_type role, SerialWriteStream& stream, Handler&& handler) {
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

inline void teardown(boost::beast::role_type role, SerialWriteStream& stream, boost::system::error_code& ec) {
  teardown(role, stream.next_layer(), ec);
}

}  // namespace spymaster::serve
