// GCC 12 reports Asio coroutine frames' recycling allocator as mismatched new/delete (false positive).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <string>

#include "broker/net/tls.hpp"
#include "common/test_pki.hpp"
#include "net/tls_stream.hpp"

namespace trustlane::net {
namespace {

using broker::net::capture_sni_into;
using broker::net::configure_server_context;

namespace asio = boost::asio;
using asio::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto kToken = asio::use_awaitable;

struct Pki {
  crypto::Key root_key = crypto::Key::generate(crypto::Curve::P256);
  crypto::Certificate root = crypto::issue_certificate(test::ca_spec(), root_key, root_key, nullptr);
  crypto::Key server_key = crypto::Key::generate(crypto::Curve::P256);
  crypto::Certificate server = crypto::issue_certificate(test::server_spec("broker.test"), server_key, root_key, &root);
  crypto::Key client_key = crypto::Key::generate(crypto::Curve::P256);
  crypto::Certificate client = [this] {
    crypto::CertificateSpec spec;
    spec.subject = {{"CN", "device"}};
    spec.client_auth = true;
    return crypto::issue_certificate(spec, client_key, root_key, &root);
  }();
};

// One loopback connection: the server side is a TlsStream, the client asio::ssl::stream.
class TlsStreamTest : public ::testing::Test {
 protected:
  TlsStreamTest() : server_tls(asio::ssl::context::tls_server), client_tls(asio::ssl::context::tls_client) {
    configure_server_context(server_tls, pki.server_key, pki.server, pki.root, false);
    SSL_CTX_use_certificate(client_tls.native_handle(), pki.client.get());
    SSL_CTX_use_PrivateKey(client_tls.native_handle(), pki.client_key.get());
    client_tls.set_verify_mode(asio::ssl::verify_none);
    acceptor.open(tcp::v4());
    acceptor.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor.listen();
  }

  // Connects, hands the accepted socket to a TlsStream, runs both coroutines to the end.
  template <class Server, class Client>
  void run(Server server, Client client) {
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
      tcp::socket s = co_await acceptor.async_accept(kToken);
      TlsStream stream(std::move(s), server_tls.native_handle());
      capture_sni_into(stream.native_handle(), &sni);
      co_await server(stream);
    }, asio::detached);
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
      asio::ssl::stream<tcp::socket> c(ioc, client_tls);
      SSL_set_tlsext_host_name(c.native_handle(), "acct.iot.us-east-1.trustlane.local");
      co_await c.next_layer().async_connect(acceptor.local_endpoint(), kToken);
      co_await c.async_handshake(asio::ssl::stream_base::client, kToken);
      co_await client(c);
    }, asio::detached);
    ioc.run_for(std::chrono::seconds(20));
  }

  Pki pki;
  asio::io_context ioc;
  asio::ssl::context server_tls, client_tls;
  tcp::acceptor acceptor{ioc};
  std::string sni;
};

// Reads until `want` bytes arrived the way the broker's read loop does: non-blocking reads,
// waiting for readability only after would_block.
asio::awaitable<std::string> read_exactly(TlsStream& s, std::size_t want) {
  std::string got;
  char buffer[4096];
  while (got.size() < want) {
    error_code ec;
    std::size_t n = s.read_some(asio::buffer(buffer), ec);
    if (ec == asio::error::would_block) {
      co_await s.async_wait_readable(asio::redirect_error(kToken, ec));
      if (ec) break;
      continue;
    }
    if (ec) break;
    got.append(buffer, n);
  }
  co_return got;
}

TEST_F(TlsStreamTest, HandshakeCapturesSniAndClientCertificateAndEchoesLargeData) {
  const std::string message(200 * 1024, 'x');  // many records, more than any socket buffer
  std::string echoed, server_saw;
  bool peer_certificate = false;
  run(
      [&](TlsStream& s) -> asio::awaitable<void> {
        co_await s.async_handshake(asio::ssl::stream_base::server, kToken);
        X509* peer = SSL_get1_peer_certificate(s.native_handle());
        peer_certificate = peer && X509_cmp(peer, pki.client.get()) == 0;
        X509_free(peer);
        server_saw = co_await read_exactly(s, message.size());
        co_await asio::async_write(s, asio::buffer(server_saw), kToken);
      },
      [&](asio::ssl::stream<tcp::socket>& c) -> asio::awaitable<void> {
        // Write and read at once: the server echoes while we are still sending.
        asio::co_spawn(ioc, asio::async_write(c, asio::buffer(message), kToken), asio::detached);
        echoed.resize(message.size());
        co_await asio::async_read(c, asio::buffer(echoed), kToken);
      });
  EXPECT_EQ(sni, "acct.iot.us-east-1.trustlane.local");
  EXPECT_TRUE(peer_certificate);
  EXPECT_EQ(server_saw.size(), message.size());
  EXPECT_EQ(echoed, message);
}

TEST_F(TlsStreamTest, ServerSendsNoSessionTicket) {
  EXPECT_EQ(SSL_CTX_get_num_tickets(server_tls.native_handle()), 0u);
  bool resumable = true;
  run(
      [&](TlsStream& s) -> asio::awaitable<void> {
        co_await s.async_handshake(asio::ssl::stream_base::server, kToken);
        co_await asio::async_write(s, asio::buffer(std::string("ok")), kToken);
      },
      [&](asio::ssl::stream<tcp::socket>& c) -> asio::awaitable<void> {
        char two[2];
        co_await asio::async_read(c, asio::buffer(two), kToken);  // tickets would have come before
        SSL_SESSION* session = SSL_get1_session(c.native_handle());
        resumable = session && SSL_SESSION_is_resumable(session);
        SSL_SESSION_free(session);
      });
  EXPECT_FALSE(resumable);
}

TEST_F(TlsStreamTest, ClientGoneIsAnErrorNotWouldBlock) {
  error_code read_error;
  run(
      [&](TlsStream& s) -> asio::awaitable<void> {
        co_await s.async_handshake(asio::ssl::stream_base::server, kToken);
        auto got = co_await read_exactly(s, 1);  // the client closes without sending
        EXPECT_TRUE(got.empty());
        char b[16];
        s.read_some(asio::buffer(b), read_error);
      },
      [&](asio::ssl::stream<tcp::socket>& c) -> asio::awaitable<void> {
        c.next_layer().close();
        co_return;
      });
  EXPECT_TRUE(read_error);
  EXPECT_NE(read_error, asio::error::would_block);
}

TEST_F(TlsStreamTest, WritingToAResetPeerFailsWithoutSigpipe) {
  error_code write_error;
  run(
      [&](TlsStream& s) -> asio::awaitable<void> {
        co_await s.async_handshake(asio::ssl::stream_base::server, kToken);
        co_await read_exactly(s, 1);  // the client's byte, then it resets the connection
        const std::string chunk(64 * 1024, 'y');
        for (int i = 0; i < 64 && !write_error; ++i)  // SIGPIPE would end the test process here
          co_await asio::async_write(s, asio::buffer(chunk), asio::redirect_error(kToken, write_error));
      },
      [&](asio::ssl::stream<tcp::socket>& c) -> asio::awaitable<void> {
        co_await asio::async_write(c, asio::buffer(std::string("!")), kToken);
        c.next_layer().set_option(asio::socket_base::linger(true, 0));  // close → RST
        c.next_layer().close();
      });
  EXPECT_TRUE(write_error);
}

// The load generator's side: a client-role TlsStream on a socket opened before it connects.
TEST_F(TlsStreamTest, ClientRoleHandshakesWithItsCertificateAndSniAndEchoes) {
  const std::string message(100 * 1024, 'z');
  std::string echoed;
  bool peer_certificate = false;
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    tcp::socket s = co_await acceptor.async_accept(kToken);
    TlsStream server(std::move(s), server_tls.native_handle());
    capture_sni_into(server.native_handle(), &sni);
    co_await server.async_handshake(asio::ssl::stream_base::server, kToken);
    X509* peer = SSL_get1_peer_certificate(server.native_handle());
    peer_certificate = peer && X509_cmp(peer, pki.client.get()) == 0;
    X509_free(peer);
    auto got = co_await read_exactly(server, message.size());
    co_await asio::async_write(server, asio::buffer(got), kToken);
  }, asio::detached);
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    tcp::socket socket(ioc);
    socket.open(tcp::v4());
    TlsStream client(std::move(socket), client_tls.native_handle(), TlsStream::Role::client);
    SSL_set_tlsext_host_name(client.native_handle(), "acct.iot.us-east-1.trustlane.local");
    co_await client.next_layer().async_connect(acceptor.local_endpoint(), kToken);
    co_await client.async_handshake(asio::ssl::stream_base::client, kToken);
    co_await asio::async_write(client, asio::buffer(message), kToken);
    echoed = co_await read_exactly(client, message.size());
  }, asio::detached);
  ioc.run_for(std::chrono::seconds(20));
  EXPECT_EQ(sni, "acct.iot.us-east-1.trustlane.local");
  EXPECT_TRUE(peer_certificate);
  EXPECT_EQ(echoed, message);
}

}  // namespace
}  // namespace trustlane::net
