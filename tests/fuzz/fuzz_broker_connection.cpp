// Fuzz the broker's sans-I/O core: two clients of one account drive broker::Connections on one
// broker::Hub (permissive permissions, persistent sessions recorded in an InMemorySessionStore)
// with arbitrary bytes cut into chunks, keep-alive expiries, dropped transports, time passing,
// and restarts of the Hub from its store — graceful, or as after kill -9.
//
// Input: a list of records. Op byte o:
//   o < 0x80: the next ((o >> 1) & 0x3F) + 1 bytes go to client (o & 1)
//   o ≥ 0x80: o & 7 = 0/1 keep-alive timer of client 0/1, 2/3 client 0/1's transport closes
//            (a new connection takes its slot), 4 time advances by (next byte × 10) s (hub and
//            connection clocks),
//            5 crash-restart, 6 graceful restart, 7 nothing.
// Invariants: no crash; the broker only sends packets that decode in the connection's version;
// the QoS 1 window holds; every stored session exists in the hub and stored messages stay within
// the offline queue limit per offline session (no unbounded growth).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "broker/connection.hpp"

namespace {

using namespace trustlane;
using namespace trustlane::broker;

constexpr std::size_t kOfflineQueue = 8;
constexpr std::size_t kQueueBytes = 4 * 1024;  // small enough that large payloads hit it first
constexpr std::size_t kMaxCalls = 4096;  // keeps one input's run time bounded

Limits fuzz_limits() {
  Limits l;
  l.offline_queue = kOfflineQueue;
  l.queue_bytes = kQueueBytes;
  l.inflight_window = 4;
  l.max_packet_size = 4096;
  l.publishes_per_second = 0;  // the clock only moves on "time advances"
  return l;
}

struct Broker {
  Broker(SessionStore& store, std::int64_t now) : hub(retained, fuzz_limits().queue_budget(), &store) {
    hub.advance_time(now);
    (void)hub.restore();
  }
  InMemoryRetainedStore retained;
  Hub hub;
};

Authorizer allow_all() {
  return [](const iot::policy::Request&) {
    iot::policy::Decision d;
    d.reason = iot::policy::Decision::Reason::explicit_allow;
    return d;
  };
}

class World {
 public:
  World() { restart(false); }

  void bytes(int client, ByteView data) {
    slot(client).on_bytes(data);
    drain();
  }
  void timer(int client) {
    slot(client).on_keep_alive_timer();
    drain();
  }
  void transport_closed(int client) {
    slot(client).on_transport_closed();
    drain();
    clients_[client] = make_connection();
  }
  void advance(std::int64_t seconds) {
    now_ += seconds;
    clock_.advance_time(clock_.now() + std::chrono::seconds(seconds));
    broker_->hub.advance_time(now_);
    drain();
  }
  void restart(bool crash) {
    if (crash) {
      InMemorySessionStore at_crash = store_;  // what was durable when the process died
      clients_[0].reset();                     // their detach() writes go to the old store copy
      clients_[1].reset();
      broker_.reset();
      store_ = std::move(at_crash);
    } else {
      clients_[0].reset();
      clients_[1].reset();
      broker_.reset();
    }
    broker_ = std::make_unique<Broker>(store_, now_);
    clients_[0] = make_connection();
    clients_[1] = make_connection();
    check();
  }

 private:
  std::unique_ptr<Connection> make_connection() {
    auto c = std::make_unique<Connection>(broker_->hub, ConnectionIdentity{Scope{"111111111111", "us-east-1"}, {}},
                                          allow_all(), fuzz_limits(), &clock_);
    (void)c->take_events();
    return c;
  }
  Connection& slot(int client) { return *clients_[client]; }

  void drain() {
    for (auto& c : clients_) check_events(*c);
    for (Connection* c : broker_->hub.take_dirty()) check_events(*c);
    check();
  }
  static void check_events(Connection& c) {
    for (auto& e : c.take_events()) {
      auto* send = std::get_if<SendBytes>(&e);
      if (!send) continue;
      // The broker never emits a malformed packet (before CONNECT the version may still be unknown).
      if (c.connected() && !mqtt::decode(send->bytes, c.version()).ok()) std::abort();
    }
    if (c.inflight() > fuzz_limits().inflight_window) std::abort();
  }
  void check() {
    if (store_.session_count() > broker_->hub.session_count()) std::abort();
    // Per session: the offline queue, or (online) the QoS 1 window plus as many waiting behind it.
    const std::size_t per_session = 2 * kOfflineQueue + fuzz_limits().inflight_window;
    if (store_.message_count() > broker_->hub.session_count() * per_session) std::abort();
  }

  InMemorySessionStore store_;
  std::int64_t now_ = 1'000'000;
  PublishQuotas clock_{AccountLimits{0, 0, 0, 0, 0}};  // unlimited: the connections' keep-alive clock
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<Connection> clients_[2];
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World world;
  std::size_t at = 0;
  for (std::size_t calls = 0; at < size && calls < kMaxCalls; ++calls) {
    std::uint8_t op = data[at++];
    if (op < 0x80) {
      std::size_t n = std::min<std::size_t>(((op >> 1) & 0x3F) + 1, size - at);
      world.bytes(op & 1, ByteView(data + at, n));
      at += n;
      continue;
    }
    switch (op & 7) {
      case 0:
      case 1:
        world.timer(op & 1);
        break;
      case 2:
      case 3:
        world.transport_closed(op & 1);
        break;
      case 4:
        if (at < size) world.advance(std::int64_t{data[at++]} * 10);
        break;
      case 5:
        world.restart(true);
        break;
      case 6:
        world.restart(false);
        break;
      default:
        break;
    }
  }
  return 0;
}
