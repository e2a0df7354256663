#include <gtest/gtest.h>

#include "broker/net/outgoing_queue.hpp"
#include "broker/server_limits.hpp"
#include "mqtt/codec.hpp"

namespace trustlane::broker::net {
namespace {

Bytes publish(const std::string& topic, std::size_t payload, mqtt::QoS qos, std::uint16_t id = 0) {
  mqtt::Publish p;
  p.topic = topic;
  p.payload.assign(payload, 0x2e);
  p.qos = qos;
  p.packet_id = id;
  return mqtt::encode(p, mqtt::Version::v3_1_1);
}

Bytes concat(const std::vector<Bytes>& frames) {
  Bytes all;
  for (const auto& f : frames) all.insert(all.end(), f.begin(), f.end());
  return all;
}

TEST(NetOutgoingQueue, RecognisesQos0Publishes) {
  EXPECT_TRUE(is_qos0_publish(publish("a", 1, mqtt::QoS::at_most_once)));
  EXPECT_FALSE(is_qos0_publish(publish("a", 1, mqtt::QoS::at_least_once, 7)));
  EXPECT_FALSE(is_qos0_publish(mqtt::encode(mqtt::Puback{{7, 0, {}}}, mqtt::Version::v3_1_1)));
  EXPECT_FALSE(is_qos0_publish(Bytes{}));
}

TEST(NetOutgoingQueue, OneWriteCarriesEveryQueuedFrameInOrder) {
  OutgoingQueue q;
  std::vector<Bytes> frames;
  for (int i = 0; i < 50; ++i)
    frames.push_back(publish("t/" + std::to_string(i), static_cast<std::size_t>(i), i % 2 ? mqtt::QoS::at_least_once : mqtt::QoS::at_most_once,
                             static_cast<std::uint16_t>(i + 1)));
  for (const auto& f : frames) ASSERT_EQ(q.push(f), OutgoingQueue::Verdict::queued);
  EXPECT_EQ(q.queued_bytes(), concat(frames).size());
  auto written = q.begin_write();
  EXPECT_EQ(Bytes(written.begin(), written.end()), concat(frames));
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.writing());
  // Frames arriving during the write queue behind it and go in the next one, still in order.
  auto later = publish("later", 3, mqtt::QoS::at_most_once);
  ASSERT_EQ(q.push(later), OutgoingQueue::Verdict::queued);
  EXPECT_EQ(q.queued_bytes(), concat(frames).size() + later.size());
  q.written();
  EXPECT_FALSE(q.writing());
  auto next = q.begin_write();
  EXPECT_EQ(Bytes(next.begin(), next.end()), later);
  q.written();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.queued_bytes(), 0u);
}

TEST(NetOutgoingQueue, DropsOnlyQos0AboveTheSoftLimit) {
  // A tiny limit: 100 bytes. Queued bytes include the write in progress.
  OutgoingQueue q(QueueLimits{100, 1000});
  auto qos0 = publish("t", 60, mqtt::QoS::at_most_once);   // 65 bytes
  auto qos1 = publish("t", 60, mqtt::QoS::at_least_once, 1);
  auto ack = mqtt::encode(mqtt::Puback{{9, 0, {}}}, mqtt::Version::v3_1_1);
  EXPECT_EQ(q.push(qos0), OutgoingQueue::Verdict::queued);  // 65 ≤ 100
  EXPECT_EQ(q.push(qos0), OutgoingQueue::Verdict::queued);  // 65 queued before: still at or under
  q.begin_write();                                          // 130 bytes now being written
  std::size_t dropped = 0;
  for (int i = 0; i < 10; ++i) dropped += q.push(qos0) == OutgoingQueue::Verdict::dropped;
  EXPECT_EQ(dropped, 10u);
  EXPECT_EQ(q.push(qos1), OutgoingQueue::Verdict::queued);  // QoS 1 and acks are never dropped
  EXPECT_EQ(q.push(ack), OutgoingQueue::Verdict::queued);
  EXPECT_EQ(q.queued_bytes(), 2 * qos0.size() + qos1.size() + ack.size());
  q.written();  // the reader caught up: QoS 0 flows again
  auto rest = q.begin_write();
  EXPECT_EQ(Bytes(rest.begin(), rest.end()), concat({qos1, ack}));
  q.written();
  EXPECT_EQ(q.push(qos0), OutgoingQueue::Verdict::queued);
}

TEST(NetOutgoingQueue, HardLimitCloses) {
  OutgoingQueue q(QueueLimits{100, 150});
  auto qos1 = publish("t", 60, mqtt::QoS::at_least_once, 1);  // 67 bytes
  EXPECT_EQ(q.push(qos1), OutgoingQueue::Verdict::queued);   // 67
  EXPECT_EQ(q.push(qos1), OutgoingQueue::Verdict::queued);   // 134
  EXPECT_EQ(q.push(qos1), OutgoingQueue::Verdict::overflow); // 201 > 150
  EXPECT_EQ(q.queued_bytes(), 2 * qos1.size());
}

TEST(NetOutgoingQueue, ZeroLimitsNeverDropNorClose) {
  OutgoingQueue q(QueueLimits{0, 0});
  auto qos0 = publish("t", 4096, mqtt::QoS::at_most_once);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(q.push(qos0), OutgoingQueue::Verdict::queued) << i;  // 16 MiB
  EXPECT_EQ(q.queued_bytes(), 4096 * qos0.size());
}

TEST(NetOutgoingQueue, HardLimitFollowsTheSoftOne) {
  EXPECT_EQ(hard_limit_for(1024 * 1024, 8 * 1024 * 1024), 8u * 1024 * 1024);
  EXPECT_EQ(hard_limit_for(16 * 1024 * 1024, 8 * 1024 * 1024), 128u * 1024 * 1024);
  EXPECT_EQ(hard_limit_for(100, 8 * 1024 * 1024), 8u * 1024 * 1024);
  EXPECT_EQ(hard_limit_for(0, 8 * 1024 * 1024), 0u);  // QoS 0 never dropped: never closed either
}

TEST(NetOutgoingQueue, BurstMemoryIsGivenBackOnceWritten) {
  OutgoingQueue q(QueueLimits{0, 0});
  auto big = publish("t", 100 * 1024, mqtt::QoS::at_least_once, 1);
  ASSERT_EQ(q.push(big), OutgoingQueue::Verdict::queued);
  EXPECT_GE(q.reserved_bytes(), big.size());
  q.begin_write();
  ASSERT_EQ(q.push(big), OutgoingQueue::Verdict::queued);  // arrives during the write
  q.written();
  EXPECT_GE(q.reserved_bytes(), big.size());  // still holds the queued frame
  q.begin_write();
  q.written();
  EXPECT_EQ(q.queued_bytes(), 0u);
  EXPECT_LE(q.reserved_bytes(), 4u * 1024);  // an idle connection keeps no burst's worth
}

// A backlog (a slow reader) is written block by block, each at most kBlockBytes unless one frame
// is larger, every frame whole and in order; memory is reused while it lasts and given back after.
TEST(NetOutgoingQueue, ABacklogGoesOutInBlocksInOrder) {
  OutgoingQueue q(QueueLimits{0, 0});
  std::vector<Bytes> frames;
  for (int i = 0; i < 300; ++i)
    frames.push_back(publish("t/" + std::to_string(i), 4000 + static_cast<std::size_t>(i), mqtt::QoS::at_least_once,
                             static_cast<std::uint16_t>(i + 1)));
  frames.push_back(publish("huge", 200 * 1024, mqtt::QoS::at_least_once, 999));  // over a block
  frames.push_back(publish("after", 10, mqtt::QoS::at_most_once));
  for (const auto& f : frames) ASSERT_EQ(q.push(f), OutgoingQueue::Verdict::queued);
  EXPECT_EQ(q.queued_bytes(), concat(frames).size());
  Bytes out;
  std::size_t writes = 0;
  while (!q.empty()) {
    auto w = q.begin_write();
    EXPECT_TRUE(w.size() <= OutgoingQueue::kBlockBytes || w.size() == frames[300].size()) << w.size();
    out.insert(out.end(), w.begin(), w.end());
    ++writes;
    if (writes == 3) {  // frames arriving mid-backlog go behind it
      auto late = publish("late", 5, mqtt::QoS::at_most_once);
      ASSERT_EQ(q.push(late), OutgoingQueue::Verdict::queued);
      frames.push_back(late);
    }
    q.written();
    EXPECT_LE(q.reserved_bytes(), q.queued_bytes() + 2 * OutgoingQueue::kBlockBytes + frames[300].size());
  }
  EXPECT_EQ(out, concat(frames));
  EXPECT_GE(writes, concat(frames).size() / OutgoingQueue::kBlockBytes);
  EXPECT_EQ(q.queued_bytes(), 0u);
  EXPECT_LE(q.reserved_bytes(), 4u * 1024);
}

// A backlog that comes and goes reuses the thread's written blocks rather than fresh heap.
TEST(NetOutgoingQueue, WrittenBlocksAreKeptForTheThreadsNextBacklog) {
  OutgoingQueue q(QueueLimits{0, 0});
  auto frame = publish("t", 4000, mqtt::QoS::at_least_once, 1);
  auto fill = [&] {
    for (int i = 0; i < 40; ++i) ASSERT_EQ(q.push(frame), OutgoingQueue::Verdict::queued);  // > 2 blocks
  };
  auto drain = [&] {
    while (!q.empty()) {
      q.begin_write();
      q.written();
    }
  };
  fill();
  drain();
  const std::size_t kept = OutgoingQueue::pooled_on_this_thread();
  EXPECT_GE(kept, 2u);
  EXPECT_LE(q.reserved_bytes(), 4u * 1024);  // the pool is the thread's, not the idle connection's
  fill();
  EXPECT_LT(OutgoingQueue::pooled_on_this_thread(), kept);  // taken back from the pool
  drain();
  EXPECT_EQ(OutgoingQueue::pooled_on_this_thread(), kept);
}

TEST(ServerLimits, TokenBucketWithRateZeroIsUnlimited) {
  TokenBucket b(0);
  EXPECT_TRUE(b.unlimited());
  auto t0 = TokenBucket::Clock::time_point{} + std::chrono::seconds(1);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(b.take(1e9, t0), TokenBucket::Clock::duration::zero());
  EXPECT_FALSE(TokenBucket(512 * 1024).unlimited());
}

}  // namespace
}  // namespace trustlane::broker::net
