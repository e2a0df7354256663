// Incremental frame reader: byte-at-a-time input, several frames per read, size cap, bad varint.
#include <gtest/gtest.h>

#include "mqtt/frame_reader.hpp"
#include "test_bytes.hpp"

using namespace trustlane::mqtt;
using mqtt_test::B;
using mqtt_test::Bytes;

namespace {

TEST(FrameReader, AssemblesFramesFedOneByteAtATime) {
  Bytes stream = B({{0xC0, 0x00}, {0x30, 0x05, 0x00, 0x01}, "t", "hi", {0xE0, 0x00}});
  FrameReader r(1024);
  std::vector<Bytes> frames;
  for (auto b : stream) {
    r.feed(trustlane::ByteView(&b, 1));
    while (true) {
      auto f = r.next();
      ASSERT_TRUE(f.ok());
      if (!f.value()) break;
      frames.push_back(*f.value());
    }
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0], B({{0xC0, 0x00}}));
  EXPECT_EQ(frames[1], B({{0x30, 0x05, 0x00, 0x01}, "t", "hi"}));
  EXPECT_EQ(frames[2], B({{0xE0, 0x00}}));
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(FrameReader, ViewsTheFramesItHoldsAndStartsOverOnceAllAreTaken) {
  FrameReader r(1024);
  r.feed(B({{0xC0, 0x00}, {0x30, 0x05, 0x00, 0x01}, "t", "hi", {0xE0}}));
  auto ping = r.next_view();
  ASSERT_TRUE(ping.ok() && ping.value());
  EXPECT_EQ(Bytes(ping.value()->begin(), ping.value()->end()), B({{0xC0, 0x00}}));
  auto publish = r.next_view();
  ASSERT_TRUE(publish.ok() && publish.value());
  EXPECT_EQ(Bytes(publish.value()->begin(), publish.value()->end()), B({{0x30, 0x05, 0x00, 0x01}, "t", "hi"}));
  EXPECT_FALSE(r.next_view().value().has_value());  // half a frame waits
  EXPECT_EQ(r.buffered(), 1u);
  r.feed(B({{0x00}}));
  auto disconnect = r.next_view();
  ASSERT_TRUE(disconnect.ok() && disconnect.value());
  EXPECT_EQ(Bytes(disconnect.value()->begin(), disconnect.value()->end()), B({{0xE0, 0x00}}));
  EXPECT_EQ(r.buffered(), 0u);
  EXPECT_FALSE(r.next_view().value().has_value());
  r.feed(B({{0xD0, 0x00}}));  // after everything was taken, the reader starts over
  EXPECT_EQ(*r.next().value(), B({{0xD0, 0x00}}));
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(FrameReader, SeveralFramesInOneFeed) {
  FrameReader r(1024);
  r.feed(B({{0xC0, 0x00, 0xD0, 0x00, 0xE0}}));
  EXPECT_EQ(*r.next().value(), B({{0xC0, 0x00}}));
  EXPECT_EQ(*r.next().value(), B({{0xD0, 0x00}}));
  EXPECT_FALSE(r.next().value().has_value());  // half a frame waits
  r.feed(B({{0x00}}));
  EXPECT_EQ(*r.next().value(), B({{0xE0, 0x00}}));
}

TEST(FrameReader, MultiByteLengthAcrossFeeds) {
  Bytes frame = B({{0x30, 0x80, 0x01}});  // remaining length 128
  frame.resize(3 + 128, 0x41);
  frame[3] = 0x00;
  frame[4] = 0x01;
  FrameReader r(1024);
  r.feed(trustlane::ByteView(frame).subspan(0, 2));
  EXPECT_FALSE(r.next().value().has_value());
  r.feed(trustlane::ByteView(frame).subspan(2));
  auto f = r.next();
  ASSERT_TRUE(f.ok() && f.value());
  EXPECT_EQ(f.value()->size(), 131u);
}

TEST(FrameReader, OversizeClaimRefusedBeforeBodyArrives) {
  FrameReader r(128 * 1024);
  r.feed(B({{0x30, 0xFF, 0xFF, 0xFF, 0x7F}}));  // claims 268 MB
  auto f = r.next();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error(), ReasonCode::packet_too_large);
  EXPECT_LT(r.buffered(), 16u);  // nothing was allocated for the claim
  r.feed(B({{0xC0, 0x00}}));     // sticky: the stream is unusable now
  EXPECT_FALSE(r.next().ok());
}

TEST(FrameReader, LimitCountsTheWholePacket) {
  FrameReader exact(4);
  exact.feed(B({{0x30, 0x02, 0x00, 0x00}}));
  EXPECT_TRUE(exact.next().ok());
  FrameReader over(3);
  over.feed(B({{0x30, 0x02, 0x00, 0x00}}));
  EXPECT_EQ(over.next().error(), ReasonCode::packet_too_large);
}

TEST(FrameReader, FiveByteLengthIsMalformed) {
  FrameReader r(1u << 30);
  r.feed(B({{0x30, 0x80, 0x80, 0x80, 0x80, 0x01}}));
  auto f = r.next();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error(), ReasonCode::malformed_packet);
}

TEST(FrameReader, TakeBufferedHandsOverWhatFollowsAFrame) {
  FrameReader r(1024);
  r.feed(B({{0x10, 0x01, 0xAA, 0xC0, 0x00, 0x30}}));  // a frame, a whole PINGREQ, half a PUBLISH
  auto first = r.next();
  ASSERT_TRUE(first.ok() && first.value());
  EXPECT_EQ(*first.value(), B({{0x10, 0x01, 0xAA}}));
  EXPECT_EQ(r.take_buffered(), B({{0xC0, 0x00, 0x30}}));
  EXPECT_EQ(r.buffered(), 0u);
  r.feed(B({{0xD0, 0x00}}));  // usable again from scratch
  auto next = r.next();
  ASSERT_TRUE(next.ok() && next.value());
  EXPECT_EQ(*next.value(), B({{0xD0, 0x00}}));
}

}  // namespace
