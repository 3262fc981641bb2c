// Frames decode with Arrow's own IPC reader into the spec's schemas with the window's values.
#include "serve/window_frames.hpp"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <arrow/ipc/reader.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
  sw.options_missing = std::make_shared<const std::string>("no option gold");
  const Surface some[] = {Surface::kOptions};
  const auto group = EncodeWindow(sw, {}, some);
  ASSERT_EQ(group->messages.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(group->messages[0].text)["options_missing"], "no option gold");
  const auto options = Decode(group->messages[2]);
  EXPECT_TRUE(options->schema()->Equals(*OptionsSchema()));
  EXPECT_EQ(options->num_rows(), 0);
}

TEST(WindowFramesTest, ControlJson) {
  EXPECT_EQ(nlohmann::json::parse(EndJson(7)), (nlohmann::json{{"type", "end"}, {"windows", 7}}));
  EXPECT_EQ(nlohmann::json::parse(ErrorJson("x \"y\"")), (nlohmann::json{{"type", "error"}, {"message", "x \"y\""}}));
  EXPECT_EQ(nlohmann::json::parse(DroppedJson(2)), (nlohmann::json{{"type", "dropped"}, {"windows", 2}}));
}

}  // namespace
}  // namespace spymaster::serve
