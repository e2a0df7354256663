// One client's TLS connection, owned by one I/O thread: handshake (with timeout), ALPN check,
// identity (MAR/JITR, auth_identify), the CONNECT read and refused here when the identity is not
// acceptable (3.1.1: closed without CONNACK; 5: CONNACK with a reason code), then bytes shuttled
// to and from the MQTT core. Outgoing frames arrive from the core in batches (deliver(): one
// cross-thread wake-up per batch, not per message) and wait in a bounded OutgoingQueue written
// with one TLS write per wake-up: QoS 0 PUBLISHes are dropped for a slow reader above a soft
// limit and the connection is closed above a hard one.
#pragma once
#include <utility>  // Boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/auth_identify.hpp"
#include "broker/net/core.hpp"
#include "net/tls_stream.hpp"
#include "broker/net/outgoing_queue.hpp"
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

  // Any thread. Frames to send, in order, then (close_after) close once they are written.
  // Batches arriving while the owner has not yet taken the previous one join it: one post per
  // wake-up of the owner thread, whatever the number of frames.
  void deliver(std::vector<Bytes> frames, bool close_after);
  void send(Bytes bytes);     // deliver() of one frame
  void close_after_flush();   // deliver() of none, then close
  // Core thread: the core has processed n bytes this session read (see kMaxAtCore).
  void core_consumed(std::size_t n) { at_core_ -= n; }

  // Any thread: bytes handed to this session by deliver() and not yet written to the socket.
  std::size_t backlog() const { return inbox_bytes_.load(std::memory_order_relaxed) + queued_bytes_.load(std::memory_order_relaxed); }
  // Core thread, lossless mode (no QoS 0 drop limit): this client's messages went to `receiver`,
  // whose backlog is above kHoldAbove. Its reads pause until that backlog is below kResumeBelow,
  // the receiver is gone, or kMaxHold has passed (then one more read, and the check again): TCP
  // pushes back on the publisher instead of the broker buffering without bound. The bound on one
  // hold keeps two clients that publish to each other with blocking writes from waiting forever.
  void hold_reads_for(std::weak_ptr<TlsSession> receiver);
  static constexpr std::size_t kHoldAbove = 1024 * 1024;
  static constexpr std::size_t kResumeBelow = 256 * 1024;
  static constexpr std::chrono::milliseconds kMaxHold{100};

 private:
  using Stream = trustlane::net::TlsStream;
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<bool> admit();  // handshake to core_.open(); false: refused and closed
  boost::asio::awaitable<void> pump();   // the admitted client's bytes to the core, until closed
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> watchdog();
  void spawn_watchdog();  // owner thread; no-op while one runs
  struct FirstPacket {
    Bytes connect;
    Bytes rest;  // bytes behind the CONNECT
  };
  struct ConnectFailure {
    std::string kind;  // for the refusal counters; empty: we closed it ourselves (timeout)
    std::string detail;
  };
  boost::asio::awaitable<std::optional<FirstPacket>> read_connect(ConnectFailure& failure);
  boost::asio::awaitable<void> refuse(Refusal why, const std::string& detail, std::optional<mqtt::Version> version);
  bool held();        // owner thread: a hold_reads_for() is still in force
  void take_inbox();  // owner thread: moves the delivered frames into the outgoing queue
  void mirror_queued() { queued_bytes_.store(closed_ ? 0 : out_.queued_bytes()); }  // owner thread
  void enqueue(ByteView frame);
  void begin_close_after_flush();
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
  bool watchdog_running_ = false;
  bool closed_ = false;
  bool close_when_flushed_ = false;
  OutgoingQueue out_;
  std::mutex inbox_mutex_;  // guards the three below (filled by the core thread)
  std::vector<Bytes> inbox_;
  bool inbox_close_ = false;
  bool inbox_posted_ = false;  // a take_inbox() is on its way to the owner thread
  TokenBucket byte_rate_;      // inbound bytes per second; rate 0 = unlimited
  std::atomic<std::size_t> at_core_{0};  // read and posted to the core, not yet processed by it
  std::atomic<std::size_t> inbox_bytes_{0};   // in inbox_
  std::atomic<std::size_t> queued_bytes_{0};  // out_.queued_bytes(), mirrored for other threads
  std::atomic<bool> holding_{false};          // fast path of held(): no hold, no lock
  std::mutex hold_mutex_;                     // guards the two below
  std::weak_ptr<TlsSession> held_for_;
  std::chrono::steady_clock::time_point hold_until_;
  PublishCounter publishes_in_;
};

}  // namespace trustlane::broker::net
