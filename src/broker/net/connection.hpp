// One client connection: TLS handshake → identity (MAR/JITR) → CONNECT → MQTT session.
// Owned by one io_context thread: every member is touched only there; other threads reach it
// through the SessionSink methods, which post. Handlers follow validate → authorise → act → reply.
#pragma once
#include <utility>  // Boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "broker/auth_identify.hpp"
#include "broker/auth_permissions.hpp"
#include "broker/events_lifecycle.hpp"
#include "broker/net/context.hpp"
#include "broker/server_limits.hpp"
#include "mqtt/frame_reader.hpp"

namespace trustlane::broker::net {

class Connection final : public SessionSink, public std::enable_shared_from_this<Connection> {
 public:
  Connection(Context& ctx, boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls, bool alpn_required);
  ~Connection() override;
  void start();

  void deliver(Delivery d) override;
  void disconnect(DisconnectReason why) override;
  void reload_policies() override;

 private:
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> watchdog();
  boost::asio::awaitable<std::optional<Bytes>> read_frame();
  boost::asio::awaitable<void> refuse(Refusal why, std::string detail, std::optional<mqtt::Version> version);

  bool handle_connect(mqtt::Connect& c, std::optional<Refused>& refusal);
  void handle(mqtt::Packet& p);
  void on_publish(mqtt::Publish& p);
  void on_subscribe(const mqtt::Subscribe& s);
  void on_unsubscribe(const mqtt::Unsubscribe& u);
  void on_puback(const mqtt::Puback& a);

  void deliver_here(Delivery d);
  void send_publish(const Delivery& d, std::uint16_t packet_id);
  void send(const mqtt::Packet& p);
  void protocol_failure(mqtt::ReasonCode code, DisconnectReason why, std::string detail);
  void close(DisconnectReason why);
  void close_after_flush(DisconnectReason why, std::optional<mqtt::ReasonCode> v5_reason);
  void finish();
  std::uint16_t next_packet_id();
  void publish_will();
  PresenceFacts presence() const;

  Context& ctx_;
  Stream stream_;
  boost::asio::any_io_executor executor_;
  bool alpn_required_;
  std::string sni_;
  std::string peer_ip_;
  boost::asio::steady_timer write_wake_;
  boost::asio::steady_timer watchdog_timer_;
  Clock::time_point deadline_;
  bool closed_ = false;
  bool close_when_flushed_ = false;
  bool writing_ = false;
  std::optional<DisconnectReason> cause_;

  mqtt::FrameReader reader_;
  Bytes read_buffer_;

  // After CONNECT.
  bool established_ = false;
  mqtt::Version version_ = mqtt::Version::v3_1_1;
  std::optional<Identity> identity_;
  std::optional<crypto::Certificate> peer_;
  std::optional<Permissions> permissions_;
  std::string client_id_;
  std::string session_uuid_;
  SessionKey session_ = 0;
  std::optional<mqtt::Will> will_;
  std::uint16_t keep_alive_ = 0;
  std::size_t subscriptions_ = 0;
  std::uint32_t client_max_packet_ = 0;  // v5 Maximum Packet Size of the client (0: none)
  std::size_t send_quota_ = 0;           // max in-flight QoS 1 towards the client
  TokenBucket publish_rate_;
  TokenBucket byte_rate_;

  std::deque<Bytes> out_;
  std::size_t out_bytes_ = 0;
  std::map<std::uint16_t, Delivery> inflight_;
  std::deque<Delivery> pending_;  // QoS 1 waiting for an in-flight slot
  std::uint16_t last_packet_id_ = 0;
};

}  // namespace trustlane::broker::net
