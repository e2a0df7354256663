// A small blocking TCP connection for the synchronous clients (POSIX sockets, no Asio: the
// host library must stay light). Failures throw std::runtime_error naming the peer.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.hpp"

namespace trustlane::link {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string text() const { return host + ":" + std::to_string(port); }
};
// Parses "host:port" (IPv4 name or address; "[v6]:port" too). nullopt on junk.
std::optional<Endpoint> parse_endpoint(std::string_view text);

class TcpStream {
 public:
  TcpStream(const Endpoint& peer, std::chrono::milliseconds timeout);
  ~TcpStream();
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  void write_all(ByteView data);
  void read_exact(std::uint8_t* out, std::size_t n);
  Bytes read_exact(std::size_t n);
  const Endpoint& peer() const { return peer_; }

 private:
  Endpoint peer_;
  int fd_ = -1;
};

}  // namespace trustlane::link
