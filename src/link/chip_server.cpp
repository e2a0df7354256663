// The only Asio translation unit of the link module.
#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it
// Boost 1.74 recognises only clang's old coroutines TS; clang >= 14 (fuzz preset) has C++20's.
#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(BOOST_ASIO_HAS_CO_AWAIT)
#define BOOST_ASIO_HAS_CO_AWAIT 1
#endif
#include "link/chip_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <deque>
#include <optional>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "link/jrcp_session.hpp"
#include "link/t1_se_session.hpp"
#include "se05x/apdu.hpp"
#include "se05x/constants.hpp"

namespace trustlane::link {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// One APDU at a time per chip. Lives on the chip's io_context, so no mutex: waiters park on a
// timer that release() cancels.
class ChipGate {
 public:
  explicit ChipGate(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  awaitable<void> acquire(const void* who) {
    while (owner_ != nullptr && owner_ != who) {
      auto waiter = std::make_shared<asio::steady_timer>(executor_, Clock::time_point::max());
      waiters_.push_back(waiter);
      boost::system::error_code ignored;
      co_await waiter->async_wait(asio::redirect_error(use_awaitable, ignored));
    }
    owner_ = who;
  }
  void release(const void* who) {
    if (owner_ != who) return;
    owner_ = nullptr;
    if (!waiters_.empty()) {
      waiters_.front()->cancel();
      waiters_.pop_front();
    }
  }

 private:
  asio::any_io_executor executor_;
  const void* owner_ = nullptr;
  std::deque<std::shared_ptr<asio::steady_timer>> waiters_;
};

struct Slot {
  std::size_t index;
  ServedChip chip;
  Bytes atr;
  ChipGate gate;
  tcp::acceptor acceptor;
  Slot(std::size_t i, ServedChip c, Bytes a, asio::io_context& io)
      : index(i), chip(std::move(c)), atr(std::move(a)), gate(io.get_executor()), acceptor(io) {}
};

// Releases the chip when a connection ends for any reason (drop, error, shutdown).
struct GateHold {
  ChipGate& gate;
  const void* who;
  ~GateHold() { gate.release(who); }
};

// The one place where a failing chip call becomes something the host understands.
Bytes run_apdu(se05x::ApduChannel& chip, ByteView command) {
  try {
    return chip.transceive(command);
  } catch (const std::exception& e) {
    spdlog::error("chip failed on an APDU: {}", e.what());
    return se05x::status_only(se05x::sw::kUnknown);
  }
}

std::chrono::microseconds simulated(const Slot& slot, ByteView command, ByteView response) {
  return slot.chip.duration ? slot.chip.duration(command, response) : std::chrono::microseconds{0};
}

awaitable<void> sleep_until(Clock::time_point deadline) {
  if (Clock::now() >= deadline) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  co_await timer.async_wait(use_awaitable);
}

awaitable<void> write(tcp::socket& socket, ByteView bytes) {
  co_await asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()), use_awaitable);
}

// Reads some bytes; with a timeout, returns 0 when it expires (the socket stays usable).
awaitable<std::size_t> read_some(tcp::socket& socket, std::span<std::uint8_t> into,
                                 std::optional<std::chrono::milliseconds> timeout) {
  if (!timeout) co_return co_await socket.async_read_some(asio::buffer(into.data(), into.size()), use_awaitable);
  auto fired = std::make_shared<bool>(false);
  asio::steady_timer timer(co_await asio::this_coro::executor, *timeout);
  timer.async_wait([fired, &socket](boost::system::error_code ec) {
    if (!ec) {
      *fired = true;
      socket.cancel();
    }
  });
  boost::system::error_code ec;
  auto n = co_await socket.async_read_some(asio::buffer(into.data(), into.size()), asio::redirect_error(use_awaitable, ec));
  timer.cancel();
  if (ec == asio::error::operation_aborted && *fired) co_return 0;
  if (ec) throw boost::system::system_error(ec);
  co_return n;
}

// Closes after a final reply without losing it: closing with unread input would make the
// kernel send RST, which can discard the reply before the peer reads it. So: half-close, then
// swallow what the peer still sends (bounded in time and bytes), then close.
awaitable<void> linger_close(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  std::array<std::uint8_t, 4096> sink;
  std::size_t swallowed = 0;
  auto deadline = Clock::now() + std::chrono::seconds(1);
  while (swallowed < (1u << 20) && Clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::size_t n = 0;
    try {
      n = co_await read_some(socket, sink, std::max(left, std::chrono::milliseconds(1)));
    } catch (const boost::system::system_error&) {
      break;  // EOF or reset: the peer is done
    }
    if (n == 0) break;
    swallowed += n;
  }
}

awaitable<void> serve_jrcp(tcp::socket socket, std::shared_ptr<Slot> slot) {
  const void* me = &socket;
  GateHold hold{slot->gate, me};
  bool locked = false;
  jrcp::Decoder decoder;
  std::array<std::uint8_t, 4096> buffer;
  for (;;) {
    std::size_t n = co_await socket.async_read_some(asio::buffer(buffer), use_awaitable);
    decoder.feed(ByteView(buffer.data(), n));
    jrcp::Frame frame;
    for (;;) {
      auto status = decoder.next(frame);
      if (status == jrcp::Decoder::Status::kNeedMore) break;
      if (status == jrcp::Decoder::Status::kOversize) {
        co_await write(socket, jrcp::error_reply(fmt::format("JRCP frame of {} bytes exceeds the limit of {}",
                                                             decoder.refused_length(), jrcp::kDefaultMaxPayload)));
        co_await linger_close(socket);
        co_return;
      }
      auto step = jrcp::plan(frame);
      switch (step.kind) {
        case jrcp::Step::Kind::kReply:
          co_await write(socket, step.data);
          break;
        case jrcp::Step::Kind::kTransceive: {
          co_await slot->gate.acquire(me);
          auto start = Clock::now();
          Bytes response = run_apdu(*slot->chip.channel, step.data);
          co_await sleep_until(start + simulated(*slot, step.data, response));
          if (!locked) slot->gate.release(me);
          co_await write(socket, jrcp::apdu_reply(response));
          break;
        }
        case jrcp::Step::Kind::kReset: {
          co_await slot->gate.acquire(me);
          Bytes atr = slot->chip.channel->reset();
          if (!locked) slot->gate.release(me);
          co_await write(socket, jrcp::atr_reply(atr));
          break;
        }
        case jrcp::Step::Kind::kLock:
          co_await slot->gate.acquire(me);
          locked = true;
          co_await write(socket, step.data);
          break;
        case jrcp::Step::Kind::kUnlock:
          locked = false;
          slot->gate.release(me);
          co_await write(socket, step.data);
          break;
        case jrcp::Step::Kind::kReplyAndClose:
          co_await write(socket, step.data);
          co_await linger_close(socket);
          co_return;
      }
    }
  }
}

// Runs one APDU for T=1: the chip works (optionally for a simulated time, asking the host for
// waiting time meanwhile), then the first response block goes out.
awaitable<void> execute_t1(tcp::socket& socket, Slot& slot, t1::SeSession& session, const Bytes& command,
                           const ServerOptions& options, std::span<std::uint8_t> buffer) {
  const void* me = &socket;
  co_await slot.gate.acquire(me);
  auto start = Clock::now();
  Bytes response = run_apdu(*slot.chip.channel, command);
  auto deadline = start + simulated(slot, command, response);
  while (deadline - Clock::now() > options.wtx_interval) {
    co_await sleep_until(Clock::now() + options.wtx_interval);
    co_await write(socket, session.request_wtx());
    for (;;) {  // until the host answers the WTX request (retransmitting on its errors)
      auto action = session.next();
      if (action.kind == t1::SeSession::Action::Kind::kWtxAcknowledged) break;
      if (action.kind == t1::SeSession::Action::Kind::kSend) {
        co_await write(socket, action.data);
        continue;
      }
      // A host that stops answering must not keep the chip: give up on it.
      std::size_t n = co_await read_some(socket, buffer, options.wtx_answer_timeout);
      if (n == 0) throw std::runtime_error("host did not answer S(WTX)");
      session.receive(ByteView(buffer.data(), n));
    }
  }
  co_await sleep_until(deadline);
  slot.gate.release(me);
  co_await write(socket, session.complete(response));
}

awaitable<void> serve_t1(tcp::socket socket, std::shared_ptr<Slot> slot, ServerOptions options) {
  GateHold hold{slot->gate, &socket};
  t1::SeSession session(slot->atr);
  std::array<std::uint8_t, 4096> buffer;
  for (;;) {
    auto timeout = session.has_partial_input() ? std::optional(options.stall_timeout) : std::nullopt;
    std::size_t n = co_await read_some(socket, buffer, timeout);
    if (n == 0) {  // a fragment sat there too long: the host's write was truncated
      if (auto reply = session.on_stall()) co_await write(socket, *reply);
      continue;
    }
    session.receive(ByteView(buffer.data(), n));
    for (;;) {
      auto action = session.next();
      bool idle = false;
      switch (action.kind) {
        case t1::SeSession::Action::Kind::kNone:
          idle = true;
          break;
        case t1::SeSession::Action::Kind::kSend:
          co_await write(socket, action.data);
          break;
        case t1::SeSession::Action::Kind::kExecute:
          co_await execute_t1(socket, *slot, session, action.data, options, buffer);
          break;
        case t1::SeSession::Action::Kind::kResetChip:
          co_await slot->gate.acquire(&socket);
          slot->chip.channel->reset();
          slot->gate.release(&socket);
          co_await write(socket, action.data);
          break;
        case t1::SeSession::Action::Kind::kWtxAcknowledged:  // not outstanding here: nothing to do
          break;
      }
      if (idle) break;
    }
  }
}

awaitable<void> accept_loop(std::shared_ptr<Slot> slot, ServerOptions options) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await slot->acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !slot->acceptor.is_open()) co_return;
    if (ec) {  // e.g. out of file descriptors: back off instead of spinning
      spdlog::warn("chip {}: accept failed: {}", slot->index, ec.message());
      co_await sleep_until(Clock::now() + std::chrono::milliseconds(100));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    auto on_end = [index = slot->index](std::exception_ptr error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const boost::system::system_error& e) {
        spdlog::debug("chip {}: connection ended: {}", index, e.what());
      } catch (const std::exception& e) {
        spdlog::warn("chip {}: connection failed: {}", index, e.what());
      }
    };
    switch (options.transport) {
      case Transport::kJrcp:
        asio::co_spawn(executor, serve_jrcp(std::move(socket), slot), on_end);
        break;
      case Transport::kT1:
        asio::co_spawn(executor, serve_t1(std::move(socket), slot, options), on_end);
        break;
    }
  }
}

}  // namespace

struct ChipServer::Impl {
  ServerOptions options;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::shared_ptr<Slot>> slots;
  std::vector<Endpoint> endpoints;
  std::vector<std::thread> threads;
  bool started = false;
};

ChipServer::ChipServer(std::vector<ServedChip> chips, ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  std::size_t threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::max<std::size_t>(1, std::min(threads, chips.size()));
  for (std::size_t i = 0; i < threads; ++i) impl_->contexts.push_back(std::make_unique<asio::io_context>(1));

  boost::system::error_code ec;
  auto address = asio::ip::make_address(options.host, ec);
  if (ec) {  // a name such as "localhost"
    asio::io_context resolver_io;
    tcp::resolver resolver(resolver_io);
    auto results = resolver.resolve(options.host, "0", ec);
    if (ec || results.empty()) throw std::runtime_error(fmt::format("cannot resolve listen host '{}'", options.host));
    address = results.begin()->endpoint().address();
  }
  for (std::size_t i = 0; i < chips.size(); ++i) {
    auto& io = *impl_->contexts[i % threads];
    Bytes atr = chips[i].channel->reset();  // power-up
    auto slot = std::make_shared<Slot>(i, std::move(chips[i]), std::move(atr), io);
    std::uint16_t port = options.base_port ? static_cast<std::uint16_t>(options.base_port + i) : 0;
    if (options.base_port && options.base_port + i > 65535) throw std::runtime_error("port range exceeds 65535");
    tcp::endpoint endpoint(address, port);
    slot->acceptor.open(endpoint.protocol());
    slot->acceptor.set_option(tcp::acceptor::reuse_address(true));
    slot->acceptor.bind(endpoint, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", options.host, port, ec.message()));
    slot->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", options.host, port, ec.message()));
    auto bound = slot->acceptor.local_endpoint();
    impl_->endpoints.push_back(Endpoint{options.host, bound.port()});
    impl_->slots.push_back(std::move(slot));
  }
}

ChipServer::~ChipServer() { stop(); }

const std::vector<Endpoint>& ChipServer::endpoints() const { return impl_->endpoints; }

void ChipServer::start() {
  if (impl_->started) return;
  impl_->started = true;
  for (auto& slot : impl_->slots) {
    asio::co_spawn(slot->acceptor.get_executor(), accept_loop(slot, impl_->options), asio::detached);
  }
  for (auto& io : impl_->contexts) {
    impl_->threads.emplace_back([ctx = io.get()] { ctx->run(); });
  }
}

void ChipServer::stop() {
  if (!impl_) return;
  for (auto& io : impl_->contexts) io->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  for (auto& slot : impl_->slots) {
    boost::system::error_code ignored;
    slot->acceptor.close(ignored);
  }
  // Parked coroutines still own their slots; destroying the contexts destroys them (and their
  // sockets and acceptors) while the contexts' services are still there.
  impl_->slots.clear();
  impl_->contexts.clear();
}

}  // namespace trustlane::link
