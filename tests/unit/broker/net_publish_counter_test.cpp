#include <gtest/gtest.h>

#include "broker/net/tls_session.hpp"

namespace trustlane::broker::net {
namespace {

TEST(NetPublishCounter, CountsPublishesAcrossArbitrarySplits) {
  // PUBLISH QoS 0 "a" payload "xy"; PINGREQ; PUBLISH with a 200-byte body (2-byte length).
  Bytes stream = {0x30, 0x05, 0x00, 0x01, 'a', 'x', 'y', 0xC0, 0x00, 0x32, 0xC8, 0x01};
  stream.insert(stream.end(), 200, 0x33);  // body bytes that look like PUBLISH headers
  stream.push_back(0xD0);
  stream.push_back(0x00);
  for (std::size_t split = 1; split < stream.size(); ++split) {
    PublishCounter c;
    auto n = c.feed(ByteView(stream.data(), split)) + c.feed(ByteView(stream.data() + split, stream.size() - split));
    EXPECT_EQ(n, 2u) << "split at " << split;
  }
}

}  // namespace
}  // namespace trustlane::broker::net
