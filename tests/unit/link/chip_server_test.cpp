// The servers through real loopback sockets, with our own clients and with raw bytes.
#include "link/chip_server.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "link/jrcp_codec.hpp"
#include "link/t1_block.hpp"
#include "test_support.hpp"

namespace trustlane::link {
namespace {
using namespace std::chrono_literals;
using test::hex;

struct Fixture {
  std::vector<std::shared_ptr<test::FakeCard>> cards;
  std::unique_ptr<ChipServer> server;

  explicit Fixture(Transport transport, std::size_t chips = 1, ServerOptions options = {}) {
    std::vector<ServedChip> served;
    for (std::size_t i = 0; i < chips; ++i) {
      cards.push_back(std::make_shared<test::FakeCard>());
      served.push_back({cards.back(), {}});
    }
    options.transport = transport;
    options.base_port = 0;
    server = std::make_unique<ChipServer>(std::move(served), options);
    server->start();
  }
  Fixture(Transport transport, ServedChip chip, ServerOptions options) {
    options.transport = transport;
    options.base_port = 0;
    std::vector<ServedChip> served{std::move(chip)};
    server = std::make_unique<ChipServer>(std::move(served), options);
    server->start();
  }
  Endpoint at(std::size_t i = 0) const { return server->endpoints().at(i); }
};

TEST(ChipServer, PowersUpEveryChipAndBindsOnePortEach) {
  Fixture f(Transport::kJrcp, 3);
  ASSERT_EQ(f.server->endpoints().size(), 3u);
  for (auto& card : f.cards) EXPECT_EQ(card->resets(), 1);
  EXPECT_NE(f.at(0).port, f.at(1).port);
}

TEST(ChipServer, ConsecutivePortsFromTheBase) {
  // Find a free range by binding an ephemeral port first, then serving right after it.
  Fixture probe(Transport::kJrcp, 1);
  std::uint16_t base = static_cast<std::uint16_t>(probe.at().port);
  probe.server->stop();
  std::vector<ServedChip> served;
  std::vector<std::shared_ptr<test::FakeCard>> cards;
  for (int i = 0; i < 2; ++i) {
    cards.push_back(std::make_shared<test::FakeCard>());
    served.push_back({cards.back(), {}});
  }
  ServerOptions options;
  options.base_port = base;
  try {
    ChipServer server(std::move(served), options);
    EXPECT_EQ(server.endpoints()[0].port, base);
    EXPECT_EQ(server.endpoints()[1].port, base + 1);
  } catch (const std::runtime_error& e) {
    GTEST_SKIP() << "port range taken meanwhile: " << e.what();
  }
}

TEST(ChipServer, BindFailureNamesTheAddress) {
  Fixture f(Transport::kJrcp, 1);
  std::vector<ServedChip> served{{std::make_shared<test::FakeCard>(), {}}};
  ServerOptions options;
  options.base_port = f.at().port;  // taken
  try {
    ChipServer clash(std::move(served), options);
    FAIL() << "bound a port that is in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(f.at().port)), std::string::npos) << e.what();
  }
}

TEST(JrcpServer, ServesApdusAndResets) {
  Fixture f(Transport::kJrcp);
  JrcpClient client(f.at());
  EXPECT_EQ(client.transceive(hex("8004002000")), hex("8004002000 9000"));
  EXPECT_EQ(client.transceive(hex("80EE0400")).size(), 1026u);
  EXPECT_EQ(client.reset(), test::doc_atr());
  EXPECT_EQ(f.cards[0]->resets(), 2);  // power-up + WAIT_FOR_CARD
}

TEST(JrcpServer, AnswersEveryMessageTypeOverRawBytes) {
  Fixture f(Transport::kJrcp);
  TcpStream raw(f.at(), 5000ms);
  auto ask = [&](Bytes frame) {
    raw.write_all(frame);
    auto header = raw.read_exact(4);
    auto body = raw.read_exact(static_cast<std::size_t>(header[2]) << 8 | header[3]);
    header.insert(header.end(), body.begin(), body.end());
    return header;
  };
  EXPECT_EQ(ask(hex("04000000")), hex("04000000"));
  EXPECT_EQ(ask(hex("07000000")), hex("07000000"));
  EXPECT_EQ(ask(hex("30000000")), hex("30000000"));
  EXPECT_EQ(ask(hex("31000000")), hex("31000000"));
  EXPECT_EQ(ask(hex("02000000"))[0], 0x02);
  auto atr = ask(hex("0000000400000100"));
  EXPECT_EQ(Bytes(atr.begin() + 4, atr.end()), test::doc_atr());
  EXPECT_EQ(ask(hex("7700 0000"))[0], 0x03);  // unknown type: ERROR_MSG, connection kept
  EXPECT_EQ(ask(hex("010000058004002000")), hex("01000007 8004002000 9000"));
  EXPECT_EQ(ask(hex("03000000")), hex("03000000"));  // CLOSE, then the server hangs up
  std::uint8_t byte;
  EXPECT_THROW(raw.read_exact(&byte, 1), std::runtime_error);
}

TEST(JrcpServer, OversizeFrameGetsAnErrorAndTheChipKeepsWorking) {
  Fixture f(Transport::kJrcp);
  {
    TcpStream raw(f.at(), 5000ms);
    raw.write_all(hex("0100FFFF"));
    auto header = raw.read_exact(4);
    EXPECT_EQ(header[0], jrcp::mty::kErrorMsg);
    auto text = to_string(raw.read_exact(static_cast<std::size_t>(header[2]) << 8 | header[3]));
    EXPECT_NE(text.find("65535"), std::string::npos) << text;
    std::uint8_t byte;
    EXPECT_THROW(raw.read_exact(&byte, 1), std::runtime_error);  // closed
  }
  JrcpClient client(f.at());
  EXPECT_EQ(client.transceive(hex("8004002000")), hex("8004002000 9000"));
}

TEST(JrcpServer, TruncatedFrameFromADroppedClientDoesNotWedgeTheChip) {
  Fixture f(Transport::kJrcp);
  {
    TcpStream raw(f.at(), 5000ms);
    raw.write_all(hex("01000010 8004"));  // 16 announced, 2 sent, then gone
  }
  JrcpClient client(f.at());
  EXPECT_EQ(client.transceive(hex("8004002000")), hex("8004002000 9000"));
}

TEST(JrcpServer, ConcurrentClientsOnOneChipAreSerialisedNotRefused) {
  Fixture f(Transport::kJrcp);
  f.cards[0]->hold_each_call(2ms);
  auto worker = [&] {
    JrcpClient client(f.at());
    for (int i = 0; i < 25; ++i) {
      if (client.transceive(hex("8004002000")) != hex("8004002000 9000")) return false;
    }
    return true;
  };
  std::vector<std::future<bool>> results;
  for (int i = 0; i < 4; ++i) results.push_back(std::async(std::launch::async, worker));
  for (auto& r : results) EXPECT_TRUE(r.get());
  EXPECT_EQ(f.cards[0]->calls(), 100);
  EXPECT_FALSE(f.cards[0]->overlapped());
}

TEST(JrcpServer, LockHoldsTheChipUntilUnlock) {
  Fixture f(Transport::kJrcp);
  JrcpClient owner(f.at());
  owner.lock();
  std::atomic<bool> served{false};
  auto other = std::async(std::launch::async, [&] {
    JrcpClient client(f.at());
    auto r = client.transceive(hex("8004002000"));
    served = true;
    return r;
  });
  std::this_thread::sleep_for(150ms);
  EXPECT_FALSE(served.load()) << "a locked chip served another connection";
  EXPECT_EQ(owner.transceive(hex("80010203 00")), hex("80010203 00 9000"));  // the owner still works
  owner.unlock();
  EXPECT_EQ(other.get(), hex("8004002000 9000"));
}

TEST(JrcpServer, ALockIsReleasedWhenItsConnectionDrops) {
  Fixture f(Transport::kJrcp);
  {
    TcpStream raw(f.at(), 5000ms);
    raw.write_all(hex("30000000"));
    EXPECT_EQ(raw.read_exact(4), hex("30000000"));
  }  // killed without UNLOCK
  JrcpClient client(f.at(), 5000ms);
  EXPECT_EQ(client.transceive(hex("8004002000")), hex("8004002000 9000"));
}

TEST(JrcpServer, SimulatedDurationDelaysTheAnswerWithoutBlockingOtherChips) {
  auto slow = std::make_shared<test::FakeCard>();
  auto fast = std::make_shared<test::FakeCard>();
  std::vector<ServedChip> served{{slow, [](ByteView, ByteView) { return std::chrono::microseconds(300000); }},
                                 {fast, {}}};
  ServerOptions options;
  options.base_port = 0;
  options.threads = 1;  // both chips on one io thread: the timer must not block it
  ChipServer server(std::move(served), options);
  server.start();
  auto slow_call = std::async(std::launch::async, [&] {
    JrcpClient client(server.endpoints()[0]);
    auto start = std::chrono::steady_clock::now();
    client.transceive(hex("8004002000"));
    return std::chrono::steady_clock::now() - start;
  });
  std::this_thread::sleep_for(50ms);
  JrcpClient client(server.endpoints()[1]);
  auto start = std::chrono::steady_clock::now();
  client.transceive(hex("8004002000"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 150ms);
  EXPECT_GE(slow_call.get(), 290ms);
}

TEST(T1Server, SessionStartThenApdusWithChaining) {
  Fixture f(Transport::kT1);
  T1Client client(f.at());
  EXPECT_EQ(client.atr(), test::doc_atr());
  EXPECT_EQ(client.transceive(hex("8004002000")), hex("8004002000 9000"));
  Bytes big(700, 0x33);
  big[1] = 0x01;
  auto echoed = client.transceive(big);
  EXPECT_EQ(echoed.size(), 702u);
  EXPECT_EQ(client.transceive(hex("80EE0400")).size(), 1026u);
  EXPECT_EQ(client.reset(), test::doc_atr());
  EXPECT_EQ(f.cards[0]->resets(), 2);
}

TEST(T1Server, RawSessionStartExchangeIsByteExact) {
  Fixture f(Transport::kT1);
  TcpStream raw(f.at(), 5000ms);
  raw.write_all(hex("5AC000FFFC"));
  EXPECT_EQ(raw.read_exact(5), hex("A5E0003F19"));
  raw.write_all(hex("5AC700F7B1"));
  auto header = raw.read_exact(3);
  EXPECT_EQ(header[0], 0xA5);
  EXPECT_EQ(header[1], 0xE7);
  EXPECT_EQ(raw.read_exact(std::size_t{header[2]} + 2).size(), test::doc_atr().size() + 2);
  raw.write_all(hex("5A 00 16 00 A4 04 00 10 A0 00 00 03 96 54 53 00 00 00 01 03 00 00 00 00 00 A8 C8"));
  header = raw.read_exact(3);
  EXPECT_EQ(header[0], 0xA5);
  EXPECT_EQ(header[1], 0x00);
  raw.read_exact(std::size_t{header[2]} + 2);
  raw.write_all(hex("5AC5004782"));
  EXPECT_EQ(raw.read_exact(5), hex("A5E5008767"));
}

TEST(T1Server, BadCrcAndTruncatedFramesAreAnswered) {
  ServerOptions options;
  options.stall_timeout = 100ms;
  Fixture f(Transport::kT1, 1, options);
  TcpStream raw(f.at(), 5000ms);
  raw.write_all(hex("5AC000FFFD"));  // bad CRC
  EXPECT_EQ(raw.read_exact(5), t1::r_block(t1::kNadSeToHost, 0, t1::RError::kCrc));
  raw.write_all(hex("5A0010 8004"));  // truncated: answered after the stall timeout
  EXPECT_EQ(raw.read_exact(5), t1::r_block(t1::kNadSeToHost, 0, t1::RError::kOther));
  raw.write_all(hex("5AC000FFFC"));  // and the link still works
  EXPECT_EQ(raw.read_exact(5), hex("A5E0003F19"));
}

TEST(T1Server, LongOperationsSendWtxRequests) {
  auto card = std::make_shared<test::FakeCard>();
  ServerOptions options;
  options.wtx_interval = 50ms;
  Fixture f(Transport::kT1, ServedChip{card, [](ByteView, ByteView) { return std::chrono::microseconds(230000); }},
            options);
  T1Client client(f.at());
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.transceive(hex("8004002000")), hex("8004002000 9000"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 220ms);
  EXPECT_GE(client.wtx_requests_seen(), 3);
}

TEST(T1Server, ConcurrentSessionsOnOneChip) {
  Fixture f(Transport::kT1);
  f.cards[0]->hold_each_call(1ms);
  auto worker = [&] {
    T1Client client(f.at());
    for (int i = 0; i < 20; ++i) {
      if (client.transceive(hex("80EE0300")).size() != 0x302) return false;
    }
    return true;
  };
  std::vector<std::future<bool>> results;
  for (int i = 0; i < 3; ++i) results.push_back(std::async(std::launch::async, worker));
  for (auto& r : results) EXPECT_TRUE(r.get());
  EXPECT_FALSE(f.cards[0]->overlapped());
}

TEST(OpenChannel, ParsesAddresses) {
  auto a = parse_channel_address("127.0.0.1:8050");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->transport, Transport::kJrcp);
  EXPECT_EQ(a->endpoint.port, 8050);
  auto b = parse_channel_address("t1://localhost:9000");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->transport, Transport::kT1);
  EXPECT_EQ(b->endpoint.host, "localhost");
  auto c = parse_channel_address("se05x://127.0.0.1:8050/0xF0000100");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->endpoint.port, 8050);
  EXPECT_EQ(c->object, 0xF0000100u);
  EXPECT_EQ(a->object, std::nullopt);
  EXPECT_FALSE(parse_channel_address("se05x://127.0.0.1:8050/0xF00001000"));  // 36 bits
  EXPECT_FALSE(parse_channel_address("se05x://127.0.0.1:8050/key"));
  EXPECT_EQ(parse_object_id("4026532096"), 0xF0000100u);
  EXPECT_EQ(parse_object_id("0x"), std::nullopt);
  EXPECT_EQ(parse_object_id("4294967296"), std::nullopt);
  auto d = parse_channel_address("jrcp://[::1]:8050");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->endpoint.host, "::1");
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", ":80", "host:0", "host:65536", "host:8x", "ftp://h:1"}) {
    EXPECT_FALSE(parse_channel_address(bad)) << bad;
  }
}

TEST(OpenChannel, ConnectsWithEitherTransportAndNamesUnreachableAddresses) {
  Fixture jrcp(Transport::kJrcp);
  Fixture t1(Transport::kT1);
  auto a = open_channel("jrcp://" + jrcp.at().text());
  EXPECT_EQ(a->transceive(hex("8004002000")), hex("8004002000 9000"));
  auto b = open_channel("t1://" + t1.at().text());
  EXPECT_EQ(b->transceive(hex("8004002000")), hex("8004002000 9000"));
  auto port = jrcp.at().port;
  jrcp.server->stop();
  try {
    open_channel("127.0.0.1:" + std::to_string(port));
    FAIL() << "connected to a stopped server";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(port)), std::string::npos) << e.what();
  }
  EXPECT_THROW(open_channel("nonsense"), std::runtime_error);
}

}  // namespace
}  // namespace trustlane::link

namespace trustlane::link {
namespace {
using namespace std::chrono_literals;

TEST(T1Server, AHostThatIgnoresWtxIsDroppedAndTheChipFreed) {
  auto card = std::make_shared<test::FakeCard>();
  ServerOptions options;
  options.transport = Transport::kT1;
  options.base_port = 0;
  options.wtx_interval = 20ms;
  options.wtx_answer_timeout = 100ms;
  std::vector<ServedChip> served{{card, [](ByteView command, ByteView) {
                                    // Only the "slow" APDU takes time.
                                    return command.size() > 1 && command[1] == 0x03 ? std::chrono::microseconds(500000)
                                                                                    : std::chrono::microseconds(0);
                                  }}};
  ChipServer server(std::move(served), options);
  server.start();
  TcpStream silent(server.endpoints()[0], 5000ms);
  silent.write_all(t1::i_block(t1::kNadHostToSe, 0, false, test::hex("80030C09 00")));
  EXPECT_EQ(silent.read_exact(6).at(1), 0xC3);  // S(WTX) request, never answered
  T1Client other(server.endpoints()[0], 5000ms);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(other.transceive(test::hex("8004002000")), test::hex("8004002000 9000"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
  std::uint8_t byte;
  EXPECT_THROW(silent.read_exact(&byte, 1), std::runtime_error);  // dropped
}

}  // namespace
}  // namespace trustlane::link

namespace trustlane::link {
namespace {
using namespace std::chrono_literals;

// Stopping with a busy chip, a queued client and an idle T=1 session must neither hang nor touch
// freed memory (run under ASan in CI).
TEST(ChipServer, StopsCleanlyWithBusyAndQueuedConnections) {
  for (auto transport : {Transport::kJrcp, Transport::kT1}) {
    auto card = std::make_shared<test::FakeCard>();
    ServerOptions options;
    options.transport = transport;
    options.base_port = 0;
    options.wtx_interval = 50ms;
    std::vector<ServedChip> served{{card, [](ByteView, ByteView) { return std::chrono::microseconds(2000000); }}};
    auto server = std::make_unique<ChipServer>(std::move(served), options);
    server->start();
    auto endpoint = server->endpoints()[0];
    auto call = [endpoint, transport] {
      try {
        auto channel = open_channel(ChannelAddress{transport, endpoint, std::nullopt}, 5000ms);
        channel->transceive(test::hex("8004002000"));
        return true;
      } catch (const std::runtime_error&) {
        return false;
      }
    };
    auto busy = std::async(std::launch::async, call);
    std::this_thread::sleep_for(100ms);
    auto queued = std::async(std::launch::async, call);
    std::this_thread::sleep_for(100ms);
    auto start = std::chrono::steady_clock::now();
    server->stop();
    server.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
    EXPECT_FALSE(busy.get());    // connection dropped before the simulated time ran out
    EXPECT_FALSE(queued.get());
  }
}

}  // namespace
}  // namespace trustlane::link
