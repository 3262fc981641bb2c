// Where closed windows go: the lake writer, the stream hub, test collectors. A sink receives each
// window as an immutable shared WindowResult, so it may keep it or hand it to other threads (the hub fans
// one window out to many clients) without a copy.
#pragma once

#include <vector>

#include "engine/engine.hpp"
#include "engine/rows.hpp"

namespace spymaster::engine {

class WindowSink {
 public:
  virtual ~WindowSink() = default;
  virtual void OnWindow(const WindowPtr& window) = 0;
};

// An engine sink that hands every window to each of `sinks`, in order.
inline Engine::Sink ToSinks(std::vector<WindowSink*> sinks) {
  return [sinks = std::move(sinks)](const WindowPtr& window) {
    for (WindowSink* sink : sinks) sink->OnWindow(window);
  };
}

}  // namespace spymaster::engine
