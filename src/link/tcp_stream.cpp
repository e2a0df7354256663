#include "link/tcp_stream.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace trustlane::link {

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  auto host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  }
  unsigned long port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned long>(c - '0');
    if (port > 65535) return std::nullopt;
  }
  if (port == 0) return std::nullopt;
  return Endpoint{std::string(host), static_cast<std::uint16_t>(port)};
}

TcpStream::TcpStream(const Endpoint& peer, std::chrono::milliseconds timeout) : peer_(peer) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  auto port = std::to_string(peer.port);
  if (int rc = getaddrinfo(peer.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw std::runtime_error(fmt::format("cannot resolve {}: {}", peer.text(), gai_strerror(rc)));
  }
  int last_errno = 0;
  for (auto* ai = found; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      fd_ = fd;
      break;
    }
    last_errno = errno;
    ::close(fd);
  }
  freeaddrinfo(found);
  if (fd_ < 0) throw std::runtime_error(fmt::format("cannot connect to {}: {}", peer.text(), std::strerror(last_errno)));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // APDUs are tiny request/response pairs
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

TcpStream::~TcpStream() {
  if (fd_ >= 0) ::close(fd_);
}

void TcpStream::write_all(ByteView data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(fmt::format("write to {} failed: {}", peer_.text(), std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
}

void TcpStream::read_exact(std::uint8_t* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t got = ::recv(fd_, out + done, n - done, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got == 0) throw std::runtime_error(fmt::format("{} closed the connection", peer_.text()));
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) throw std::runtime_error(fmt::format("{} did not answer in time", peer_.text()));
      throw std::runtime_error(fmt::format("read from {} failed: {}", peer_.text(), std::strerror(errno)));
    }
    done += static_cast<std::size_t>(got);
  }
}

Bytes TcpStream::read_exact(std::size_t n) {
  Bytes out(n);
  read_exact(out.data(), n);
  return out;
}

}  // namespace trustlane::link
