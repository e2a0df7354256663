// host::SecureElement against a scripted channel: the shapes of answers NXP's host tolerates
// or refuses, checked without a chip.
#include <gtest/gtest.h>

#include <deque>

#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "host/secure_element.hpp"
#include "se05x/apdu.hpp"
#include "se05x/tlv.hpp"

namespace trustlane::host {
namespace {

class ScriptedChannel : public se05x::ApduChannel {
 public:
  std::deque<Bytes> answers;
  std::vector<Bytes> commands;
  Bytes transceive(ByteView command) override {
    commands.emplace_back(command.begin(), command.end());
    if (answers.empty()) throw std::runtime_error("script exhausted");
    auto a = answers.front();
    answers.pop_front();
    return a;
  }
  Bytes reset() override { return {0x3B}; }
};

Bytes with_sw(Bytes data, std::uint16_t sw = 0x9000) {
  put_u16(data, sw);
  return data;
}

TEST(ScriptedSecureElement, SelectToleratesFourFiveAndSevenBytes) {
  for (std::size_t n : {4u, 5u, 7u}) {
    ScriptedChannel ch;
    Bytes version{3, 1, 1, 0x6F, 0xFF, 0x01, 0x0B};
    version.resize(n);
    ch.answers.push_back(with_sw(version));
    SecureElement se(ch);
    EXPECT_EQ(se.select().text(), "3.1.1") << n;
    // SELECT is sent exactly as the host library sends it.
    EXPECT_EQ(to_hex(ch.commands[0]), "00a4040010a000000396545300000001030000000000");
  }
  for (std::size_t n : {0u, 3u, 6u, 8u}) {
    ScriptedChannel ch;
    ch.answers.push_back(with_sw(Bytes(n, 3)));
    SecureElement se(ch);
    EXPECT_THROW(se.select(), SeError) << n;
  }
}

TEST(ScriptedSecureElement, CommandsAreEncodedLikeTheHostLibrary) {
  ScriptedChannel ch;
  ch.answers.push_back(with_sw(*from_hex("4107 03010 16FFF010B")));
  SecureElement se(ch);
  se.version();
  EXPECT_EQ(to_hex(ch.commands[0]), "8004002000");
}

TEST(ScriptedSecureElement, RefusesTrailingBytesAndWrongSizes) {
  ScriptedChannel ch;
  ch.answers.push_back(with_sw(*from_hex("410101 00")));  // exists + a stray byte
  ch.answers.push_back(with_sw(*from_hex("410103")));     // neither success nor failure
  ch.answers.push_back(with_sw(*from_hex("4101")));       // truncated TLV
  ch.answers.push_back(Bytes{0x90});                       // not even a status word
  SecureElement se(ch);
  for (int i = 0; i < 4; ++i) {
    try {
      se.exists(1);
      FAIL() << "answer " << i << " accepted";
    } catch (const SeError& e) {
      EXPECT_EQ(e.status_word(), 0);
      EXPECT_EQ(e.operation(), "CheckObjectExists");
    }
  }
}

TEST(ScriptedSecureElement, CertificatePadByteIsStrippedOnlyWhenPresent) {
  auto key = crypto::Key::generate();
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", "pad test"}};
  auto der = crypto::issue_certificate(spec, key, key, nullptr).der();
  auto serve = [](ScriptedChannel& ch, const Bytes& stored) {
    Bytes size;
    put_u16(size, static_cast<std::uint16_t>(stored.size()));
    ch.answers.push_back(with_sw(se05x::TlvWriter().bytes(0x41, size).data()));
    ch.answers.push_back(with_sw(se05x::TlvWriter().bytes(0x41, stored).data()));
  };
  {
    ScriptedChannel ch;
    Bytes padded = der;
    padded.push_back(0x00);
    serve(ch, padded);
    SecureElement se(ch);
    EXPECT_EQ(se.read_certificate_der(0xF0000101), der);
  }
  {
    ScriptedChannel ch;
    serve(ch, der);
    SecureElement se(ch);
    EXPECT_EQ(se.read_certificate_der(0xF0000101), der);
  }
  {
    ScriptedChannel ch;
    serve(ch, Bytes{0x30, 0x03, 0x02, 0x01, 0x00});
    SecureElement se(ch);
    EXPECT_THROW(se.read_certificate_der(0xF0000101), SeError);  // not a certificate
  }
  // read_certificate: the same rules, parsed once.
  {
    ScriptedChannel ch;
    Bytes padded = der;
    padded.push_back(0x00);
    serve(ch, padded);
    SecureElement se(ch);
    EXPECT_EQ(se.read_certificate(0xF0000101).der(), der);
  }
  {
    ScriptedChannel ch;
    serve(ch, Bytes{0x30, 0x03, 0x02, 0x01, 0x00});
    SecureElement se(ch);
    EXPECT_THROW(se.read_certificate(0xF0000101), SeError);
  }
}

TEST(ScriptedSecureElement, WriteBinarySplitsIn500ByteChunksWithTotalLengthFirst) {
  ScriptedChannel ch;
  for (int i = 0; i < 3; ++i) ch.answers.push_back(with_sw({}));
  SecureElement se(ch);
  se.write_binary(0x11223344, Bytes(1200, 0xAB));
  ASSERT_EQ(ch.commands.size(), 3u);
  // First chunk: 41 id, 43 total length, 44 data (500 bytes).
  auto first = se05x::parse_command(ch.commands[0]);
  ASSERT_TRUE(first);
  se05x::TlvReader r(first->data);
  EXPECT_EQ(to_hex(*r.take(0x41)), "11223344");
  EXPECT_EQ(to_hex(*r.take(0x43)), "04b0");
  EXPECT_EQ(r.take(0x44)->size(), 500u);
  auto third = se05x::parse_command(ch.commands[2]);
  se05x::TlvReader r3(third->data);
  r3.take(0x41);
  EXPECT_EQ(to_hex(*r3.take(0x42)), "03e8");  // offset 1000
  EXPECT_EQ(r3.take(0x44)->size(), 200u);
}

TEST(ScriptedSecureElement, ErrorMessagesNameTheOperationAndStatus) {
  ScriptedChannel ch;
  ch.answers.push_back(with_sw({}, 0x6A82));
  SecureElement se(ch);
  try {
    se.object_size(0xF0000101);
    FAIL();
  } catch (const SeError& e) {
    EXPECT_STREQ(e.what(), "ReadSize failed: SW 6A82 (object not found)");
  }
}

TEST(ScriptedSecureElement, PolicyEncoding) {
  auto bytes = encode_policy({{0, se05x::policy::kSign | se05x::policy::kDelete, {}}, {0x7FFF0201, 0x00200000, {0xAA}}});
  EXPECT_EQ(to_hex(bytes), "080000000010040000" "097fff020100200000aa");
}

}  // namespace
}  // namespace trustlane::host
