// Agents in process: three in-process chips, three agents on one io_context thread, against a
// small scripted MQTT-over-mutual-TLS peer written with the mqtt codec (it forwards every
// PUBLISH to every subscriber). Checks identity (client ID = base64 UID, chip certificate seen
// by the server), fan-out of QoS 0 and 1, and a clean stop (DISCONNECT seen by the peer).
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/test_pki.hpp"
#include "chip/store.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "device/agent.hpp"
#include "mqtt/codec.hpp"
#include "mqtt/frame_reader.hpp"
#include "mqtt/topic.hpp"

namespace trustlane::device {
namespace {

using test::ca_spec;
using test::server_spec;

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Stream = asio::ssl::stream<tcp::socket>;

struct Peer {
  crypto::Key ca_key = crypto::Key::generate();
  crypto::Certificate ca =
      crypto::issue_certificate(ca_spec(), ca_key, ca_key, nullptr);
  crypto::Key key = crypto::Key::generate();
  crypto::Certificate cert = crypto::issue_certificate(server_spec("broker.test"), key,
      ca_key, &ca);
  asio::ssl::context tls{asio::ssl::context::tls_server};
  tcp::acceptor acceptor;
  struct Conn {
    std::shared_ptr<Stream> stream;
    std::vector<std::string> filters;
    std::deque<Bytes> queue;  // one write at a time per TLS stream
    bool writing = false;
  };
  std::vector<std::shared_ptr<Conn>> sessions;
  std::set<std::string> client_ids, disconnects;
  std::set<std::string> client_cert_serials;

  Peer(asio::io_context& io, const crypto::Certificate& vendor_ca) : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    SSL_CTX* ctx = tls.native_handle();
    SSL_CTX_use_certificate(ctx, cert.get());
    SSL_CTX_use_PrivateKey(ctx, key.get());
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), vendor_ca.get());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      auto stream = std::make_shared<Stream>(std::move(socket), tls);
      asio::co_spawn(acceptor.get_executor(), serve(stream), asio::detached);
    }
  }

  void send(const std::shared_ptr<Conn>& c, const mqtt::Packet& p) {
    c->queue.push_back(mqtt::encode(p, mqtt::Version::v3_1_1));
    if (!c->writing) write_next(c);
  }
  void write_next(const std::shared_ptr<Conn>& c) {
    if (c->queue.empty()) {
      c->writing = false;
      return;
    }
    c->writing = true;
    asio::async_write(*c->stream, asio::buffer(c->queue.front()), [this, c](boost::system::error_code ec, std::size_t) {
      c->queue.pop_front();
      if (ec) {
        c->queue.clear();
        c->writing = false;
        return;
      }
      write_next(c);
    });
  }

  asio::awaitable<void> serve(std::shared_ptr<Stream> s) {
    boost::system::error_code ec;
    co_await s->async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    if (X509* peer = SSL_get0_peer_certificate(s->native_handle()))
      client_cert_serials.insert(to_hex(crypto::Certificate::adopt(X509_dup(peer)).serial()));
    mqtt::FrameReader reader(1 << 20);
    std::array<std::uint8_t, 4096> buf;
    auto conn = std::make_shared<Conn>();
    conn->stream = s;
    sessions.push_back(conn);
    std::string client_id;
    for (;;) {
      auto n = co_await s->async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      reader.feed(ByteView(buf.data(), n));
      for (;;) {
        auto frame = reader.next();
        if (!frame || !*frame) break;
        auto packet = mqtt::decode(**frame, mqtt::Version::v3_1_1);
        if (!packet) co_return;
        if (auto* c = std::get_if<mqtt::Connect>(&*packet)) {
          client_id = c->client_id;
          client_ids.insert(c->client_id);
          send(conn, mqtt::Connack{});
        } else if (auto* sub = std::get_if<mqtt::Subscribe>(&*packet)) {
          mqtt::Suback ack;
          ack.packet_id = sub->packet_id;
          for (auto& f : sub->subscriptions) {
            conn->filters.push_back(f.filter);
            ack.reason_codes.push_back(1);
          }
          send(conn, ack);
        } else if (auto* pub = std::get_if<mqtt::Publish>(&*packet)) {
          if (pub->qos == mqtt::QoS::at_least_once) {
            mqtt::Puback ack;
            ack.packet_id = pub->packet_id;
            send(conn, ack);
          }
          for (auto& other : sessions) {
            for (auto& f : other->filters) {
              if (!mqtt::topic_matches(f, pub->topic)) continue;
              mqtt::Publish out = *pub;
              out.dup = false;
              if (out.qos == mqtt::QoS::at_least_once) out.packet_id = 100;
              send(other, out);
              break;
            }
          }
        } else if (std::holds_alternative<mqtt::Pingreq>(*packet)) {
          send(conn, mqtt::Pingresp{});
        } else if (std::holds_alternative<mqtt::Disconnect>(*packet)) {
          disconnects.insert(client_id);
        }
      }
    }
    conn->filters.clear();
  }
};

TEST(DeviceAgent, ThreeAgentsOnOneIoContextHearEachOtherAndStopCleanly) {
  auto store = chip::Store::in_memory();
  auto chips = store->mint(3);
  asio::io_context io;
  Peer peer(io, store->vendor_ca());
  asio::co_spawn(io, peer.accept_loop(), asio::detached);

  std::mutex mutex;
  std::map<std::size_t, std::set<std::string>> heard;  // agent → UIDs heard from
  std::atomic<int> stopped{0};
  std::vector<std::unique_ptr<Agent>> agents;
  for (std::size_t i = 0; i < chips.size(); ++i) {
    AgentConfig config;
    config.chip = chips[i];
    config.endpoint = "broker.test";
    config.connect_host = "127.0.0.1";
    config.connect_port = peer.acceptor.local_endpoint().port();
    config.root_ca_pem = peer.ca.pem();
    config.subscriptions = {"fleet/#"};
    config.publish_topic = "fleet/" + std::to_string(i);
    config.publish_interval = std::chrono::milliseconds(50);
    agents.push_back(std::make_unique<Agent>(io, config, [&, i](const AgentEvent& e) {
      std::lock_guard lock(mutex);
      if (e.kind == AgentEvent::Kind::received)
        heard[i].insert(nlohmann::json::parse(trustlane::to_string(e.payload))["uid"].get<std::string>());
      if (e.kind == AgentEvent::Kind::stopped) ++stopped;
    }));
    EXPECT_EQ(agents.back()->client_id(), base64_encode(chips[i]->unique_id()));
    EXPECT_EQ(agents.back()->client_id().size(), 24u);
    agents.back()->start();
  }
  std::thread runner([&] { io.run(); });
  auto all_heard = [&] {
    std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < chips.size(); ++i)
      if (heard[i].size() < chips.size()) return false;
    return true;
  };
  for (int i = 0; i < 200 && !all_heard(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(all_heard());
  for (auto& a : agents) a->stop();
  for (int i = 0; i < 100 && stopped.load() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(stopped.load(), 3);
  asio::post(io, [&] {
    peer.acceptor.close();
    EXPECT_EQ(peer.client_ids.size(), 3u);
    EXPECT_EQ(peer.client_cert_serials.size(), 3u);  // each chip's own certificate
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  io.stop();
  runner.join();
  EXPECT_EQ(peer.disconnects.size(), 3u);
}

}  // namespace
}  // namespace trustlane::device
