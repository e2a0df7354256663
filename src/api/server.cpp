#include "api/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "api/service.hpp"
#include "util/log.hpp"

namespace trustlane::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);

http::response<http::string_body> to_beast(HttpResponse&& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "trustlane");
  for (auto& [n, v] : r.headers) res.set(n, v);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// Transport-level rejections (the request never reached the service): still AWS-shaped.
HttpResponse transport_error(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"content-type", "application/json"}, {"x-amzn-errortype", "InvalidRequestException"}};
  r.body = nlohmann::json{{"message", message}}.dump();
  return r;
}

asio::awaitable<void> serve_connection(tcp::socket socket, const HttpServer::Handler& handler) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    stream.expires_after(kIdleTimeout);
    beast::error_code ec;
    // The header first, under the largest cap: the body cap depends on the route. Beast checks a
    // Content-Length against the limit only while parsing the header, so that check is ours here;
    // the new limit still bounds a chunked body.
    parser.body_limit(kMaxBulkBodyBytes);
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    auto target = parser.get().target();
    const std::size_t body_cap = max_body_bytes(std::string_view(target.data(), target.size()));
    if (!ec) {
      auto length = parser.content_length();
      if (length && *length > body_cap) {
        ec = http::error::body_limit;
      } else {
        parser.body_limit(body_cap);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      break;
    if (ec) {
      int status = ec == http::error::body_limit ? 413 : 400;
      auto msg = ec == http::error::body_limit ? body_too_large(body_cap) : "Malformed HTTP request: " + ec.message();
      auto res = to_beast(transport_error(status, msg), 11, false);
      beast::error_code ignored;
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ignored));
      break;
    }
    auto& req = parser.get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.headers.reserve(16);
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(req.body());
    bool keep_alive = req.keep_alive();
    auto res = to_beast(handler(request), req.version(), keep_alive);
    beast::error_code wec;
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, wec));
    if (wec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Handler handler;
  unsigned threads = 1;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      asio::co_spawn(io, serve_connection(std::move(socket), handler), asio::detached);
    }
  }
};

HttpServer::HttpServer(const std::string& host, std::uint16_t port, Handler handler, unsigned threads)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->threads = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  beast::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw std::runtime_error("invalid listen address " + host);
  tcp::endpoint endpoint(address, port);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint, ec);
  if (ec) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::run(bool stop_on_signals) {
  asio::signal_set signals(impl_->io);
  if (stop_on_signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    signals.async_wait([this](const beast::error_code& ec, int) {
      if (!ec) stop();
    });
  }
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < impl_->threads; ++i) pool.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& t : pool) t.join();
}

void HttpServer::stop() { impl_->io.stop(); }

}  // namespace trustlane::api
