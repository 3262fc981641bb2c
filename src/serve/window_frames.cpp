#include "serve/window_frames.hpp"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <arrow/ipc/writer.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

#include "common/arrow_status.hpp"

namespace spymaster::serve {
namespace {

constexpr int32_t kMaxRelTicks = 200;  // velocity holds the gold cells within ±200

auto Context(const char* what) {
  return [what] { return std::string("encoding the ") + what + " frame"; };
}

// A surface's schema and its IPC schema message, serialized once: every frame starts with the same bytes.
struct StreamSchema {
  std::shared_ptr<arrow::Schema> schema;
  std::shared_ptr<arrow::Buffer> message;
};

StreamSchema MakeStreamSchema(std::shared_ptr<arrow::Schema> schema) {
  auto message = ValueOrThrow(arrow::ipc::SerializeSchema(*schema), Context("schema"));
  return {std::move(schema), std::move(message)};
}

// A complete IPC stream (schema, the batch, end-of-stream marker): the bytes arrow::ipc::MakeStreamWriter
// writes, into one buffer sized up front and without re-serializing the schema for every frame.
std::shared_ptr<arrow::Buffer> IpcStream(const StreamSchema& schema,
                                         const std::vector<std::shared_ptr<arrow::Array>>& columns, int64_t rows,
                                         const char* what) {
  static const arrow::ipc::IpcWriteOptions kOptions = arrow::ipc::IpcWriteOptions::Defaults();
  static constexpr uint32_t kEndOfStream[2] = {0xFFFFFFFFu, 0};  // continuation marker, zero length
  int64_t capacity = schema.message->size() + 1024 + static_cast<int64_t>(sizeof(kEndOfStream));
  for (const auto& column : columns) {
    for (const auto& buffer : column->data()->buffers) capacity += buffer ? buffer->size() + 8 : 0;
  }
  auto sink = ValueOrThrow(arrow::io::BufferOutputStream::Create(capacity), Context(what));
  CheckOk(sink->Write(schema.message), Context(what));
  CheckOk(
      arrow::ipc::SerializeRecordBatch(*arrow::RecordBatch::Make(schema.schema, rows, columns), kOptions, sink.get()),
      Context(what));
  CheckOk(sink->Write(kEndOfStream, sizeof(kEndOfStream)), Context(what));
  return ValueOrThrow(sink->Finish(), Context(what));
}

// Columns are built over memory the encoder keeps alive until IpcStream has copied it out: no builders.
std::shared_ptr<arrow::Array> Borrowed(const std::shared_ptr<arrow::DataType>& type, const void* data,
                                       std::size_t bytes, int64_t rows, std::shared_ptr<arrow::Buffer> validity = {},
                                       int64_t null_count = 0) {
  auto buffer = std::make_shared<arrow::Buffer>(static_cast<const uint8_t*>(data), static_cast<int64_t>(bytes));
  return arrow::MakeArray(arrow::ArrayData::Make(type, rows, {std::move(validity), std::move(buffer)}, null_count));
}

template <class T>
std::shared_ptr<arrow::Array> Borrowed(const std::shared_ptr<arrow::DataType>& type, const std::vector<T>& values,
                                       std::size_t begin, int64_t rows) {
  return Borrowed(type, values.data() + begin, static_cast<std::size_t>(rows) * sizeof(T), rows);
}

// A nullable int32 column: values (0 where null, as Arrow's builders leave them) and a validity bitmap.
struct NullableInt32 {
  std::vector<int32_t> values;
  std::vector<uint8_t> valid_bits;
  int64_t nulls = 0;

  void Append(const std::optional<int32_t>& v) {
    const std::size_t i = values.size();
    if (i % 8 == 0) valid_bits.push_back(0);
    values.push_back(v.value_or(0));
    if (v) {
      valid_bits.back() = static_cast<uint8_t>(valid_bits.back() | (1u << (i % 8)));
    } else {
      ++nulls;
    }
  }
  std::shared_ptr<arrow::Array> Array() const {
    const auto rows = static_cast<int64_t>(values.size());
    auto validity = nulls == 0
                        ? nullptr
                        : std::make_shared<arrow::Buffer>(valid_bits.data(), static_cast<int64_t>(valid_bits.size()));
    return Borrowed(arrow::int32(), values.data(), values.size() * sizeof(int32_t), rows, std::move(validity), nulls);
  }
};

std::shared_ptr<arrow::Buffer> EncodeSnap(const engine::SnapshotRow& s) {
  static const StreamSchema schema = MakeStreamSchema(SnapSchema());
  const uint8_t valid = s.book_valid ? 1 : 0;  // one bit
  return IpcStream(
      schema,
      {Borrowed(arrow::int64(), &s.window_end_ts_ns, sizeof(int64_t), 1),
       Borrowed(arrow::float64(), &s.mid_price, sizeof(double), 1),
       Borrowed(arrow::int64(), &s.spot_ref_price_int, sizeof(int64_t), 1), Borrowed(arrow::boolean(), &valid, 1, 1)},
      1, "snap");
}

// The velocity table over the gold surface's own vectors: ~800 rows × 11 columns per window, the bulk of
// a window's bytes.
std::shared_ptr<arrow::Buffer> EncodeVelocity(const engine::GoldSurface& g) {
  static const StreamSchema schema = MakeStreamSchema(VelocitySchema());
  static constexpr engine::GoldValue kValues[] = {
      engine::kLiquidityVelocity, engine::kRho,         engine::kNu,   engine::kKappa,
      engine::kPressureGrad,      engine::kUWaveEnergy, engine::kOmega};
  auto in_range = [&](std::size_t i) { return g.rel_ticks[i] >= -kMaxRelTicks && g.rel_ticks[i] <= kMaxRelTicks; };
  // Rows in range: gold holds only ±half-width, so normally one run of them; otherwise they are gathered.
  const engine::GoldSurface* rows_of = &g;
  engine::GoldSurface gathered;
  std::size_t begin = 0;
  std::size_t end = g.size();
  while (begin < end && !in_range(begin)) ++begin;
  while (end > begin && !in_range(end - 1)) --end;
  bool one_run = true;
  for (std::size_t i = begin; i < end && one_run; ++i) one_run = in_range(i);
  if (!one_run) {
    for (std::size_t i = begin; i < end; ++i) {
      if (!in_range(i)) continue;
      gathered.rel_ticks.push_back(g.rel_ticks[i]);
      gathered.side.push_back(g.side[i]);
      for (engine::GoldValue v : kValues) gathered.values[v].push_back(g.values[v][i]);
    }
    rows_of = &gathered;
    begin = 0;
    end = gathered.size();
  }
  const std::size_t n = end - begin;
  const auto rows = static_cast<int64_t>(n);
  const std::vector<int64_t> ts(n, g.window_end_ts_ns), spot(n, g.spot_ref_price_int);
  std::vector<int32_t> side_offsets(n + 1);
  std::iota(side_offsets.begin(), side_offsets.end(), 0);  // one character per row
  const auto side = arrow::MakeArray(arrow::ArrayData::Make(
      arrow::utf8(), rows,
      {nullptr,
       std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>(side_offsets.data()),
                                       static_cast<int64_t>(side_offsets.size() * sizeof(int32_t))),
       std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>(rows_of->side.data() + begin), rows)},
      /*null_count=*/0));
  std::vector<std::shared_ptr<arrow::Array>> columns = {
      Borrowed(arrow::int64(), ts, 0, rows), Borrowed(arrow::int64(), spot, 0, rows),
      Borrowed(arrow::int32(), rows_of->rel_ticks, begin, rows), side};
  for (engine::GoldValue v : kValues) columns.push_back(Borrowed(arrow::float64(), rows_of->values[v], begin, rows));
  return IpcStream(schema, columns, rows, "velocity");
}

std::shared_ptr<arrow::Buffer> EncodeOptions(const StreamWindow& w) {
  static const StreamSchema schema = MakeStreamSchema(OptionsSchema());
  const std::size_t n = w.options.size();
  const auto rows = static_cast<int64_t>(n);
  const std::vector<int64_t> ts(n, w.window->snapshot.window_end_ts_ns), spot(n, w.options_spot_ref_price_int);
  std::vector<int32_t> rel(n);
  std::vector<double> velocity(n);
  for (std::size_t i = 0; i < n; ++i) {
    rel[i] = w.options[i].rel_ticks;
    velocity[i] = w.options[i].liquidity_velocity;
  }
  return IpcStream(schema,
                   {Borrowed(arrow::int64(), ts, 0, rows), Borrowed(arrow::int64(), spot, 0, rows),
                    Borrowed(arrow::int32(), rel, 0, rows), Borrowed(arrow::float64(), velocity, 0, rows)},
                   rows, "options");
}

std::shared_ptr<arrow::Buffer> EncodeForecast(std::span<const engine::ForecastRow> rows) {
  static const StreamSchema schema = MakeStreamSchema(ForecastSchema());
  const std::size_t n = rows.size();
  const auto count = static_cast<int64_t>(n);
  std::vector<int64_t> ts(n), spot_tick(n), delta(n);
  std::vector<int32_t> horizon(n);
  std::vector<double> confidence(n), run_up(n), run_down(n);
  NullableInt32 d_up, d_down;
  for (std::size_t i = 0; i < n; ++i) {
    const engine::ForecastRow& r = rows[i];
    ts[i] = r.window_end_ts_ns;
    horizon[i] = r.horizon_s;
    spot_tick[i] = r.predicted_spot_tick;
    delta[i] = r.predicted_tick_delta;
    confidence[i] = r.confidence;
    run_up[i] = r.run_score_up;
    run_down[i] = r.run_score_down;
    d_up.Append(r.d_up);
    d_down.Append(r.d_down);
  }
  return IpcStream(schema,
                   {Borrowed(arrow::int64(), ts, 0, count), Borrowed(arrow::int32(), horizon, 0, count),
                    Borrowed(arrow::int64(), spot_tick, 0, count), Borrowed(arrow::int64(), delta, 0, count),
                    Borrowed(arrow::float64(), confidence, 0, count), Borrowed(arrow::float64(), run_up, 0, count),
                    Borrowed(arrow::float64(), run_down, 0, count), d_up.Array(), d_down.Array()},
                   count, "forecast");
}

}  // namespace

const void* Message::data() const { return binary ? static_cast<const void*>(bytes->data()) : text.data(); }
std::size_t Message::size() const { return binary ? static_cast<std::size_t>(bytes->size()) : text.size(); }

std::shared_ptr<arrow::Schema> SnapSchema() {
  static const auto schema =
      arrow::schema({arrow::field("window_end_ts_ns", arrow::int64()), arrow::field("mid_price", arrow::float64()),
                     arrow::field("spot_ref_price_int", arrow::int64()), arrow::field("book_valid", arrow::boolean())});
  return schema;
}

std::shared_ptr<arrow::Schema> VelocitySchema() {
  static const auto schema =
      arrow::schema({arrow::field("window_end_ts_ns", arrow::int64()),
                     arrow::field("spot_ref_price_int", arrow::int64()), arrow::field("rel_ticks", arrow::int32()),
                     arrow::field("side", arrow::utf8()), arrow::field("liquidity_velocity", arrow::float64()),
                     arrow::field("rho", arrow::float64()), arrow::field("nu", arrow::float64()),
                     arrow::field("kappa", arrow::float64()), arrow::field("pressure_grad", arrow::float64()),
                     arrow::field("u_wave_energy", arrow::float64()), arrow::field("Omega", arrow::float64())});
  return schema;
}

std::shared_ptr<arrow::Schema> OptionsSchema() {
  static const auto schema = arrow::schema(
      {arrow::field("window_end_ts_ns", arrow::int64()), arrow::field("spot_ref_price_int", arrow::int64()),
       arrow::field("rel_ticks", arrow::int32()), arrow::field("liquidity_velocity", arrow::float64())});
  return schema;
}

std::shared_ptr<arrow::Schema> ForecastSchema() {
  static const auto schema =
      arrow::schema({arrow::field("window_end_ts_ns", arrow::int64()), arrow::field("horizon_s", arrow::int32()),
                     arrow::field("predicted_spot_tick", arrow::int64()),
                     arrow::field("predicted_tick_delta", arrow::int64()), arrow::field("confidence", arrow::float64()),
                     arrow::field("RunScore_up", arrow::float64()), arrow::field("RunScore_down", arrow::float64()),
                     arrow::field("D_up", arrow::int32()), arrow::field("D_down", arrow::int32())});
  return schema;
}

std::string FrameHeader(bool binary, std::size_t size) {
  std::string header(1, static_cast<char>(0x80 | (binary ? 0x2 : 0x1)));  // FIN, opcode
  int length_bytes = 0;
  if (size < 126) {
    header += static_cast<char>(size);
  } else if (size <= 0xFFFF) {
    header += static_cast<char>(126);
    length_bytes = 2;
  } else {
    header += static_cast<char>(127);
    length_bytes = 8;
  }
  for (int i = length_bytes - 1; i >= 0; --i) header += static_cast<char>((size >> (8 * i)) & 0xFF);  // big-endian
  return header;
}

void FrameMessages(WindowMessages& group) {
  std::vector<std::size_t> ends;
  group.frame_headers.clear();
  for (const Message& m : group.messages) {
    group.frame_headers += FrameHeader(m.binary, m.size());
    ends.push_back(group.frame_headers.size());
  }
  group.wire.clear();
  std::size_t begin = 0;
  for (std::size_t i = 0; i < group.messages.size(); ++i) {
    group.wire.emplace_back(group.frame_headers.data() + begin, ends[i] - begin);
    group.wire.emplace_back(group.messages[i].data(), group.messages[i].size());
    begin = ends[i];
  }
}

Message TextMessage(std::string text) {
  Message m;
  m.text = std::move(text);
  return m;
}

std::string EndJson(int64_t windows) { return nlohmann::json{{"type", "end"}, {"windows", windows}}.dump(); }
std::string ErrorJson(const std::string& message) {
  return nlohmann::json{{"type", "error"}, {"message", message}}.dump();
}
std::string DroppedJson(int64_t windows) { return nlohmann::json{{"type", "dropped"}, {"windows", windows}}.dump(); }

WindowMessagesPtr EncodeWindow(const StreamWindow& stream_window, std::span<const engine::ForecastRow> forecast,
                               std::span<const Surface> surfaces) {
  const engine::WindowResult& window = *stream_window.window;
  auto out = std::make_shared<WindowMessages>();
  out->window_end_ts_ns = window.snapshot.window_end_ts_ns;
  // batch_start as nlohmann::json dumps it (keys in order, window_end_ts_ns as a string: JavaScript numbers
  // lose int64 precision), written directly; the surface headers are the same text every window.
  std::string head = fmt::format(R"({{"late_records":{},)", window.late_records);
  if (stream_window.options_missing) {
    head += R"("options_missing":)" + nlohmann::json(*stream_window.options_missing).dump() + ",";
  }
  head += R"("surfaces":[)";
  for (std::size_t i = 0; i < surfaces.size(); ++i) {
    head += fmt::format(R"({}"{}")", i ? "," : "", kSurfaceNames[static_cast<int>(surfaces[i])]);
  }
  head += fmt::format(R"(],"type":"batch_start","window_end_ts_ns":"{}"}})", out->window_end_ts_ns);
  out->messages.push_back(TextMessage(std::move(head)));
  static const auto kHeaders = [] {
    std::array<std::string, std::size(kSurfaceNames)> headers;
    for (std::size_t i = 0; i < headers.size(); ++i) {
      headers[i] = nlohmann::json{{"type", "surface_header"}, {"surface", kSurfaceNames[i]}}.dump();
    }
    return headers;
  }();
  for (Surface s : surfaces) {
    out->messages.push_back(TextMessage(kHeaders[static_cast<int>(s)]));
    Message m;
    m.binary = true;
    switch (s) {
      case Surface::kSnap:
        m.bytes = EncodeSnap(window.snapshot);
        break;
      case Surface::kVelocity:
        m.bytes = EncodeVelocity(window.gold);
        break;
      case Surface::kOptions:
        m.bytes = EncodeOptions(stream_window);
        break;
      case Surface::kForecast:
        m.bytes = EncodeForecast(forecast);
        break;
    }
    out->messages.push_back(std::move(m));
  }
  for (const Message& m : out->messages) out->bytes += m.size();
  FrameMessages(*out);
  return out;
}

}  // namespace spymaster::serve
