// The window hub: readers of one engine run share its windows; a live joiner starts at the head; memory
// stays bounded (keep/cap) and a reader that fell behind is told (kEvicted); the registry shares a run
// between readers that can still read it and starts another run otherwise.
#include "serve/window_hub.hpp"

#include <gtest/gtest.h>

namespace spymaster::serve {
namespace {

StreamWindowPtr Window(int64_t end_ns) {
  auto result = std::make_shared<engine::WindowResult>();
  result->snapshot.window_end_ts_ns = end_ns;
  auto w = std::make_shared<StreamWindow>();
  w->window = std::move(result);
  return w;
}

// n windows ending at 1..n; counts how many the engine produced.
class CountingSource final : public WindowSource {
 public:
  CountingSource(int64_t n, int* produced) : n_(n), produced_(produced) {}
  StreamWindowPtr Next() override {
    if (next_ > n_) return nullptr;
    ++*produced_;
    return Window(next_++);
  }
  const std::string& identity() const override { return identity_; }

 private:
  int64_t n_;
  int* produced_;
  int64_t next_ = 1;
  std::string identity_ = "counting";
};

int64_t EndOf(const HubItem& item) { return item.window->window->snapshot.window_end_ts_ns; }

TEST(WindowHubTest, PullReadersShareOneRun) {
  int produced = 0;
  WindowHub hub(std::make_unique<CountingSource>(5, &produced), 8, 16);
  const int64_t a = hub.Subscribe([] {}, 0);
  const int64_t b = hub.Subscribe([] {}, 0);
  for (int64_t seq = 0; seq < 5; ++seq) {
    const HubItem ia = hub.Read(a, seq);
    const HubItem ib = hub.Read(b, seq);
    ASSERT_EQ(ia.kind, HubItem::Kind::kWindow);
    EXPECT_EQ(ia.window, ib.window);  // the same immutable window, not a copy
    EXPECT_EQ(EndOf(ia), seq + 1);
  }
  EXPECT_EQ(hub.Read(a, 5).kind, HubItem::Kind::kEnd);
  EXPECT_EQ(produced, 5);
}

TEST(WindowHubTest, PushJoinerStartsAtTheHeadAndWaits) {
  WindowHub hub("live", 2, 4);
  int notified = 0;
  hub.Publish(Window(1));
  hub.Status(R"({"type":"status"})");
  const auto [id, seq] = hub.SubscribeAtHead([&] { ++notified; });
  EXPECT_EQ(seq, 2);
  EXPECT_EQ(hub.Read(id, seq).kind, HubItem::Kind::kPending);
  hub.Publish(Window(2));
  EXPECT_EQ(notified, 1);
  EXPECT_EQ(EndOf(hub.Read(id, seq)), 2);
  ASSERT_NE(hub.last_status(), nullptr);
  hub.End("gateway gone");
  const HubItem end = hub.Read(id, seq + 1);
  ASSERT_EQ(end.kind, HubItem::Kind::kEnd);
  EXPECT_EQ(*end.text, "gateway gone");
}

TEST(WindowHubTest, KeepsWhatAReaderNeedsUpToTheCap) {
  WindowHub hub("live", 1, 3);
  const auto [slow, first] = hub.SubscribeAtHead([] {});
  for (int64_t t = 1; t <= 3; ++t) hub.Publish(Window(t));
  EXPECT_EQ(hub.base(), 0);  // the slow reader still needs all three
  hub.Publish(Window(4));
  EXPECT_EQ(hub.base(), 1);  // past the cap: the oldest goes
  EXPECT_EQ(hub.Read(slow, first).kind, HubItem::Kind::kEvicted);
  EXPECT_EQ(EndOf(hub.Read(slow, 3)), 4);
  hub.Publish(Window(5));
  EXPECT_EQ(hub.base(), 3);  // read up to 3: older ones go (keep 1), the window being read stays
}

TEST(HubRegistryTest, SharesARunWhileItHoldsTheWindowElseStartsAnother) {
  HubRegistry registry(1, 2);
  int produced = 0;
  auto open = [&] { return std::make_unique<CountingSource>(10, &produced); };
  auto [h1, a] = registry.Acquire("day", 0, open, [] {});
  auto [h2, b] = registry.Acquire("day", 0, open, [] {});
  EXPECT_EQ(h1, h2);
  EXPECT_EQ(registry.engine_runs(), 1);
  for (int64_t seq = 0; seq < 5; ++seq) h1->Read(a, seq);  // b falls behind past the cap
  EXPECT_EQ(h1->Read(b, 0).kind, HubItem::Kind::kEvicted);
  auto [h3, c] = registry.Acquire("day", 0, open, [] {});
  EXPECT_NE(h3, h1);
  EXPECT_EQ(registry.engine_runs(), 2);
  EXPECT_EQ(EndOf(h3->Read(c, 0)), 1);
  auto [h4, d] = registry.Acquire("other day", 0, open, [] {});
  EXPECT_EQ(registry.engine_runs(), 3);
  (void)h4;
  (void)d;
}

}  // namespace
}  // namespace spymaster::serve
