#include <gtest/gtest.h>

#include "provider/uri.hpp"

namespace trustlane::provider {
namespace {

TEST(KeyUri, JrcpAddressAndObject) {
  auto uri = parse_key_uri("se05x://127.0.0.1:8050/0xF0000100");
  ASSERT_TRUE(uri) << uri.error();
  const auto& address = std::get<link::ChannelAddress>(uri->chip);
  EXPECT_EQ(address.transport, link::Transport::kJrcp);
  EXPECT_EQ(address.endpoint.host, "127.0.0.1");
  EXPECT_EQ(address.endpoint.port, 8050);
  EXPECT_EQ(uri->object_id, 0xF0000100u);
  EXPECT_EQ(uri->chip_key(), "jrcp:127.0.0.1:8050");
}

TEST(KeyUri, T1SchemeSelectsT1) {
  auto uri = parse_key_uri("se05x+t1://localhost:9000/0xf0000101");
  ASSERT_TRUE(uri) << uri.error();
  EXPECT_EQ(std::get<link::ChannelAddress>(uri->chip).transport, link::Transport::kT1);
  EXPECT_EQ(uri->object_id, 0xF0000101u);
  EXPECT_EQ(uri->chip_key(), "t1:localhost:9000");
}

TEST(KeyUri, InprocRoundTrip) {
  Bytes uid{0x04, 0x00, 0x50, 0x01, 0xAB};
  auto text = inproc_uri(uid, 0xF0000100);
  EXPECT_EQ(text, "se05x:inproc:04005001ab/0xF0000100");
  auto uri = parse_key_uri(text);
  ASSERT_TRUE(uri) << uri.error();
  EXPECT_EQ(std::get<InprocChip>(uri->chip).unique_id, uid);
  EXPECT_EQ(uri->object_id, 0xF0000100u);
}

TEST(KeyUri, BadUrisSayWhatIsWrong) {
  struct Case {
    const char* uri;
    const char* complaint;
  };
  for (const auto& c : std::initializer_list<Case>{
           {"file:///tmp/key.pem", "not an SE05x key URI"},
           {"se05x://127.0.0.1:8050", "no object id"},
           {"se05x://127.0.0.1:8050/", "bad object id"},
           {"se05x://127.0.0.1:8050/F0000100", "bad object id"},
           {"se05x://127.0.0.1:8050/0x1F0000100", "bad object id"},
           {"se05x://127.0.0.1:8050/0xZZ", "bad object id"},
           {"se05x://127.0.0.1/0xF0000100", "bad chip address"},
           {"se05x:///0xF0000100", "bad chip address"},
           {"se05x://127.0.0.1:99999/0xF0000100", "bad chip address"},
           {"se05x:inproc:zz/0xF0000100", "bad in-process chip id"},
           {"se05x:inproc:/0xF0000100", "bad in-process chip id"},
           {"", "not an SE05x key URI"},
       }) {
    auto uri = parse_key_uri(c.uri);
    ASSERT_FALSE(uri) << c.uri;
    EXPECT_NE(uri.error().find(c.complaint), std::string::npos) << c.uri << " → " << uri.error();
  }
}

TEST(KeyUri, ObjectIdText) { EXPECT_EQ(object_id_text(0x7FFF0206), "0x7FFF0206"); }

}  // namespace
}  // namespace trustlane::provider
