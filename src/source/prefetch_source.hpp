// Runs another source's decoding on a second thread, a few batches ahead, so that decoding (zstd + DBN,
// or Parquet) and the engine use both cores on one partition without splitting a book. Batches are
// copied out of the inner source (its buffers are reused) into a small ring of owned vectors.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/record_source.hpp"

namespace spymaster::source {

class PrefetchSource final : public engine::RecordSource {
 public:
  // `depth` batches may be decoded ahead of the consumer.
  explicit PrefetchSource(std::unique_ptr<engine::RecordSource> inner, std::size_t depth = 4);
  // Stops the worker (it finishes the batch in hand) and joins it.
  ~PrefetchSource() override;
  PrefetchSource(const PrefetchSource&) = delete;
  PrefetchSource& operator=(const PrefetchSource&) = delete;

  // Rethrows, on the consumer's thread, whatever the inner source threw.
  std::span<const book::MboEvent> NextBatch() override;
  // The inner source's counters once its input has ended (or it failed); read after the last batch.
  std::map<std::string, int64_t> Counters() const override;

 private:
  void Work();

  std::unique_ptr<engine::RecordSource> inner_;
  std::vector<std::vector<book::MboEvent>> ring_;
  std::size_t head_ = 0;    // next slot the consumer takes
  std::size_t filled_ = 0;  // slots ready for the consumer
  bool done_ = false;       // the worker has stored its last batch (or an error)
  bool stop_ = false;
  bool consumer_holds_ = false;  // the consumer still reads the slot it took last
  std::exception_ptr error_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::thread worker_;
};

}  // namespace spymaster::source
