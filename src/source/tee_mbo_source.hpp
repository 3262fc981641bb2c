// Engine records from bronze's own record batches while bronze writes them (`run --layer all`): bronze
// pushes each batch of the partition the engine needs from its thread, the engine takes them on another.
// The partition is then never read back, and bronze and the engine overlap on two cores. Batches go
// through BronzeMboDecoder, the read-back's decoding and checks, so both give the engine the same events.
//
// The producer never waits for a consumer that has stopped (Close), and the consumer never waits for a
// producer that has stopped: Fail hands it the reason, which its next NextBatch throws.
#pragma once

#include <arrow/type_fwd.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/record_source.hpp"
#include "source/bronze_mbo_decoder.hpp"

namespace spymaster::source {

class TeeMboSource final : public engine::RecordSource {
 public:
  // `where` names the bronze partition in errors; at most `depth` decoded batches wait for the consumer.
  explicit TeeMboSource(std::string where, std::size_t depth = 4);

  // Producer side. Decodes the batch and queues it, waiting while `depth` batches are queued; a batch
  // the decoder refuses becomes the consumer's error (after the batches before it). Dropped after Close,
  // End or Fail.
  void Push(const arrow::RecordBatch& batch);
  // Every batch has been pushed: NextBatch returns empty after the last one.
  void End();
  // The input will not be complete (bronze failed, or is rewriting the partition another way): the next
  // NextBatch throws `error` instead of returning a batch. No effect after End.
  void Fail(std::exception_ptr error);
  // Rows pushed and accepted so far (what bronze's partition holds once End was called).
  int64_t rows_pushed() const;

  // Consumer side.
  std::span<const book::MboEvent> NextBatch() override;
  // Rows handed out, under the read-back's name (the same count as BronzeMboSource's for the same run).
  std::map<std::string, int64_t> Counters() const override;
  // The consumer reads no more: pending and later batches are dropped, so the producer never waits.
  void Close();

 private:
  BronzeMboDecoder decoder_;  // producer's
  std::size_t depth_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::vector<book::MboEvent>> queue_;
  std::vector<std::vector<book::MboEvent>> spare_;  // storage of batches already consumed, reused
  std::vector<book::MboEvent> current_;             // the batch the consumer reads
  std::exception_ptr error_;
  bool ended_ = false;
  bool closed_ = false;
  int64_t rows_pushed_ = 0;
  int64_t rows_read_ = 0;
};

}  // namespace spymaster::source
