// MergeSource's order for records pushed as they arrive (Live): the underlying's records (origin 0) and its
// options' (origin 1), each input in arrival order, come out as MergeSource would give them: the head of
// input 0 first unless input 1's head has the smaller ts_event. MergeSource sees both heads; a push merge
// sees input k's next record only once it arrived, so while one input is empty the other's records wait:
//   - Drain emits while both inputs hold records (exactly MergeSource's choices);
//   - Release(w) also emits the waiting input's heads with ts_event <= w, the live clock's watermark: a record
//     arriving later has a ts_event above the watermark (that is what the watermark asserts: no record lags the
//     gateway clock by more than the close grace), so MergeSource would have chosen these first too;
//   - Flush (end of input) emits everything, as MergeSource does once an input is exhausted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "book/mbo_event.hpp"

namespace spymaster::engine {

class PushMerge {
 public:
  void Push(uint8_t origin, const book::MboEvent& event) {
    Queue& q = queues_[origin];
    q.events.push_back(event);
    q.events.back().origin = origin;
  }

  template <class Emit>
  void Drain(Emit&& emit) {
    while (!Empty(0) && !Empty(1)) emit(Pop(Head(0).ts_event <= Head(1).ts_event ? 0 : 1));
  }

  template <class Emit>
  void Release(int64_t watermark, Emit&& emit) {
    Drain(emit);
    for (int k = 0; k < 2; ++k) {
      while (!Empty(k) && static_cast<int64_t>(Head(k).ts_event) <= watermark) emit(Pop(k));
    }
  }

  template <class Emit>
  void Flush(Emit&& emit) {
    Drain(emit);
    for (int k = 0; k < 2; ++k) {
      while (!Empty(k)) emit(Pop(k));
    }
  }

  std::size_t waiting() const { return Size(0) + Size(1); }

 private:
  // A FIFO on a vector that keeps its capacity (no allocation once grown).
  struct Queue {
    std::vector<book::MboEvent> events;
    std::size_t head = 0;
  };
  bool Empty(int k) const { return queues_[k].head == queues_[k].events.size(); }
  std::size_t Size(int k) const { return queues_[k].events.size() - queues_[k].head; }
  const book::MboEvent& Head(int k) const { return queues_[k].events[queues_[k].head]; }
  book::MboEvent Pop(int k) {
    Queue& q = queues_[k];
    const book::MboEvent e = q.events[q.head++];
    if (q.head == q.events.size()) {
      q.events.clear();
      q.head = 0;
    } else if (q.head >= 4096 && q.head * 2 >= q.events.size()) {
      q.events.erase(q.events.begin(), q.events.begin() + static_cast<std::ptrdiff_t>(q.head));
      q.head = 0;
    }
    return e;
  }

  Queue queues_[2];
};

}  // namespace spymaster::engine
