// One TLS connection, server or client side, without asio::ssl::stream's buffers: OpenSSL reads
// and writes the non-blocking socket itself (a tiny BIO over recv/send) and Asio only reports
// readiness. asio::ssl::stream keeps a BIO pair plus two record-sized vectors (~68 KB) per
// connection for its whole life; here an idle connection holds no buffer at all
// (SSL_MODE_RELEASE_BUFFERS gives libssl's record buffers back between records), and the reader
// waits for readability first and reads into a buffer it only borrows (`read_some`).
// Same surface as the parts of asio::ssl::stream the broker and the load generator use
// (async_handshake, async_read_some, async_write_some for asio::async_write, native_handle,
// next_layer). The load generator's clients use it for the same reason as the broker: every
// record copied through a BIO pair cost it 10 % of its CPU on 4 KB messages.
// Single-threaded: all calls on the socket's executor; one read and one write may be pending.
#pragma once
#include <openssl/ssl.h>

#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <cstddef>

namespace trustlane::net {

class TlsStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using error_code = boost::system::error_code;

  enum class Role { server, client };

  // Takes an open socket: accepted (server), or opened and not yet connected (client: connect
  // it through next_layer() before the handshake). `ctx` is referenced by the SSL object.
  TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* ctx, Role role = Role::server);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  SSL* native_handle() { return ssl_; }
  boost::asio::ip::tcp::socket& next_layer() { return socket_; }

  // Non-blocking reads and writes of plaintext: n > 0, or 0 with ec = would_block (the socket
  // had nothing more / no room), or 0 with another error (eof, TLS alert, reset).
  std::size_t read_some(boost::asio::mutable_buffer buffer, error_code& ec);
  std::size_t write_some(boost::asio::const_buffer buffer, error_code& ec);

  // The handshake of the stream's role (the argument is for asio::ssl::stream compatibility).
  template <class Token>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type, Token&& token) {
    return run(Step::handshake, {}, {}, std::forward<Token>(token));
  }
  // Completes when plaintext may be readable (decrypted bytes pending or the socket readable).
  // Call it only after read_some reported would_block: readiness is edge-triggered.
  template <class Token>
  auto async_wait_readable(Token&& token) {
    return run(Step::readable, {}, {}, std::forward<Token>(token));
  }
  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return run(Step::read, first(buffers, boost::asio::mutable_buffer{}), {}, std::forward<Token>(token));
  }
  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return run(Step::write, {}, first(buffers, boost::asio::const_buffer{}), std::forward<Token>(token));
  }

 private:
  enum class Step { handshake, readable, read, write };
  enum class Want { nothing, read, write };

  // One attempt of `step`; Want::nothing means finished (n bytes, ec).
  Want attempt(Step step, boost::asio::mutable_buffer in, boost::asio::const_buffer out, std::size_t& n,
               error_code& ec);
  Want classify(int result, error_code& ec);

  template <class Buffers, class Buffer>
  static Buffer first(const Buffers& buffers, Buffer none) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it)
      if (Buffer b(*it); b.size() > 0) return b;
    return none;
  }

  // Tries the step; waits for the readiness OpenSSL asks for and tries again; never completes
  // inside the initiating call (an immediate result is posted first).
  struct Op {
    TlsStream& stream;
    Step step;
    boost::asio::mutable_buffer in;
    boost::asio::const_buffer out;
    bool started = false;
    bool finished = false;
    std::size_t n = 0;
    error_code result;

    template <class Self>
    void operator()(Self& self, error_code wait_ec = {}) {
      if (finished) return self.complete(result, n);
      const bool initiating = !started;
      started = true;
      Want want = Want::nothing;
      if (wait_ec) {
        result = wait_ec;
      } else if (step == Step::readable && !initiating) {
        want = Want::nothing;  // woken by readability: done
      } else if (step == Step::readable) {
        want = SSL_pending(stream.ssl_) > 0 ? Want::nothing : Want::read;
      } else {
        want = stream.attempt(step, in, out, n, result);
      }
      switch (want) {
        case Want::read:
          return stream.socket_.async_wait(boost::asio::ip::tcp::socket::wait_read, std::move(self));
        case Want::write:
          return stream.socket_.async_wait(boost::asio::ip::tcp::socket::wait_write, std::move(self));
        case Want::nothing: break;
      }
      if (!initiating) return self.complete(result, n);
      finished = true;
      boost::asio::post(stream.socket_.get_executor(), std::move(self));
    }
  };

  template <class Token>
  auto run(Step step, boost::asio::mutable_buffer in, boost::asio::const_buffer out, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code, std::size_t)>(Op{*this, step, in, out, false, false, 0, {}}, token,
                                                                              socket_);
  }

  boost::asio::ip::tcp::socket socket_;
  SSL* ssl_;
};

}  // namespace trustlane::net
