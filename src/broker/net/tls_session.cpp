// GCC 12 reports Asio coroutine frames' recycling allocator as mismatched new/delete (false positive).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "broker/net/tls_session.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "broker/net/tls.hpp"
#include "mqtt/codec.hpp"
#include "mqtt/frame_reader.hpp"

namespace trustlane::broker::net {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using mqtt::ReasonCode;
using SteadyClock = std::chrono::steady_clock;

// Bytes one client may have waiting in front of the core before its reads pause.
constexpr std::size_t kMaxAtCore = 256 * 1024;

namespace {

// The v5 CONNACK reason code of a refusal made before the core sees the client: the one place
// this boundary maps identity errors to wire codes.
ReasonCode connack_code(Refusal r) {
  switch (r) {
    case Refusal::no_certificate:
    case Refusal::certificate_expired:
    case Refusal::unknown_endpoint:
    case Refusal::unknown_certificate:
    case Refusal::certificate_not_active:
    case Refusal::ca_not_active:
    case Refusal::jitr_registered: return ReasonCode::not_authorized;
    case Refusal::client_id_invalid: return ReasonCode::client_identifier_not_valid;
    case Refusal::not_authorized: return ReasonCode::not_authorized;
    case Refusal::connect_throttled:
    case Refusal::account_connect_throttled: return ReasonCode::connection_rate_exceeded;
    case Refusal::account_connection_quota: return ReasonCode::quota_exceeded;
    case Refusal::protocol_error: return ReasonCode::protocol_error;
    case Refusal::server_busy: return ReasonCode::server_busy;
  }
  return ReasonCode::unspecified_error;
}

// Shared by every connection of this I/O thread: a read is copied out before the next co_await.
// Several records' worth: what a client sent in one burst goes to the core in one post.
constexpr std::size_t kReadBuffer = 64 * 1024;
constexpr std::size_t kMaxRecord = 16 * 1024;  // TLS plaintext per record
std::array<std::uint8_t, kReadBuffer>& thread_read_buffer() {
  thread_local std::array<std::uint8_t, kReadBuffer> buffer;
  return buffer;
}

}  // namespace

std::size_t PublishCounter::feed(ByteView data) {
  std::size_t publishes = 0;
  std::size_t i = 0;
  while (i < data.size()) {
    switch (state_) {
      case State::header:
        if ((data[i] & 0xF0) == 0x30) ++publishes;
        remaining_ = 0;
        shift_ = 0;
        state_ = State::length;
        ++i;
        break;
      case State::length:
        remaining_ |= static_cast<std::size_t>(data[i] & 0x7F) << shift_;
        shift_ += 7;
        state_ = (data[i] & 0x80) && shift_ < 28 ? State::length : (remaining_ ? State::body : State::header);
        ++i;
        break;
      case State::body: {
        std::size_t n = std::min(remaining_, data.size() - i);
        remaining_ -= n;
        i += n;
        if (remaining_ == 0) state_ = State::header;
        break;
      }
    }
  }
  return publishes;
}

TlsSession::TlsSession(Core& core, iot::Registry& registry, Stats& stats, const ServerOptions& options,
                       asio::ip::tcp::socket socket, asio::ssl::context& tls, bool alpn_required)
    : core_(core),
      registry_(registry),
      stats_(stats),
      options_(options),
      stream_(std::move(socket), tls.native_handle()),
      executor_(stream_.get_executor()),
      alpn_required_(alpn_required),
      write_wake_(executor_),
      watchdog_timer_(executor_),
      deadline_(SteadyClock::now() + options.handshake_timeout),
      out_(QueueLimits{options.net.max_outgoing_bytes,
                       hard_limit_for(options.net.max_outgoing_bytes, options.net.hard_outgoing_bytes)}),
      byte_rate_(options.net.bytes_per_second) {
  boost::system::error_code ec;
  auto ep = stream_.next_layer().remote_endpoint(ec);
  if (!ec) peer_ip_ = ep.address().to_string();
  capture_sni_into(stream_.native_handle(), &sni_);
}

TlsSession::~TlsSession() { SSL_set_app_data(stream_.native_handle(), nullptr); }

void TlsSession::start() {
  auto self = shared_from_this();
  asio::co_spawn(executor_, [self] { return self->run(); }, asio::detached);
  spawn_watchdog();
}

void TlsSession::spawn_watchdog() {
  if (watchdog_running_ || closed_) return;
  watchdog_running_ = true;
  asio::co_spawn(executor_, [self = shared_from_this()] { return self->watchdog(); }, asio::detached);
}

// Bounds the handshake and the CONNECT, and the final flush of a closing connection. In between
// (the core's keep-alive is in charge) it is not running: an idle connection keeps no frame.
awaitable<void> TlsSession::watchdog() {
  auto self = shared_from_this();
  while (!closed_) {
    if (deadline_ == SteadyClock::time_point::max()) break;  // handed over; respawned to close
    watchdog_timer_.expires_at(deadline_);
    boost::system::error_code ec;
    co_await watchdog_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (closed_) break;
    if (SteadyClock::now() >= deadline_) {
      if (!handed_over_) {
        stats_.refused("timeout");
        spdlog::info("broker: {}: no TLS handshake or CONNECT in time: closed", peer_ip_);
      }
      close();
      break;
    }
  }
  watchdog_running_ = false;
}

// The run is two coroutines so that the admission's locals (the decoded CONNECT, the identity,
// the Admission) live in a frame freed once the core takes over, not in the frame an idle
// connection keeps for its whole life.
awaitable<void> TlsSession::run() {
  auto self = shared_from_this();
  if (co_await admit()) co_await pump();
}

awaitable<bool> TlsSession::admit() {
  auto self = shared_from_this();
  boost::system::error_code ec;
  co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
  if (ec || closed_) {
    if (!closed_) {
      stats_.refused("tls_handshake");
      spdlog::info("broker: {}: TLS handshake failed: {}", peer_ip_, ec.message());
    }
    close();
    co_return false;
  }
  if (alpn_required_) {
    const unsigned char* alpn = nullptr;
    unsigned int alpn_len = 0;
    SSL_get0_alpn_selected(stream_.native_handle(), &alpn, &alpn_len);
    if (alpn_len == 0) {
      stats_.refused("no_alpn");
      spdlog::info("broker: {}: refused: ALPN {} required on this port", peer_ip_, kMqttAlpn);
      close();
      co_return false;
    }
  }

  // Taken before identify() reads the registry (see Admission::registry_generation).
  const std::uint64_t registry_generation = core_.registry_generation();
  IdentifyInput in;
  if (!sni_.empty()) in.sni = sni_;
  std::optional<crypto::Certificate> peer;
  if (X509* x = SSL_get1_peer_certificate(stream_.native_handle())) peer = crypto::Certificate::adopt(x);
  in.peer = peer;
  in.domain = options_.domain;
  in.regions = options_.regions;
  in.now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto who = identify(registry_, in);
  if (auto* r = std::get_if<Refused>(&who); r && r->reason == Refusal::jitr_registered) {
    co_await refuse(r->reason, r->detail, std::nullopt);  // AWS closes at once after JITR
    co_return false;
  }

  deadline_ = SteadyClock::now() + options_.connect_timeout;
  watchdog_timer_.cancel();
  ConnectFailure failure;
  auto first = co_await read_connect(failure);
  if (!first) {
    if (auto* r = std::get_if<Refused>(&who)) {
      co_await refuse(r->reason, r->detail, std::nullopt);  // the reason that matters
    } else if (!failure.kind.empty()) {
      stats_.refused(failure.kind);  // every close before admission is counted and logged
      spdlog::info("broker: {}: {}: {}", peer_ip_, failure.kind, failure.detail);
    }
    close();
    co_return false;
  }
  auto decoded = mqtt::decode(first->connect, mqtt::Version::v5);
  if (!decoded || !std::holds_alternative<mqtt::Connect>(decoded.value())) {
    co_await refuse(Refusal::protocol_error, decoded ? "first packet is not CONNECT" : "malformed CONNECT",
                    std::nullopt);
    co_return false;
  }
  const auto& connect = std::get<mqtt::Connect>(decoded.value());
  // AWS's client ID limit, checked before anything keyed by the ID (log lines, iot:Connect, the
  // per-client-ID CONNECT rate, a connection slot): an over-long ID costs nothing but this.
  if (connect.client_id.size() > options_.limits.max_client_id) {
    co_await refuse(Refusal::client_id_invalid,
                    fmt::format("client ID of {} bytes (limit {})", connect.client_id.size(),
                                options_.limits.max_client_id),
                    connect.version);
    co_return false;
  }
  if (auto* r = std::get_if<Refused>(&who)) {
    co_await refuse(r->reason, r->detail + " (client " + connect.client_id + ")", connect.version);
    co_return false;
  }
  auto& id = std::get<Identity>(who);
  Admission a;
  a.scope = id.scope;
  a.certificate_id = id.certificate.id;
  a.ca_id = id.certificate.ca_id;
  a.peer_ip = peer_ip_;
  a.variables = connection_variables(registry_, id.scope, *peer, id.certificate.id, connect.client_id, peer_ip_);
  a.permissions = std::make_shared<Permissions>(id.scope);
  a.permissions->load(registry_, id.certificate.id);
  // iot:Connect checked here too so an MQTT 5 client learns why (CONNACK NOT_AUTHORIZED) like the
  // other refusals; the core checks it again (and for assigned client IDs).
  if (!connect.client_id.empty()) {
    auto decision = a.permissions->check(Action::connect, connect.client_id, a.variables);
    if (!decision.allowed()) {
      co_await refuse(Refusal::not_authorized, "iot:Connect for client " + connect.client_id + ": " + decision.why(),
                      connect.version);
      co_return false;
    }
  }
  // Quotas last: an admitted client holds a connection slot of its account until the core lets go.
  if (auto quota = core_.admit_connect(id.scope, connect.client_id)) {
    co_await refuse(*quota, "CONNECT quota for client " + connect.client_id + " in account " + id.scope.account,
                    connect.version);
    co_return false;
  }
  a.connect_frame = std::move(first->connect);
  a.after_connect = std::move(first->rest);
  a.certificate = std::move(peer);
  a.registry_generation = registry_generation;
  handed_over_ = true;
  deadline_ = SteadyClock::time_point::max();  // the core's keep-alive timer takes over
  watchdog_timer_.cancel();
  asio::co_spawn(executor_, [self] { return self->write_loop(); }, asio::detached);
  core_.open(self, std::move(a));
  co_return true;
}

awaitable<void> TlsSession::pump() {
  boost::system::error_code ec;
  asio::steady_timer pause(executor_);
  while (!closed_) {
    // Idle connections hold no read buffer: wait for readability, then read into the thread's.
    // Every record already readable (up to the buffer) is read before posting: one post to
    // the core per burst, not per record (4 KB messages came one record, one post each).
    auto& buffer = thread_read_buffer();
    // Under a byte rate, no more than the bucket holds (at least a record): bytes read are taken
    // on credit, and a whole buffer read at once ran a client 64 KiB ahead of its rate.
    std::size_t limit = buffer.size();
    if (!byte_rate_.unlimited())
      limit = std::clamp(static_cast<std::size_t>(std::max(0.0, byte_rate_.available(SteadyClock::now()))), kMaxRecord,
                         buffer.size());
    std::size_t n = 0;
    ec = {};
    while (!ec && n + kMaxRecord <= limit)
      n += stream_.read_some(asio::buffer(buffer.data() + n, limit - n), ec);
    if (n == 0) {
      if (ec != asio::error::would_block || closed_) break;
      co_await stream_.async_wait_readable(asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      continue;
    }
    if (closed_) break;
    const bool failed = ec && ec != asio::error::would_block;  // after these bytes: they still go to the core
    stats_.bytes_in += n;
    stats_.messages_in += publishes_in_.feed(ByteView(buffer.data(), n));
    at_core_ += n;
    core_.bytes(this, Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n)));
    // Backpressure: while the core has not caught up with what this client sent, stop reading
    // (TCP pushes back on it) instead of queuing without bound in front of the core, where
    // every message behind would wait (latency) and the queue would hold memory.
    // And in lossless mode, while a client its messages go to is far behind (hold_reads_for).
    while ((at_core_.load() > kMaxAtCore || held()) && !closed_) {
      pause.expires_after(std::chrono::milliseconds(1));
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    // Throughput limit: stop reading until the bucket refills (TCP pushes back on the client);
    // a rate of 0 never waits.
    if (auto wait = byte_rate_.take(static_cast<double>(n), SteadyClock::now()); wait > SteadyClock::duration::zero()) {
      pause.expires_after(wait);
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (failed) break;
  }
  core_.transport_closed(this);
  // Let the last bytes (a DISCONNECT) go out; the watchdog bounds how long.
  while (close_when_flushed_ && !closed_) {
    pause.expires_after(std::chrono::milliseconds(10));
    co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  close();
}

awaitable<std::optional<TlsSession::FirstPacket>> TlsSession::read_connect(ConnectFailure& failure) {
  mqtt::FrameReader reader(options_.limits.max_packet_size);
  Bytes buffer(4096);
  for (;;) {
    auto next = reader.next();
    if (!next) {
      failure = {"protocol_error", fmt::format("first packet: {}", mqtt::to_string(next.error()))};
      co_return std::nullopt;
    }
    if (next.value()) {
      // Clients may send more packets right behind CONNECT (MQTT 5 §3.1.4, 3.1.1 §3.1.4 likewise):
      // they go to the core after it, in order.
      FirstPacket first{std::move(*next.value()), {}};
      first.rest = reader.take_buffered();
      co_return first;
    }
    boost::system::error_code ec;
    std::size_t n = co_await stream_.async_read_some(asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
    if (ec || closed_) {
      if (!closed_) failure = {"closed_before_connect", fmt::format("closed with {} bytes of CONNECT", reader.buffered())};
      co_return std::nullopt;
    }
    stats_.bytes_in += n;
    reader.feed(ByteView(buffer.data(), n));
  }
}

awaitable<void> TlsSession::refuse(Refusal why, const std::string& detail, std::optional<mqtt::Version> version) {
  auto self = shared_from_this();
  stats_.refused(to_string(why));
  // Quota refusals come in floods: logged at most once a second per reason.
  bool quota = why == Refusal::connect_throttled || why == Refusal::account_connect_throttled ||
               why == Refusal::account_connection_quota;
  std::uint64_t suppressed = 0;
  if (!quota || stats_.log_due(to_string(why), SteadyClock::now(), &suppressed))
    spdlog::warn("broker: refused {} (sni={}): {}: {}{}", peer_ip_, sni_.empty() ? "-" : sni_, to_string(why), detail,
                 suppressed ? fmt::format(" ({} more in the last second)", suppressed) : std::string());
  // Like AWS: MQTT 5 learns why from the CONNACK; MQTT 3.1.1 sees the connection closed.
  if (version == mqtt::Version::v5 && !closed_) {
    mqtt::Connack ack;
    ack.reason_code = static_cast<std::uint8_t>(connack_code(why));
    auto bytes = mqtt::encode(ack, mqtt::Version::v5);
    boost::system::error_code ec;
    co_await asio::async_write(stream_, asio::buffer(bytes), asio::redirect_error(use_awaitable, ec));
  }
  close();
}

void TlsSession::send(Bytes bytes) {
  std::vector<Bytes> one;
  one.push_back(std::move(bytes));
  deliver(std::move(one), false);
}

void TlsSession::close_after_flush() { deliver({}, true); }

void TlsSession::hold_reads_for(std::weak_ptr<TlsSession> receiver) {
  std::lock_guard lock(hold_mutex_);
  if (!holding_.load()) hold_until_ = SteadyClock::now() + kMaxHold;  // a hold in force keeps its bound
  held_for_ = std::move(receiver);
  holding_.store(true);
}

bool TlsSession::held() {
  if (!holding_.load()) return false;
  std::lock_guard lock(hold_mutex_);
  auto receiver = held_for_.lock();
  if (receiver && receiver->backlog() > kResumeBelow && SteadyClock::now() < hold_until_) return true;
  held_for_.reset();
  holding_.store(false);
  return false;
}

void TlsSession::deliver(std::vector<Bytes> frames, bool close_after) {
  bool wake = false;
  std::size_t bytes = 0;
  for (const auto& f : frames) bytes += f.size();
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_bytes_ += bytes;
    if (inbox_.empty()) {
      inbox_.swap(frames);
    } else {
      inbox_.insert(inbox_.end(), std::make_move_iterator(frames.begin()), std::make_move_iterator(frames.end()));
    }
    inbox_close_ = inbox_close_ || close_after;
    wake = !std::exchange(inbox_posted_, true);
  }
  if (wake) asio::post(executor_, [self = shared_from_this()] { self->take_inbox(); });
}

void TlsSession::take_inbox() {
  std::vector<Bytes> frames;
  std::size_t bytes = 0;
  bool close_after = false;
  {
    std::lock_guard lock(inbox_mutex_);
    frames.swap(inbox_);
    bytes = inbox_bytes_.load();  // all of it: deliver() adds under this lock
    close_after = std::exchange(inbox_close_, false);
    inbox_posted_ = false;
  }
  for (const auto& f : frames) enqueue(f);
  inbox_bytes_ -= bytes;  // after the enqueues: backlog() never reads low in between
  mirror_queued();
  if (close_after) begin_close_after_flush();
  write_wake_.cancel();  // once per batch
}

void TlsSession::enqueue(ByteView frame) {
  if (closed_ || close_when_flushed_) return;
  switch (out_.push(frame)) {
    case OutgoingQueue::Verdict::queued:
      if ((frame[0] & 0xF0) == 0x30) ++stats_.messages_out;
      return;
    case OutgoingQueue::Verdict::dropped:
      ++stats_.dropped;  // a slow reader loses QoS 0 messages instead of growing our memory
      return;
    case OutgoingQueue::Verdict::overflow:
      stats_.refused("slow_reader");
      spdlog::warn("broker: {} reads too slowly ({} bytes queued): closing", peer_ip_, out_.queued_bytes());
      close();
      return;
  }
}

void TlsSession::begin_close_after_flush() {
  if (closed_) return;
  close_when_flushed_ = true;
  deadline_ = SteadyClock::now() + std::chrono::seconds(5);
  watchdog_timer_.cancel();  // a running watchdog re-arms for the new deadline
  spawn_watchdog();
}

awaitable<void> TlsSession::write_loop() {
  auto self = shared_from_this();
  while (!closed_) {
    if (out_.empty()) {
      if (close_when_flushed_) {
        close();
        co_return;
      }
      write_wake_.expires_at(SteadyClock::time_point::max());
      boost::system::error_code ec;
      co_await write_wake_.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    // Everything queued since the last write goes out in one TLS write (one or a few records).
    auto data = out_.begin_write();
    const std::size_t size = data.size();
    boost::system::error_code ec;
    co_await asio::async_write(stream_, asio::buffer(data.data(), size), asio::redirect_error(use_awaitable, ec));
    out_.written();
    mirror_queued();
    if (ec) {
      close();
      co_return;
    }
    stats_.bytes_out += size;
  }
}

void TlsSession::close() {
  if (closed_) return;
  closed_ = true;
  queued_bytes_.store(0);  // nothing more will be written: publishers held for it go on
  boost::system::error_code ec;
  stream_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream_.next_layer().close(ec);
  write_wake_.cancel();
  watchdog_timer_.cancel();
}

}  // namespace trustlane::broker::net
