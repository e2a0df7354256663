// Synchronous SE05x clients over TCP, both implementing se05x::ApduChannel.
// Not thread-safe: one APDU at a time per client object (like the host library).
#pragma once
#include <chrono>
#include <memory>

#include "link/t1_host_session.hpp"
#include "link/tcp_stream.hpp"
#include "se05x/channel.hpp"

namespace trustlane::link {

inline constexpr std::chrono::milliseconds kDefaultTimeout{30000};

// JRCP_V1: one frame per request, one frame per reply.
class JrcpClient : public se05x::ApduChannel {
 public:
  explicit JrcpClient(const Endpoint& server, std::chrono::milliseconds timeout = kDefaultTimeout);
  ~JrcpClient() override;
  Bytes transceive(ByteView command) override;
  Bytes reset() override;  // WAIT_FOR_CARD → ATR
  // JRCP LOCK/UNLOCK: hold the chip for this connection across several APDUs.
  void lock();
  void unlock();

 private:
  Bytes exchange(std::uint8_t type, ByteView payload);
  TcpStream stream_;
};

// T=1 over I2C frames on TCP. The constructor runs the session start the NXP host performs
// (RESYNCH, GET ATR).
class T1Client : public se05x::ApduChannel {
 public:
  explicit T1Client(const Endpoint& server, std::chrono::milliseconds timeout = kDefaultTimeout);
  ~T1Client() override;
  Bytes transceive(ByteView command) override;
  Bytes reset() override;  // CHIP RESET, then GET ATR
  const Bytes& atr() const { return atr_; }
  int wtx_requests_seen() const { return session_.wtx_requests_seen(); }

 private:
  Bytes run(t1::HostSession::Step step, const char* what);
  TcpStream stream_;
  t1::HostSession session_;
  Bytes atr_;
};

}  // namespace trustlane::link
