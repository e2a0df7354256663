#include "net/tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace trustlane::net {

namespace asio = boost::asio;

namespace {

// A socket BIO of our own only to send with MSG_NOSIGNAL: OpenSSL's socket BIO uses plain
// send(), and a client resetting the connection would raise SIGPIPE in the whole process.
int socket_of(BIO* b) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(b))); }

bool transient(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == EINTR; }

int bio_write(BIO* b, const char* data, int len) {
  BIO_clear_retry_flags(b);
  ssize_t n = ::send(socket_of(b), data, static_cast<std::size_t>(len), MSG_NOSIGNAL);
  if (n < 0 && transient(errno)) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

int bio_read(BIO* b, char* data, int len) {
  BIO_clear_retry_flags(b);
  ssize_t n = ::recv(socket_of(b), data, static_cast<std::size_t>(len), 0);
  if (n < 0 && transient(errno)) BIO_set_retry_read(b);
  return static_cast<int>(n);
}

long bio_ctrl(BIO* /*b*/, int cmd, long /*num*/, void* /*ptr*/) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int bio_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

const BIO_METHOD* socket_method() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "trustlane socket");
    if (!m || !BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
        !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create))
      throw std::runtime_error("cannot create the TLS socket BIO");
    return m;
  }();
  return method;
}

}  // namespace

TlsStream::TlsStream(asio::ip::tcp::socket socket, SSL_CTX* ctx, Role role) : socket_(std::move(socket)), ssl_(SSL_new(ctx)) {
  BIO* bio = ssl_ ? BIO_new(socket_method()) : nullptr;
  if (!bio) {
    SSL_free(ssl_);
    throw std::runtime_error("cannot create a TLS connection object");
  }
  error_code ec;
  socket_.non_blocking(true, ec);
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(socket_.native_handle())));
  SSL_set_bio(ssl_, bio, bio);
  // Partial writes and a buffer that may move between retries: what asio::async_write expects.
  // Release buffers: no record buffer is kept while a connection has nothing in flight.
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  // Read ahead: one recv() takes as many records as the socket holds (up to the read buffer),
  // instead of two per record (header, then body). Records already read are returned by the
  // next SSL_read without touching the socket, so would_block still means "wait for it".
  SSL_set_read_ahead(ssl_, 1);
  if (role == Role::server)
    SSL_set_accept_state(ssl_);
  else
    SSL_set_connect_state(ssl_);
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

std::size_t TlsStream::read_some(asio::mutable_buffer buffer, error_code& ec) {
  std::size_t n = 0;
  if (attempt(Step::read, buffer, {}, n, ec) != Want::nothing) ec = asio::error::would_block;
  return n;
}

std::size_t TlsStream::write_some(asio::const_buffer buffer, error_code& ec) {
  std::size_t n = 0;
  if (attempt(Step::write, {}, buffer, n, ec) != Want::nothing) ec = asio::error::would_block;
  return n;
}

TlsStream::Want TlsStream::attempt(Step step, asio::mutable_buffer in, asio::const_buffer out, std::size_t& n,
                                   error_code& ec) {
  n = 0;
  ec = {};
  ERR_clear_error();  // SSL_get_error reads this thread's error queue
  errno = 0;          // and errno for SSL_ERROR_SYSCALL
  int r = 1;
  switch (step) {
    case Step::handshake: r = SSL_do_handshake(ssl_); break;
    case Step::readable: return Want::nothing;
    case Step::read:
      if (in.size() == 0) return Want::nothing;
      r = SSL_read_ex(ssl_, in.data(), in.size(), &n);
      break;
    case Step::write:
      if (out.size() == 0) return Want::nothing;
      r = SSL_write_ex(ssl_, out.data(), out.size(), &n);
      break;
  }
  if (r == 1) return Want::nothing;
  n = 0;
  return classify(r, ec);
}

TlsStream::Want TlsStream::classify(int result, error_code& ec) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ: return Want::read;
    case SSL_ERROR_WANT_WRITE: return Want::write;
    case SSL_ERROR_ZERO_RETURN: ec = asio::error::eof; break;  // close_notify
    case SSL_ERROR_SYSCALL:
      ec = saved_errno && ERR_peek_error() == 0 ? error_code(saved_errno, boost::system::system_category())
                                                 : error_code(asio::error::eof);
      break;
    default: {
      unsigned long e = ERR_get_error();
      ec = e ? error_code(static_cast<int>(e), asio::error::get_ssl_category()) : error_code(asio::error::eof);
      break;
    }
  }
  ERR_clear_error();
  return Want::nothing;
}

}  // namespace trustlane::net
