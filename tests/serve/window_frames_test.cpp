// Frames decode with Arrow's own IPC reader into the spec's schemas with the window's values.
#include "serve/window_frames.hpp"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <arrow/ipc/reader.h>
#include <arrow/ipc/writer.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace spymaster::serve {
namespace {

std::shared_ptr<arrow::Table> Decode(const Message& m) {
  EXPECT_TRUE(m.binary);
  auto reader = arrow::ipc::RecordBatchStreamReader::Open(std::make_shared<arrow::io::BufferReader>(m.bytes));
  EXPECT_TRUE(reader.ok());
  auto table = (*reader)->ToTable();
  EXPECT_TRUE(table.ok());
  return *table;
}

engine::WindowResult Window() {
  engine::WindowResult w;
  w.snapshot.window_end_ts_ns = 1767709801000000000;
  w.snapshot.mid_price = 6900.125;
  w.snapshot.spot_ref_price_int = 6900'000'000'000;
  w.snapshot.book_valid = true;
  w.late_records = 3;
  engine::GoldSurface& g = w.gold;
  g.window_end_ts_ns = w.snapshot.window_end_ts_ns;
  g.spot_ref_price_int = w.snapshot.spot_ref_price_int;
  g.resize(3);
  g.rel_ticks = {-1, 0, 201};  // 201 is outside the streamed ±200
  g.side = {'A', 'B', 'B'};
  for (int i = 0; i < 3; ++i) {
    g.values[engine::kOmega][i] = 4.0 + i;
    g.values[engine::kLiquidityVelocity][i] = 0.5 * i;
  }
  return w;
}

TEST(WindowFramesTest, MessageOrderAndBatchStart) {
  const Surface all[] = {Surface::kSnap, Surface::kVelocity, Surface::kOptions, Surface::kForecast};
  StreamWindow sw;
  sw.window = std::make_shared<const engine::WindowResult>(Window());
  sw.options_spot_ref_price_int = 7'000'000'000'000;
  sw.options = {{-20, 1.5}, {0, -0.25}};
  const engine::WindowResult& w = *sw.window;
  const auto forecast = engine::ComputeForecast(w.gold);
  const auto group = EncodeWindow(sw, forecast, all);
  ASSERT_EQ(group->messages.size(), 9u);
  const auto start = nlohmann::json::parse(group->messages[0].text);
  EXPECT_EQ(start["type"], "batch_start");
  EXPECT_EQ(start["window_end_ts_ns"], "1767709801000000000");
  EXPECT_EQ(start["late_records"], 3);
  EXPECT_EQ(start["surfaces"], nlohmann::json::array({"snap", "velocity", "options", "forecast"}));
  EXPECT_FALSE(start.contains("options_missing"));
  for (int s = 0; s < 4; ++s) {
    EXPECT_EQ(nlohmann::json::parse(group->messages[1 + 2 * s].text),
              (nlohmann::json{{"type", "surface_header"}, {"surface", kSurfaceNames[s]}}));
  }
  const auto snap = Decode(group->messages[2]);
  EXPECT_TRUE(snap->schema()->Equals(*SnapSchema()));
  EXPECT_EQ(snap->num_rows(), 1);
  const auto velocity = Decode(group->messages[4]);
  EXPECT_TRUE(velocity->schema()->Equals(*VelocitySchema()));
  ASSERT_EQ(velocity->num_rows(), 2);
  auto omega = std::static_pointer_cast<arrow::DoubleArray>(velocity->GetColumnByName("Omega")->chunk(0));
  EXPECT_EQ(omega->Value(1), 5.0);
  const auto options = Decode(group->messages[6]);
  EXPECT_TRUE(options->schema()->Equals(*OptionsSchema()));
  ASSERT_EQ(options->num_rows(), 2);
  auto rel = std::static_pointer_cast<arrow::Int32Array>(options->GetColumnByName("rel_ticks")->chunk(0));
  auto net = std::static_pointer_cast<arrow::DoubleArray>(options->GetColumnByName("liquidity_velocity")->chunk(0));
  auto spot = std::static_pointer_cast<arrow::Int64Array>(options->GetColumnByName("spot_ref_price_int")->chunk(0));
  auto ts = std::static_pointer_cast<arrow::Int64Array>(options->GetColumnByName("window_end_ts_ns")->chunk(0));
  EXPECT_EQ(rel->Value(0), -20);
  EXPECT_EQ(rel->Value(1), 0);
  EXPECT_EQ(net->Value(0), 1.5);
  EXPECT_EQ(net->Value(1), -0.25);
  EXPECT_EQ(spot->Value(1), 7'000'000'000'000);
  EXPECT_EQ(ts->Value(0), 1767709801000000000);
  const auto fc = Decode(group->messages[8]);
  EXPECT_TRUE(fc->schema()->Equals(*ForecastSchema()));
  EXPECT_EQ(fc->num_rows(), 31);
  auto d_up = std::static_pointer_cast<arrow::Int32Array>(fc->GetColumnByName("D_up")->chunk(0));
  EXPECT_TRUE(d_up->IsNull(0));  // the only walls are at rel -1 and 0: none above spot
  auto d_down = std::static_pointer_cast<arrow::Int32Array>(fc->GetColumnByName("D_down")->chunk(0));
  EXPECT_EQ(d_down->Value(0), 1);
}

TEST(WindowFramesTest, WindowWithoutGoldHasEmptyVelocityAndForecast) {
  auto w = std::make_shared<engine::WindowResult>();
  w->snapshot.window_end_ts_ns = 5;
  const Surface some[] = {Surface::kVelocity, Surface::kForecast};
  StreamWindow sw;
  sw.window = w;
  const auto group = EncodeWindow(sw, {}, some);
  ASSERT_EQ(group->messages.size(), 5u);
  EXPECT_EQ(Decode(group->messages[2])->num_rows(), 0);
  EXPECT_TRUE(Decode(group->messages[4])->schema()->Equals(*ForecastSchema()));
}

TEST(WindowFramesTest, MissingOptionsSendEmptySurfaceAndSayWhy) {
  StreamWindow sw;
  sw.window = std::make_shared<engine::WindowResult>();
  sw.options_missing = std::make_shared<const std::string>("no option gold \"x\"\n");
  const Surface some[] = {Surface::kOptions};
  const auto group = EncodeWindow(sw, {}, some);
  ASSERT_EQ(group->messages.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(group->messages[0].text)["options_missing"], "no option gold \"x\"\n");
  EXPECT_EQ(group->messages[0].text, (nlohmann::json{{"type", "batch_start"},
                                                     {"window_end_ts_ns", "0"},
                                                     {"surfaces", {"options"}},
                                                     {"late_records", 0},
                                                     {"options_missing", "no option gold \"x\"\n"}})
                                         .dump());
  const auto options = Decode(group->messages[2]);
  EXPECT_TRUE(options->schema()->Equals(*OptionsSchema()));
  EXPECT_EQ(options->num_rows(), 0);
}

// The frames as Arrow's builders and its stream writer make them (the encoder's earlier implementation):
// the frames must stay these bytes, whatever shortcuts the encoder takes.
std::string WriterBytes(const std::shared_ptr<arrow::Schema>& schema,
                        const std::vector<std::shared_ptr<arrow::Array>>& columns, int64_t rows) {
  auto sink = *arrow::io::BufferOutputStream::Create();
  auto writer = *arrow::ipc::MakeStreamWriter(sink, schema);
  EXPECT_TRUE(writer->WriteRecordBatch(*arrow::RecordBatch::Make(schema, rows, columns)).ok());
  EXPECT_TRUE(writer->Close().ok());
  return (*sink->Finish())->ToString();
}

template <class Builder, class T>
std::shared_ptr<arrow::Array> Built(const std::vector<T>& values) {
  Builder b;
  EXPECT_TRUE(b.AppendValues(values).ok());
  return *b.Finish();
}

std::string ReferenceVelocity(const engine::GoldSurface& g) {
  std::vector<int64_t> ts, spot;
  std::vector<int32_t> rel;
  arrow::StringBuilder side;
  const engine::GoldValue kValues[] = {engine::kLiquidityVelocity, engine::kRho,         engine::kNu,   engine::kKappa,
                                       engine::kPressureGrad,      engine::kUWaveEnergy, engine::kOmega};
  std::vector<double> values[std::size(kValues)];
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g.rel_ticks[i] < -200 || g.rel_ticks[i] > 200) continue;
    ts.push_back(g.window_end_ts_ns);
    spot.push_back(g.spot_ref_price_int);
    rel.push_back(g.rel_ticks[i]);
    EXPECT_TRUE(side.Append(&g.side[i], 1).ok());
    for (std::size_t v = 0; v < std::size(kValues); ++v) values[v].push_back(g.values[kValues[v]][i]);
  }
  std::vector<std::shared_ptr<arrow::Array>> columns = {Built<arrow::Int64Builder>(ts),
                                                        Built<arrow::Int64Builder>(spot),
                                                        Built<arrow::Int32Builder>(rel), *side.Finish()};
  for (const auto& v : values) columns.push_back(Built<arrow::DoubleBuilder>(v));
  return WriterBytes(VelocitySchema(), columns, static_cast<int64_t>(ts.size()));
}

std::string ReferenceForecast(std::span<const engine::ForecastRow> rows) {
  arrow::Int64Builder ts, spot_tick, delta;
  arrow::Int32Builder horizon, d_up, d_down;
  arrow::DoubleBuilder confidence, run_up, run_down;
  for (const engine::ForecastRow& r : rows) {
    EXPECT_TRUE(ts.Append(r.window_end_ts_ns).ok());
    EXPECT_TRUE(horizon.Append(r.horizon_s).ok());
    EXPECT_TRUE(spot_tick.Append(r.predicted_spot_tick).ok());
    EXPECT_TRUE(delta.Append(r.predicted_tick_delta).ok());
    EXPECT_TRUE(confidence.Append(r.confidence).ok());
    EXPECT_TRUE(run_up.Append(r.run_score_up).ok());
    EXPECT_TRUE(run_down.Append(r.run_score_down).ok());
    EXPECT_TRUE((r.d_up ? d_up.Append(*r.d_up) : d_up.AppendNull()).ok());
    EXPECT_TRUE((r.d_down ? d_down.Append(*r.d_down) : d_down.AppendNull()).ok());
  }
  return WriterBytes(ForecastSchema(),
                     {*ts.Finish(), *horizon.Finish(), *spot_tick.Finish(), *delta.Finish(), *confidence.Finish(),
                      *run_up.Finish(), *run_down.Finish(), *d_up.Finish(), *d_down.Finish()},
                     static_cast<int64_t>(rows.size()));
}

std::string ReferenceOptions(const StreamWindow& w) {
  std::vector<int64_t> ts, spot;
  std::vector<int32_t> rel;
  std::vector<double> velocity;
  for (const StrikeVelocity& s : w.options) {
    ts.push_back(w.window->snapshot.window_end_ts_ns);
    spot.push_back(w.options_spot_ref_price_int);
    rel.push_back(s.rel_ticks);
    velocity.push_back(s.liquidity_velocity);
  }
  return WriterBytes(OptionsSchema(),
                     {Built<arrow::Int64Builder>(ts), Built<arrow::Int64Builder>(spot), Built<arrow::Int32Builder>(rel),
                      Built<arrow::DoubleBuilder>(velocity)},
                     static_cast<int64_t>(ts.size()));
}

std::string ReferenceSnap(const engine::SnapshotRow& s) {
  arrow::BooleanBuilder valid;
  EXPECT_TRUE(valid.Append(s.book_valid).ok());
  return WriterBytes(SnapSchema(),
                     {Built<arrow::Int64Builder>(std::vector<int64_t>{s.window_end_ts_ns}),
                      Built<arrow::DoubleBuilder>(std::vector<double>{s.mid_price}),
                      Built<arrow::Int64Builder>(std::vector<int64_t>{s.spot_ref_price_int}), *valid.Finish()},
                     1);
}

std::string Bytes(const Message& m) { return std::string(static_cast<const char*>(m.data()), m.size()); }

TEST(WindowFramesTest, FramesAreTheBytesOfArrowsBuildersAndStreamWriter) {
  const Surface all[] = {Surface::kSnap, Surface::kVelocity, Surface::kOptions, Surface::kForecast};
  // A window whose in-range rows are one run (201 trails), one with an out-of-range row between them, a
  // window with nulls and values in the forecast, and an empty one.
  engine::WindowResult split = Window();
  split.gold.rel_ticks = {-1, 250, 0};
  split.snapshot.book_valid = false;
  engine::WindowResult full = Window();
  full.gold.resize(802);
  for (int i = 0; i < 802; ++i) {
    full.gold.rel_ticks[i] = i / 2 - 200;
    full.gold.side[i] = i % 2 ? 'B' : 'A';
    for (auto& v : full.gold.values) v[i] = 0.25 * i - 7.0 * (i % 3);
  }
  for (const engine::WindowResult& w : {Window(), split, full, engine::WindowResult{}}) {
    StreamWindow sw;
    sw.window = std::make_shared<const engine::WindowResult>(w);
    sw.options_spot_ref_price_int = 7'000'000'000'000;
    if (!w.gold.empty()) sw.options = {{-20, 1.5}, {0, -0.25}, {40, 3.0}};
    const auto forecast = w.gold.empty() ? std::vector<engine::ForecastRow>() : engine::ComputeForecast(w.gold);
    const auto group = EncodeWindow(sw, forecast, all);
    ASSERT_EQ(group->messages.size(), 9u);
    nlohmann::json head{{"type", "batch_start"},
                        {"window_end_ts_ns", std::to_string(w.snapshot.window_end_ts_ns)},
                        {"surfaces", {"snap", "velocity", "options", "forecast"}},
                        {"late_records", w.late_records}};
    EXPECT_EQ(group->messages[0].text, head.dump());
    for (int s = 0; s < 4; ++s) {
      EXPECT_EQ(group->messages[1 + 2 * s].text,
                (nlohmann::json{{"type", "surface_header"}, {"surface", kSurfaceNames[s]}}).dump());
    }
    EXPECT_EQ(Bytes(group->messages[2]), ReferenceSnap(w.snapshot));
    EXPECT_EQ(Bytes(group->messages[4]), ReferenceVelocity(w.gold));
    EXPECT_EQ(Bytes(group->messages[6]), ReferenceOptions(sw));
    EXPECT_EQ(Bytes(group->messages[8]), ReferenceForecast(forecast));
  }
}

// RFC 6455 §5.2 by hand: byte 0 is FIN (0x80) | opcode (text 1, binary 2); byte 1 is the length when < 126,
// else 126 and a 16-bit or 127 and a 64-bit big-endian length; no mask bit from a server.
TEST(WindowFramesTest, FrameHeadersByHand) {
  using Bytes = std::vector<uint8_t>;
  auto bytes = [](const std::string& s) { return Bytes(s.begin(), s.end()); };
  EXPECT_EQ(bytes(FrameHeader(false, 0)), (Bytes{0x81, 0x00}));
  EXPECT_EQ(bytes(FrameHeader(false, 125)), (Bytes{0x81, 0x7D}));
  EXPECT_EQ(bytes(FrameHeader(true, 126)), (Bytes{0x82, 0x7E, 0x00, 0x7E}));
  EXPECT_EQ(bytes(FrameHeader(true, 65535)), (Bytes{0x82, 0x7E, 0xFF, 0xFF}));
  EXPECT_EQ(bytes(FrameHeader(true, 65536)), (Bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
  EXPECT_EQ(bytes(FrameHeader(true, 0x0102030405)), (Bytes{0x82, 0x7F, 0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05}));
}

// A window's wire form is each message's header then its payload, in message order, over the group's own
// bytes (no copies); `bytes` counts payloads only.
TEST(WindowFramesTest, WireIsEveryMessageFramedInOrder) {
  const Surface all[] = {Surface::kSnap, Surface::kVelocity, Surface::kOptions, Surface::kForecast};
  StreamWindow sw;
  sw.window = std::make_shared<const engine::WindowResult>(Window());
  const auto forecast = engine::ComputeForecast(sw.window->gold);
  const auto group = EncodeWindow(sw, forecast, all);
  ASSERT_EQ(group->wire.size(), 2 * group->messages.size());
  std::size_t payload = 0;
  for (std::size_t i = 0; i < group->messages.size(); ++i) {
    const Message& m = group->messages[i];
    const auto& header = group->wire[2 * i];
    EXPECT_EQ(std::string(static_cast<const char*>(header.data()), header.size()), FrameHeader(m.binary, m.size()));
    EXPECT_EQ(group->wire[2 * i + 1].data(), m.data());
    EXPECT_EQ(group->wire[2 * i + 1].size(), m.size());
    payload += m.size();
  }
  EXPECT_EQ(group->bytes, payload);
  EXPECT_TRUE(group->messages[2].binary);  // velocity: 0x82
  EXPECT_EQ(static_cast<const uint8_t*>(group->wire[4].data())[0], 0x82);
  EXPECT_EQ(static_cast<const uint8_t*>(group->wire[0].data())[0], 0x81);  // batch_start: text
}

TEST(WindowFramesTest, ControlJson) {
  EXPECT_EQ(nlohmann::json::parse(EndJson(7)), (nlohmann::json{{"type", "end"}, {"windows", 7}}));
  EXPECT_EQ(nlohmann::json::parse(ErrorJson("x \"y\"")), (nlohmann::json{{"type", "error"}, {"message", "x \"y\""}}));
  EXPECT_EQ(nlohmann::json::parse(DroppedJson(2)), (nlohmann::json{{"type", "dropped"}, {"windows", 2}}));
}

}  // namespace
}  // namespace spymaster::serve
