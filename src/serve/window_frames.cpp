#include "serve/window_frames.hpp"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <arrow/ipc/writer.h>

#include <nlohmann/json.hpp>

#include "common/arrow_status.hpp"

namespace spymaster::serve {
namespace {

constexpr int32_t kMaxRelTicks = 200;  // velocity holds the gold cells within ±200

auto Context(const char* what) {
  return [what] { return std::string("encoding the ") + what + " frame"; };
}

std::shared_ptr<arrow::Buffer> IpcStream(const std::shared_ptr<arrow::Schema>& schema,
                                         const std::vector<std::shared_ptr<arrow::Array>>& columns, int64_t rows,
                                         const char* what) {
  auto sink = ValueOrThrow(arrow::io::BufferOutputStream::Create(), Context(what));
  auto writer = ValueOrThrow(arrow::ipc::MakeStreamWriter(sink, schema), Context(what));
  CheckOk(writer->WriteRecordBatch(*arrow::RecordBatch::Make(schema, rows, columns)), Context(what));
  CheckOk(writer->Close(), Context(what));
  return ValueOrThrow(sink->Finish(), Context(what));
}

template <class Builder>
std::shared_ptr<arrow::Array> Finish(Builder& b, const char* what) {
  std::shared_ptr<arrow::Array> out;
  CheckOk(b.Finish(&out), Context(what));
  return out;
}

std::shared_ptr<arrow::Buffer> EncodeSnap(const engine::SnapshotRow& s) {
  arrow::Int64Builder ts, spot;
  arrow::DoubleBuilder mid;
  arrow::BooleanBuilder valid;
  CheckOk(ts.Append(s.window_end_ts_ns), Context("snap"));
  CheckOk(mid.Append(s.mid_price), Context("snap"));
  CheckOk(spot.Append(s.spot_ref_price_int), Context("snap"));
  CheckOk(valid.Append(s.book_valid), Context("snap"));
  return IpcStream(SnapSchema(), {Finish(ts, "snap"), Finish(mid, "snap"), Finish(spot, "snap"), Finish(valid, "snap")},
                   1, "snap");
}

std::shared_ptr<arrow::Buffer> EncodeVelocity(const engine::GoldSurface& g) {
  static constexpr engine::GoldValue kValues[] = {
      engine::kLiquidityVelocity, engine::kRho,         engine::kNu,   engine::kKappa,
      engine::kPressureGrad,      engine::kUWaveEnergy, engine::kOmega};
  arrow::Int64Builder ts, spot;
  arrow::Int32Builder rel;
  arrow::StringBuilder side;
  arrow::DoubleBuilder values[std::size(kValues)];
  // Rows in range, as runs of consecutive indices (gold holds only ±half-width, so normally one run).
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g.rel_ticks[i] < -kMaxRelTicks || g.rel_ticks[i] > kMaxRelTicks) continue;
    if (!runs.empty() && runs.back().second == i) {
      ++runs.back().second;
    } else {
      runs.emplace_back(i, i + 1);
    }
  }
  int64_t rows = 0;
  for (const auto& [begin, end] : runs) {
    const auto n = static_cast<int64_t>(end - begin);
    rows += n;
    const std::vector<int64_t> ts_values(n, g.window_end_ts_ns), spot_values(n, g.spot_ref_price_int);
    CheckOk(ts.AppendValues(ts_values), Context("velocity"));
    CheckOk(spot.AppendValues(spot_values), Context("velocity"));
    CheckOk(rel.AppendValues(g.rel_ticks.data() + begin, n), Context("velocity"));
    for (std::size_t i = begin; i < end; ++i) CheckOk(side.Append(&g.side[i], 1), Context("velocity"));
    for (std::size_t v = 0; v < std::size(kValues); ++v) {
      CheckOk(values[v].AppendValues(g.values[kValues[v]].data() + begin, n), Context("velocity"));
    }
  }
  std::vector<std::shared_ptr<arrow::Array>> columns = {Finish(ts, "velocity"), Finish(spot, "velocity"),
                                                        Finish(rel, "velocity"), Finish(side, "velocity")};
  for (auto& b : values) columns.push_back(Finish(b, "velocity"));
  return IpcStream(VelocitySchema(), columns, rows, "velocity");
}

std::shared_ptr<arrow::Buffer> EncodeOptions(const StreamWindow& w) {
  arrow::Int64Builder ts, spot;
  arrow::Int32Builder rel;
  arrow::DoubleBuilder velocity;
  for (const StrikeVelocity& s : w.options) {
    CheckOk(ts.Append(w.window->snapshot.window_end_ts_ns), Context("options"));
    CheckOk(spot.Append(w.options_spot_ref_price_int), Context("options"));
    CheckOk(rel.Append(s.rel_ticks), Context("options"));
    CheckOk(velocity.Append(s.liquidity_velocity), Context("options"));
  }
  return IpcStream(
      OptionsSchema(),
      {Finish(ts, "options"), Finish(spot, "options"), Finish(rel, "options"), Finish(velocity, "options")},
      static_cast<int64_t>(w.options.size()), "options");
}

std::shared_ptr<arrow::Buffer> EncodeForecast(std::span<const engine::ForecastRow> rows) {
  arrow::Int64Builder ts, spot_tick, delta;
  arrow::Int32Builder horizon, d_up, d_down;
  arrow::DoubleBuilder confidence, run_up, run_down;
  for (const engine::ForecastRow& r : rows) {
    CheckOk(ts.Append(r.window_end_ts_ns), Context("forecast"));
    CheckOk(horizon.Append(r.horizon_s), Context("forecast"));
    CheckOk(spot_tick.Append(r.predicted_spot_tick), Context("forecast"));
    CheckOk(delta.Append(r.predicted_tick_delta), Context("forecast"));
    CheckOk(confidence.Append(r.confidence), Context("forecast"));
    CheckOk(run_up.Append(r.run_score_up), Context("forecast"));
    CheckOk(run_down.Append(r.run_score_down), Context("forecast"));
    CheckOk(r.d_up ? d_up.Append(*r.d_up) : d_up.AppendNull(), Context("forecast"));
    CheckOk(r.d_down ? d_down.Append(*r.d_down) : d_down.AppendNull(), Context("forecast"));
  }
  return IpcStream(ForecastSchema(),
                   {Finish(ts, "forecast"), Finish(horizon, "forecast"), Finish(spot_tick, "forecast"),
                    Finish(delta, "forecast"), Finish(confidence, "forecast"), Finish(run_up, "forecast"),
                    Finish(run_down, "forecast"), Finish(d_up, "forecast"), Finish(d_down, "forecast")},
                   static_cast<int64_t>(rows.size()), "forecast");
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
  nlohmann::json names = nlohmann::json::array();
  for (Surface s : surfaces) names.push_back(kSurfaceNames[static_cast<int>(s)]);
  // window_end_ts_ns as a string: JavaScript numbers lose int64 precision.
  nlohmann::json head{{"type", "batch_start"},
                      {"window_end_ts_ns", std::to_string(out->window_end_ts_ns)},
                      {"surfaces", names},
                      {"late_records", window.late_records}};
  if (stream_window.options_missing) head["options_missing"] = *stream_window.options_missing;
  out->messages.push_back(TextMessage(head.dump()));
  for (Surface s : surfaces) {
    out->messages.push_back(TextMessage(
        nlohmann::json{{"type", "surface_header"}, {"surface", kSurfaceNames[static_cast<int>(s)]}}.dump()));
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
  return out;
}

}  // namespace spymaster::serve
