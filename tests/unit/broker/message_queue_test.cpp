// Queues that wait on one client are bounded by bytes as well as by count: a slow or absent
// subscriber of large messages keeps at most its budget, and gets what fitted, in order.
#include <gtest/gtest.h>

#include "broker/message_queue.hpp"
#include "connection_harness.hpp"

namespace trustlane::broker {
namespace {

using namespace harness;

Message sized(std::size_t payload_bytes, std::string topic = "q/1") {
  Message m;
  m.topic = std::move(topic);
  m.payload.assign(payload_bytes, 0x5A);
  m.qos = QoS::at_least_once;
  return m;
}

TEST(MessageQueue, KeepsItsByteCountThroughEveryOperation) {
  MessageQueue<Message> q;
  const std::size_t one = queued_bytes(sized(100));
  EXPECT_GE(one, 100u + 3u);
  q.push_back(sized(100));
  q.push_front(sized(100));
  q.push_back(sized(100));
  EXPECT_EQ(q.bytes(), 3 * one);
  q.pop_back();
  q.pop_front();
  EXPECT_EQ(q.bytes(), one);
  EXPECT_EQ(q.take_all().size(), 1u);
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_TRUE(q.empty());
}

TEST(MessageQueue, FitsWithinTheFirstLimitReached) {
  MessageQueue<Message> q;
  const std::size_t one = queued_bytes(sized(1000));
  QueueBudget by_bytes{100, 2 * one};
  EXPECT_TRUE(q.fits(sized(1000), by_bytes));
  q.push_back(sized(1000));
  EXPECT_TRUE(q.fits(sized(1000), by_bytes));
  q.push_back(sized(1000));
  EXPECT_FALSE(q.fits(sized(1000), by_bytes));
  EXPECT_TRUE(q.fits(sized(0, ""), QueueBudget{100, 2 * one + queued_bytes(sized(0, ""))}));
  EXPECT_FALSE(q.fits(sized(1), QueueBudget{2, 1u << 30}));  // by count
  EXPECT_FALSE(q.over(by_bytes));
  q.push_back(sized(1));
  EXPECT_TRUE(q.over(by_bytes));
}

TEST(QueueBudget, AnOfflineSessionKeepsWhatFitsItsBytesInOrder) {
  const std::size_t one = queued_bytes(sized(10'000));
  World w(QueueBudget{1000, 3 * one});
  Client pub(w, Version::v5);
  pub.connect("dev-pub");
  {
    Client sub(w, Version::v3_1_1);
    sub.connect("dev-sub", false);
    sub.subscribe({{"q/+", QoS::at_least_once}});
    sub.drop();
  }
  for (int i = 0; i < 6; ++i) pub.publish("q/1", std::string(9'999, 'a') + char('0' + i), QoS::at_least_once, false, 1 + i);
  Client back(w, Version::v3_1_1);
  EXPECT_TRUE(back.connect("dev-sub", false).session_present);
  auto got = back.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 3u);  // 6 × 10 kB offered, 3 fit
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].payload.back(), '0' + i);
}

TEST(QueueBudget, ASubscriberThatDoesNotAcknowledgeHoldsAtMostItsBytes) {
  World w;
  Limits limits;
  limits.inflight_window = 1;
  limits.queue_bytes = 2 * queued_bytes(sized(10'000));
  Client sub(w, Version::v5, kAccountA, limits);
  sub.connect("dev-sub");
  sub.subscribe({{"q/+", QoS::at_least_once}});
  Client pub(w, Version::v5);
  pub.connect("dev-pub");
  for (int i = 0; i < 10; ++i) pub.publish("q/1", std::string(10'000, char('0' + i)), QoS::at_least_once, false, 1 + i);
  // One in flight, two waiting within the byte budget, the other seven dropped.
  std::vector<char> seen;
  for (int round = 0; round < 5; ++round) {
    auto got = sub.take<mqtt::Publish>();
    if (got.empty()) break;
    ASSERT_EQ(got.size(), 1u);  // the window is one message
    seen.push_back(static_cast<char>(got[0].payload[0]));
    sub.send(mqtt::Puback{{got[0].packet_id, 0, {}}});
  }
  EXPECT_EQ(seen, (std::vector<char>{'0', '1', '2'}));
}

}  // namespace
}  // namespace trustlane::broker

namespace trustlane::broker {
namespace {

TEST(MessageQueue, TakeAllKeepsQueueOrderAndTheQueueWorksAfterwards) {
  MessageQueue<Message> q;
  EXPECT_TRUE(q.take_all().empty());  // never allocated
  for (std::size_t n : {1u, 2u, 3u}) q.push_back(sized(n));
  q.push_front(sized(0));
  auto taken = q.take_all();
  ASSERT_EQ(taken.size(), 4u);
  for (std::size_t i = 0; i < taken.size(); ++i) EXPECT_EQ(taken[i].payload.size(), i);
  EXPECT_TRUE(q.empty());
  q.push_back(sized(7));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop_front().payload.size(), 7u);
  EXPECT_EQ(q.bytes(), 0u);
}

}  // namespace
}  // namespace trustlane::broker
