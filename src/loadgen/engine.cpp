// The Asio half of the load generator (the only translation unit of the module with Asio).
// Every client runs on its own strand: a session coroutine (connect, handshake, CONNECT,
// SUBSCRIBE, then reading), a writer (packets are appended to one buffer that the writer swaps
// out and writes whole, so queued packets leave together) and, once the load starts, a
// publisher that patches a pre-encoded PUBLISH instead of encoding each message. TLS is the broker's own
// `net::TlsStream` (OpenSSL on the socket, no BIO pair): the generator shares the cores with the
// broker it measures, so every copy it saves is CPU the broker gets. The calling thread
// orchestrates the phases and polls shared counters; each phase has a deadline, so a run always
// ends.
#include "loadgen/engine.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <openssl/ssl.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "device/tls_context.hpp"
#include "mqtt/codec.hpp"
#include "mqtt/frame_reader.hpp"
#include "loadgen/message.hpp"
#include "net/tls_stream.hpp"

namespace trustlane::loadgen {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Strand = asio::strand<asio::io_context::executor_type>;

std::uint64_t raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

namespace {

constexpr std::size_t kMaxFrame = 1 << 20;
// Bytes a reader takes in one go before it lets the strand's other work run.
constexpr std::size_t kReadBurst = 256 * 1024;

// One read buffer per thread: a reader fills it and hands it to its frame reader without
// suspending in between, so thousands of idle clients need no buffer of their own.
asio::mutable_buffer read_buffer() {
  thread_local std::array<std::uint8_t, 64 * 1024> buffer;
  return asio::buffer(buffer);
}

// A socket opened (not connected) for the client's TLS stream; a failure to open (out of file
// descriptors) is kept and reported as the client's connect error.
tcp::socket open_socket(const Strand& strand, const tcp::endpoint& to, boost::system::error_code& ec) {
  tcp::socket socket(strand);
  socket.open(to.protocol(), ec);
  return socket;
}

std::uint64_t ns_of(Clock::time_point t) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}
std::uint64_t now_ns() { return ns_of(Clock::now()); }


enum class Mode { connect, idle, pubsub };

struct Shared;

struct Client : std::enable_shared_from_this<Client> {
  Client(Shared& s, std::size_t index, SSL_CTX* tls, std::string client_id);

  asio::awaitable<void> session();
  asio::awaitable<void> writer();
  asio::awaitable<void> publisher();
  asio::awaitable<void> watchdog();
  void send(ByteView bytes) {
    pending.insert(pending.end(), bytes.begin(), bytes.end());
    queued();
  }
  void queued() {  // one more packet in `pending`: wake the writer
    ++pending_packets;
    wake.cancel();
  }
  void close() {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    stream.next_layer().close(ignored);
    wake.cancel();
    space.cancel();
    pace.cancel();
    deadline.cancel();
  }
  void finish();  // DISCONNECT, then close once written
  bool handle(const mqtt::Packet& p);
  void on_publish(const mqtt::Publish& p);

  Shared& s;
  std::size_t index;
  Strand strand;
  boost::system::error_code open_error;  // set before `stream` takes the socket
  net::TlsStream stream;
  asio::steady_timer wake, space, pace, deadline, linger;
  mqtt::FrameReader reader{kMaxFrame};
  std::string client_id;
  ClientRole role;
  Bytes pending, writing;  // appended to by send(); swapped out and written by writer()
  std::size_t pending_packets = 0;
  bool closed = false, connected = false, subscribed = false, finishing = false, close_after_flush = false;
  bool counted_attempt_done = false;
  Clock::time_point started;
  std::uint16_t last_id = 0;
  unsigned inflight = 0;
  std::uint64_t copies = 0;  // deliveries expected per publish (set at start)
  std::unordered_map<std::uint32_t, std::uint64_t> last_seq;  // per publisher: dedup of QoS 1 redeliveries
};

struct Shared {
  Shared(const EngineOptions& options, const Identities& identities, Mode m) : o(options), ids(identities), mode(m) {
    run_id = std::to_string(std::random_device{}() % 1000000);
  }

  void error(const std::string& kind, std::uint64_t count = 1) {
    std::lock_guard lock(mu);
    errors[kind] += count;
  }
  void latency(std::uint64_t us) {
    std::lock_guard lock(mu);
    hist.record(us);
  }
  void attempt_done(Client& c) {
    if (c.counted_attempt_done) return;
    c.counted_attempt_done = true;
    --inflight;
    ++settled;
  }

  const EngineOptions& o;
  const Identities& ids;
  Mode mode;
  std::optional<Plan> plan;
  PubSubLoad load;
  std::string run_id;
  asio::io_context io;
  tcp::endpoint endpoint;

  std::atomic<std::uint64_t> attempted{0}, ok{0}, settled{0}, inflight{0}, alive{0};
  std::atomic<std::uint64_t> sent{0}, acked{0}, expected{0}, received{0}, dup{0}, publishers_done{0};
  std::atomic<std::uint64_t> last_delivery_ns{0};  // now_ns() of the newest delivery
  std::atomic<bool> publishing{false};
  std::mutex mu;  // guards the fields below
  Histogram hist;
  std::map<std::string, std::uint64_t> errors;
  Clock::time_point last_connack{};
  std::vector<std::shared_ptr<Client>> clients;
};

Client::Client(Shared& sh, std::size_t i, SSL_CTX* tls, std::string id)
    : s(sh), index(i), strand(asio::make_strand(sh.io)),
      stream(open_socket(strand, sh.endpoint, open_error), tls, net::TlsStream::Role::client), wake(strand), space(strand),
      pace(strand), deadline(strand), linger(strand), client_id(std::move(id)) {
  if (s.plan) role = s.plan->role(i);
}

void Client::finish() {
  finishing = true;
  if (closed) return;
  if (!connected) {
    close();
    return;
  }
  send(mqtt::encode(mqtt::Disconnect{}, s.o.version));
  close_after_flush = true;
  wake.cancel();
}

asio::awaitable<void> Client::watchdog() {
  auto self = shared_from_this();
  deadline.expires_after(s.o.connect_timeout);
  boost::system::error_code ec;
  co_await deadline.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (!ec && !subscribed && !closed) {
    s.error("timeout");
    close();
  }
}

asio::awaitable<void> Client::writer() {
  auto self = shared_from_this();
  boost::system::error_code ec;
  while (!closed) {
    if (pending.empty()) {
      if (close_after_flush) {
        // Half a moment for the DISCONNECT to leave before the socket goes.
        boost::system::error_code ignored;
        linger.expires_after(std::chrono::milliseconds(50));
        co_await linger.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        close();
        break;
      }
      wake.expires_at(Clock::time_point::max());
      co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    // Both buffers keep their capacity: no allocation per message once the load runs.
    writing.swap(pending);
    pending.clear();
    pending_packets = 0;
    const auto batch = asio::buffer(writing);
    // Straight onto the socket when it has room (the usual case); wait only for the rest.
    std::size_t written = stream.write_some(batch, ec);
    while (!ec && written < batch.size()) written += stream.write_some(batch + written, ec);
    if (ec == asio::error::would_block)
      co_await asio::async_write(stream, batch + written, asio::redirect_error(asio::use_awaitable, ec));
    writing.clear();
    space.cancel();
    if (ec) {
      if (!finishing) s.error("write");
      close();
    }
  }
}

void Client::on_publish(const mqtt::Publish& p) {
  if (p.qos == mqtt::QoS::at_least_once) {
    mqtt::Puback ack;
    ack.packet_id = p.packet_id;
    send(mqtt::encode(ack, s.o.version));
  }
  const auto stamp = read_stamp(p.payload);
  if (!stamp) {
    s.error("foreign-message");
    return;
  }
  const std::uint64_t sent_at = stamp->sent_ns, seq = stamp->sequence;
  auto [it, fresh] = last_seq.try_emplace(stamp->publisher, seq);
  if (!fresh) {
    if (seq <= it->second) {
      ++s.dup;
      return;
    }
    it->second = seq;
  }
  ++s.received;
  const std::uint64_t now = now_ns();
  s.last_delivery_ns.store(now, std::memory_order_relaxed);
  s.latency(now > sent_at ? (now - sent_at) / 1000 : 0);
}

bool Client::handle(const mqtt::Packet& packet) {
  if (const auto* connack = std::get_if<mqtt::Connack>(&packet)) {
    s.attempt_done(*this);
    if (connack->reason_code != 0) {
      s.error("connack-refused-" + std::to_string(connack->reason_code));
      return false;
    }
    connected = true;
    ++s.ok;
    const auto now = Clock::now();
    {
      std::lock_guard lock(s.mu);
      s.last_connack = std::max(s.last_connack, now);
      if (s.mode != Mode::pubsub)
        s.hist.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - started).count()));
    }
    if (s.mode == Mode::connect) {
      subscribed = true;
      finish();
    } else if (role.subscribe) {
      mqtt::Subscribe sub;
      sub.packet_id = 1;
      sub.subscriptions.push_back({*role.subscribe, s.load.qos});
      send(mqtt::encode(sub, s.o.version));
    } else {
      subscribed = true;
      deadline.cancel();
    }
    return true;
  }
  if (const auto* suback = std::get_if<mqtt::Suback>(&packet)) {
    if (suback->reason_codes.empty() || suback->reason_codes[0] >= 0x80) {
      s.error("suback-refused");
      return false;
    }
    subscribed = true;
    deadline.cancel();
    return true;
  }
  if (const auto* publish = std::get_if<mqtt::Publish>(&packet)) {
    on_publish(*publish);
    return true;
  }
  if (std::get_if<mqtt::Puback>(&packet)) {
    ++s.acked;
    if (inflight > 0) --inflight;
    space.cancel();
    return true;
  }
  if (std::get_if<mqtt::Pingresp>(&packet)) return true;
  if (std::get_if<mqtt::Disconnect>(&packet)) {
    s.error("server-disconnect");
    return false;
  }
  s.error("unexpected-" + std::string(mqtt::to_string(mqtt::type_of(packet))));
  return false;
}

asio::awaitable<void> Client::session() {
  auto self = shared_from_this();
  ++s.alive;
  started = Clock::now();
  asio::co_spawn(strand, watchdog(), asio::detached);
  boost::system::error_code ec = open_error;
  if (!ec) co_await stream.next_layer().async_connect(s.endpoint, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    if (!closed) s.error("tcp-connect");
  } else {
    stream.next_layer().set_option(tcp::no_delay(true), ec);
    device::configure_connection(stream.native_handle(), s.o.target.sni, false);
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!closed) s.error("tls-handshake");
    } else {
      mqtt::Connect connect;
      connect.version = s.o.version;
      connect.client_id = client_id;
      connect.keep_alive = 0;  // the run is bounded; no PINGREQ traffic in the measurements
      asio::co_spawn(strand, writer(), asio::detached);
      send(mqtt::encode(connect, s.o.version));
      bool good = true;
      std::size_t burst = 0;
      while (good && !closed) {
        // Non-blocking reads until the socket is drained; wait for readability only then.
        const auto buffer = read_buffer();
        std::size_t n = stream.read_some(buffer, ec);
        if (ec == asio::error::would_block) {
          burst = 0;
          co_await stream.async_wait_readable(asio::redirect_error(asio::use_awaitable, ec));
          if (!ec) continue;
        }
        if (ec) {
          if (!finishing && !closed) s.error(connected ? "closed-by-broker" : "closed-before-connack");
          break;
        }
        reader.feed(ByteView(static_cast<const std::uint8_t*>(buffer.data()), n));
        while (good) {
          auto frame = reader.next_view();  // decoded at once: no copy of the frame
          if (!frame) {
            s.error("malformed-frame");
            good = false;
            break;
          }
          if (!frame->has_value()) break;
          auto packet = mqtt::decode(**frame, s.o.version);
          if (!packet) {
            s.error("malformed-packet");
            good = false;
            break;
          }
          good = handle(*packet);
        }
        if ((burst += n) >= kReadBurst && good && !closed) {
          burst = 0;  // a busy subscriber still lets its strand's writer and timers run
          co_await asio::post(strand, asio::use_awaitable);
        }
      }
    }
  }
  s.attempt_done(*this);
  close();
  --s.alive;
}

asio::awaitable<void> Client::publisher() {
  auto self = shared_from_this();
  const auto& load = s.load;
  const double per_second = load.rate > 0 ? load.rate / static_cast<double>(s.plan->publishers()) : 0;
  const auto interval = per_second > 0 ? std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / per_second))
                                       : std::chrono::nanoseconds(0);
  const auto stop_at = Clock::now() + load.duration;
  const auto batch_slack = interval < std::chrono::milliseconds(1) ? std::chrono::milliseconds(1) - interval
                                                                   : std::chrono::nanoseconds(0);
  // Spread the first publishes over one interval so rate-limited publishers do not move in step.
  auto next = Clock::now() + (per_second > 0 ? interval * static_cast<std::int64_t>(index % 97) / 97 : std::chrono::nanoseconds(0));
  const PublishTemplate message(*role.publish, load.qos, load.payload, s.o.version);
  std::uint64_t seq = 0;
  boost::system::error_code ec;
  while (!closed && !finishing && Clock::now() < stop_at && (load.per_publisher == 0 || seq < load.per_publisher)) {
    if (per_second > 0) {
      // At high rates wake at most once a millisecond and send every publish due by then
      // back to back: one timer per message cost the generator more CPU than the broker.
      if (next > Clock::now()) {
        pace.expires_at(next + batch_slack);
        co_await pace.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      next += interval;
    } else if (load.qos == mqtt::QoS::at_least_once) {
      while (inflight >= load.window && !closed && Clock::now() < stop_at) {
        space.expires_at(stop_at);
        co_await space.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    } else {
      while (pending_packets >= 8 && !closed && Clock::now() < stop_at) {
        space.expires_at(stop_at);
        co_await space.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    if (closed || Clock::now() >= stop_at) break;
    if (load.qos == mqtt::QoS::at_least_once) {
      last_id = static_cast<std::uint16_t>(last_id == 65535 ? 1 : last_id + 1);
      ++inflight;
    }
    message.append_to(pending, last_id, {now_ns(), static_cast<std::uint32_t>(index), ++seq});
    queued();
    ++s.sent;
    s.expected += copies;
  }
  ++s.publishers_done;
}

// Polls `done` every 5 ms until it holds or `limit` passes; true if it held.
template <class Pred>
bool wait_until(Pred done, Clock::time_point limit) {
  while (!done()) {
    if (Clock::now() >= limit) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class Run {
 public:
  Run(const EngineOptions& o, const Identities& ids, Mode mode, std::size_t clients)
      : s(o, ids, mode), clients_(clients) {
    if (ids.list.empty()) throw std::runtime_error("no client identities");
    raise_open_files_limit();
    tcp::resolver resolver(s.io);
    auto results = resolver.resolve(o.target.host, std::to_string(o.target.port));
    if (results.empty()) throw std::runtime_error("cannot resolve " + o.target.host);
    s.endpoint = *results.begin();
    if (o.broker_pid > 0) baseline_ = sample_process(o.broker_pid);
  }
  ~Run() { stop(); }

  Shared s;

  void start_threads() {
    guard_.emplace(s.io.get_executor());
    unsigned n = s.o.threads ? s.o.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { s.io.run(); });
  }

  // Opens every connection (rate- and concurrency-limited); returns when all are settled or
  // the connect deadline passed.
  void connect_all(Report& r) {
    first_attempt_ = Clock::now();
    asio::co_spawn(s.io, launcher(), asio::detached);
    const auto per_rate = s.o.connect_rate > 0 ? std::chrono::duration<double>(static_cast<double>(clients_) / s.o.connect_rate)
                                               : std::chrono::duration<double>(0);
    const auto limit = Clock::now() + s.o.connect_timeout * 2 + std::chrono::duration_cast<Clock::duration>(per_rate) +
                       std::chrono::milliseconds(static_cast<std::int64_t>(clients_) * 5);
    if (!wait_until([&] { return s.settled.load() >= clients_ && launched_.load(); }, limit)) {
      // Still connecting (or never launched) at the deadline: count them, never leave them out.
      const auto settled = s.settled.load();
      if (settled < clients_) s.error("connect-deadline", clients_ - settled);
    }
    // Subscriptions (SUBACK) complete shortly after the CONNACKs.
    wait_until([&] { return all_ready(); }, Clock::now() + s.o.connect_timeout);
    r.connections_attempted = s.attempted.load();
    r.connections_ok = s.ok.load();
    std::lock_guard lock(s.mu);
    r.connect_seconds = s.last_connack > first_attempt_
                            ? std::chrono::duration<double>(s.last_connack - first_attempt_).count()
                            : 0.0;
  }

  bool all_ready() {
    std::lock_guard lock(clients_mu_);
    std::size_t ready = 0;
    for (auto& c : s.clients) {
      // Read on the caller's thread: a benign race on bools only used to decide when to go on.
      ready += (c->subscribed || c->closed) ? 1 : 0;
    }
    return ready >= clients_;
  }

  template <class F>
  void each_client(F f) {
    std::lock_guard lock(clients_mu_);
    for (auto& c : s.clients) asio::post(c->strand, [c, f] { f(*c); });
  }

  void finish_all(std::chrono::milliseconds grace = std::chrono::milliseconds(3000)) {
    each_client([](Client& c) { c.finish(); });
    wait_until([&] { return s.alive.load() == 0; }, Clock::now() + grace);
    each_client([](Client& c) { c.close(); });
    wait_until([&] { return s.alive.load() == 0; }, Clock::now() + std::chrono::milliseconds(1000));
  }

  void stop() {
    if (guard_) guard_.reset();
    s.io.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  void fill(Report& r, Clock::time_point begin) {
    r.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    std::lock_guard lock(s.mu);
    r.latency_us = s.hist;
    r.errors = s.errors;
  }

  std::optional<ProcSample> baseline_;

 private:
  asio::awaitable<void> launcher() {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    boost::system::error_code ec;
    const auto interval = s.o.connect_rate > 0 ? std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / s.o.connect_rate))
                                               : std::chrono::nanoseconds(0);
    auto next = Clock::now();
    const auto& ids = s.ids.list;
    for (std::size_t i = 0; i < clients_; ++i) {
      if (interval.count() > 0) {
        timer.expires_at(next);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        next += interval;
      }
      while (s.inflight.load() >= s.o.connect_concurrency) {
        timer.expires_after(std::chrono::microseconds(500));
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      const auto& id = ids[i % ids.size()];
      std::string client_id = s.o.chip_client_ids ? id.name + (i >= ids.size() ? "-" + std::to_string(i) : "")
                                                  : s.o.client_prefix + "-" + s.run_id + "-" + std::to_string(i);
      auto c = std::make_shared<Client>(s, i, id.tls.get(), std::move(client_id));
      bool usable = true;
      try {
        apply_identity(c->stream.native_handle(), id);
      } catch (const std::exception&) {
        usable = false;  // counted as an attempt that failed, never connected as someone else
      }
      {
        // Held here for the whole run: a coroutine's body (and its own shared_from_this) only
        // starts when the strand runs it, so someone must own the client until then.
        std::lock_guard lock(clients_mu_);
        s.clients.push_back(c);
      }
      ++s.attempted;
      if (!usable) {
        s.error("tls-identity");
        c->closed = true;
        ++s.settled;
        continue;
      }
      ++s.inflight;
      asio::co_spawn(c->strand, c->session(), asio::detached);
    }
    launched_ = true;
  }

  std::size_t clients_;
  std::mutex clients_mu_;
  std::atomic<bool> launched_{false};
  Clock::time_point first_attempt_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::vector<std::thread> threads_;
};

void sample_broker(int pid, std::optional<ProcSample>& into) {
  if (pid > 0) into = sample_process(pid);
}

}  // namespace

Report run_connect(const EngineOptions& o, const Identities& ids, const ConnectLoad& load) {
  Report r;
  r.mode = "connect";
  Run run(o, ids, Mode::connect, load.count);
  r.broker_before = run.baseline_;
  const auto begin = Clock::now();
  run.start_threads();
  run.connect_all(r);
  wait_until([&] { return run.s.alive.load() == 0; }, Clock::now() + std::chrono::seconds(3));
  sample_broker(o.broker_pid, r.broker_after);
  run.stop();
  run.fill(r, begin);
  return r;
}

Report run_idle(const EngineOptions& o, const Identities& ids, const IdleLoad& load) {
  Report r;
  r.mode = "idle";
  Run run(o, ids, Mode::idle, load.count);
  r.broker_before = run.baseline_;
  if (run.baseline_) r.broker_rss_baseline = run.baseline_->rss_bytes;
  const auto begin = Clock::now();
  run.start_threads();
  run.connect_all(r);
  // Hold them all, then read the broker's memory while every connection is still open.
  std::this_thread::sleep_for(load.hold);
  if (o.broker_pid > 0) {
    if (auto loaded = sample_process(o.broker_pid)) r.broker_rss_loaded = loaded->rss_bytes;
  }
  r.extra["still_connected"] = static_cast<double>(run.s.alive.load());
  run.finish_all();
  sample_broker(o.broker_pid, r.broker_after);
  run.stop();
  run.fill(r, begin);
  return r;
}

Report run_pubsub(const EngineOptions& o, const Identities& ids, const PubSubLoad& load) {
  Report r;
  r.mode = "pubsub";
  Plan plan(load.topology, load.n, load.topic_prefix);
  Run run(o, ids, Mode::pubsub, plan.clients());
  run.s.plan.emplace(load.topology, load.n, load.topic_prefix + "/" + run.s.run_id);
  run.s.load = load;
  const auto begin = Clock::now();
  run.start_threads();
  run.connect_all(r);

  // How many deliveries each publisher's messages should make, given who actually subscribed.
  std::vector<bool> ready(plan.clients(), false);
  for (auto& c : run.s.clients) ready[c->index] = c->subscribed && !c->closed;
  std::size_t listening = 0;
  for (std::size_t i = 0; i < plan.clients(); ++i)
    if (ready[i] && run.s.plan->role(i).subscribe) ++listening;
  std::size_t publishers = 0;
  for (auto& c : run.s.clients) {
    if (!ready[c->index] || !c->role.publish) continue;
    switch (load.topology) {
      case Topology::fan_in: c->copies = ready[0] ? 1 : 0; break;
      case Topology::fan_out: c->copies = listening; break;
      case Topology::point_to_point: c->copies = ready[(c->index + 1) % plan.clients()] ? 1 : 0; break;
    }
    ++publishers;
  }

  sample_broker(o.broker_pid, r.broker_before);
  // Our own CPU over the same phase: the load generator shares the cores with the broker, so
  // its cost per message says whether it, not the broker, is the bottleneck.
  const auto self_before = sample_process(static_cast<int>(getpid()));
  const auto publish_begin = Clock::now();
  run.each_client([](Client& c) {
    if (c.role.publish && c.subscribed && !c.closed) asio::co_spawn(c.strand, c.publisher(), asio::detached);
  });
  wait_until([&] { return run.s.publishers_done.load() >= publishers; },
             publish_begin + load.duration + std::chrono::seconds(2));
  const auto publish_end = Clock::now();
  const bool qos1 = load.qos == mqtt::QoS::at_least_once;
  wait_until([&] {
    return run.s.received.load() >= run.s.expected.load() && (!qos1 || run.s.acked.load() >= run.s.sent.load());
  }, Clock::now() + load.drain);
  sample_broker(o.broker_pid, r.broker_after);
  const auto self_after = sample_process(static_cast<int>(getpid()));
  r.sent = run.s.sent.load();
  r.acknowledged = run.s.acked.load();
  r.expected = run.s.expected.load();
  r.received = run.s.received.load();
  r.duplicates = run.s.dup.load();
  // Deliveries per second from the first publish to the last delivery: a broker that buffers
  // what it cannot deliver is timed until it has delivered it.
  r.publish_seconds = std::chrono::duration<double>(publish_end - publish_begin).count();
  const std::uint64_t begin_ns = ns_of(publish_begin);
  if (const auto last = run.s.last_delivery_ns.load(); last > begin_ns)
    r.delivery_seconds = static_cast<double>(last - begin_ns) / 1e9;
  if (self_before && self_after && r.received > 0)
    r.extra["loadgen_cpu_us_per_message"] =
        (self_after->cpu_seconds - self_before->cpu_seconds) * 1e6 / static_cast<double>(r.received);
  r.settings["topology"] = to_string(load.topology);
  r.settings["n"] = std::to_string(load.n);
  r.settings["qos"] = std::to_string(static_cast<int>(load.qos));
  r.settings["payload"] = std::to_string(std::max(load.payload, kStampSize));
  r.settings["rate"] = load.rate > 0 ? std::to_string(static_cast<std::uint64_t>(load.rate)) : "max";
  run.finish_all();
  run.stop();
  run.fill(r, begin);
  return r;
}

}  // namespace trustlane::loadgen
