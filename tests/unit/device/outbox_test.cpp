// The device's outbox of unacknowledged QoS 1 publishes: order, acknowledgement, the bound.
#include <gtest/gtest.h>

#include "device/outbox.hpp"

namespace trustlane::device {
namespace {

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

TEST(DeviceOutbox, AcknowledgedMessagesAreForgotten) {
  Outbox box(10);
  box.track(1, "t/a", bytes_of("one"));
  box.track(2, "t/b", bytes_of("two"));
  EXPECT_TRUE(box.acknowledge(1));
  EXPECT_FALSE(box.acknowledge(1));   // a second ack for the same id matches nothing
  EXPECT_FALSE(box.acknowledge(77));  // nor does an id we never sent
  ASSERT_EQ(box.size(), 1u);
  auto pending = box.take_pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].packet_id, 2);
  EXPECT_EQ(pending[0].topic, "t/b");
  EXPECT_EQ(pending[0].payload, bytes_of("two"));
}

TEST(DeviceOutbox, TakePendingKeepsOrderAndEmpties) {
  Outbox box(10);
  for (std::uint16_t id = 1; id <= 5; ++id) box.track(id, "t", bytes_of(std::to_string(id)));
  box.acknowledge(3);
  auto pending = box.take_pending();
  EXPECT_TRUE(box.empty());
  std::vector<std::uint16_t> ids;
  for (const auto& m : pending) ids.push_back(m.packet_id);
  EXPECT_EQ(ids, (std::vector<std::uint16_t>{1, 2, 4, 5}));
}

TEST(DeviceOutbox, FullOutboxGivesUpTheOldest) {
  Outbox box(3);
  EXPECT_EQ(box.track(1, "t", bytes_of("1")), 0u);
  EXPECT_EQ(box.track(2, "t", bytes_of("2")), 0u);
  EXPECT_EQ(box.track(3, "t", bytes_of("3")), 0u);
  EXPECT_EQ(box.track(4, "t", bytes_of("4")), 1u);
  EXPECT_EQ(box.size(), 3u);
  EXPECT_FALSE(box.acknowledge(1));
  EXPECT_EQ(box.take_pending().front().packet_id, 2);
}

TEST(DeviceOutbox, ZeroCapacityStillKeepsTheLatest) {
  Outbox box(0);
  box.track(9, "t", bytes_of("x"));
  EXPECT_EQ(box.size(), 1u);
}

}  // namespace
}  // namespace trustlane::device
