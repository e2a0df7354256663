// One client's TLS connection, owned by one I/O thread: handshake (with timeout), ALPN check,
// identity (MAR/JITR, auth_identify), the CONNECT read and refused here when the identity is not
// acceptable (3.1.1: closed without CONNACK; 5: CONNACK with a reason code), then bytes shuttled
// to and from the MQTT core. Outgoing bytes wait in a bounded queue: QoS 0 PUBLISHes are dropped
// for a slow reader above a soft limit and the connection is closed above a hard one.
#pragma once
#include <utility>  // Boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "broker/auth_identify.hpp"
#include "broker/net/core.hpp"
#include "broker/net/tls_stream.hpp"
#include "broker/server_limits.hpp"
#include "mqtt/packets.hpp"

namespace trustlane::broker::net {

// Counts PUBLISH packets in a byte stream without buffering it (for the stats).
class PublishCounter {
 public:
  std::size_t feed(ByteView data);  // returns the PUBLISH packets whose fixed header began here

 private:
  enum class State { header, length, body } state_ = State::header;
  std::size_t remaining_ = 0;
  std::size_t shift_ = 0;
};

class TlsSession final : public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(Core& core, iot::Registry& registry, Stats& stats, const ServerOptions& options,
             boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls, bool alpn_required);
  ~TlsSession();
  void start();

  // Any thread (posted to the owner).
  void send(Bytes bytes);
  void close_after_flush();

 private:
  using Stream = TlsStream;
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> watchdog();
  boost::asio::awaitable<std::optional<Bytes>> read_connect();
  boost::asio::awaitable<void> refuse(Refusal why, const std::string& detail, std::optional<mqtt::Version> version);
  void enqueue(Bytes bytes);
  void close();

  Core& core_;
  iot::Registry& registry_;
  Stats& stats_;
  const ServerOptions& options_;
  Stream stream_;
  boost::asio::any_io_executor executor_;
  bool alpn_required_;
  std::string sni_;
  std::string peer_ip_;
  boost::asio::steady_timer write_wake_;
  boost::asio::steady_timer watchdog_timer_;
  std::chrono::steady_clock::time_point deadline_;
  bool handed_over_ = false;  // the core owns the MQTT session
  bool closed_ = false;
  bool close_when_flushed_ = false;
  std::deque<Bytes> out_;
  std::size_t out_bytes_ = 0;
  TokenBucket byte_rate_;
  PublishCounter publishes_in_;
};

}  // namespace trustlane::broker::net
