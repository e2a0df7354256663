#include "link/clients.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "link/jrcp_codec.hpp"

namespace trustlane::link {

JrcpClient::JrcpClient(const Endpoint& server, std::chrono::milliseconds timeout) : stream_(server, timeout) {}

JrcpClient::~JrcpClient() {
  try {
    stream_.write_all(jrcp::encode(jrcp::mty::kErrorMsg, {}));  // polite CLOSE; the reply is not awaited
  } catch (const std::exception&) {  // the server may already be gone: nothing to do
  }
}

Bytes JrcpClient::exchange(std::uint8_t type, ByteView payload) {
  stream_.write_all(jrcp::encode(type, payload));
  std::uint8_t header[jrcp::kHeaderSize];
  stream_.read_exact(header, sizeof header);
  std::size_t length = *get_u16(ByteView(header, sizeof header), 2);
  Bytes body = stream_.read_exact(length);
  if (header[0] == jrcp::mty::kErrorMsg && type != jrcp::mty::kErrorMsg) {
    throw std::runtime_error(fmt::format("{} reported a JRCP error: {}", stream_.peer().text(), to_string(body)));
  }
  if (header[0] != type) {
    throw std::runtime_error(fmt::format("{} answered JRCP type 0x{:02X} to 0x{:02X}", stream_.peer().text(), header[0], type));
  }
  return body;
}

Bytes JrcpClient::transceive(ByteView command) {
  auto reply = exchange(jrcp::mty::kApduData, command);
  if (reply.size() < 2) throw std::runtime_error(fmt::format("{} sent an R-APDU without status word", stream_.peer().text()));
  return reply;
}

Bytes JrcpClient::reset() {
  static constexpr std::uint8_t kTimeout[4] = {0x00, 0x00, 0x01, 0x00};
  return exchange(jrcp::mty::kWaitForCard, kTimeout);
}

void JrcpClient::lock() { exchange(jrcp::mty::kLock, {}); }
void JrcpClient::unlock() { exchange(jrcp::mty::kUnlock, {}); }

T1Client::T1Client(const Endpoint& server, std::chrono::milliseconds timeout) : stream_(server, timeout) {
  run(session_.begin_request(t1::SCode::kResynch), "RESYNCH");
  atr_ = run(session_.begin_request(t1::SCode::kGetAtr), "GET ATR");
}

T1Client::~T1Client() {
  try {
    run(session_.begin_request(t1::SCode::kEndOfApduSession), "END OF APDU SESSION");
  } catch (const std::exception&) {  // closing anyway
  }
}

Bytes T1Client::run(t1::HostSession::Step step, const char* what) {
  for (;;) {
    switch (step.kind) {
      case t1::HostSession::Step::Kind::kDone:
        return session_.result();
      case t1::HostSession::Step::Kind::kFailed:
        throw std::runtime_error(fmt::format("{} with {}: {}", what, stream_.peer().text(), step.error));
      case t1::HostSession::Step::Kind::kSend:
        break;
    }
    stream_.write_all(step.data);
    // Read a frame the way the host does: header (NAD PCB LEN), then LEN + CRC.
    std::uint8_t frame[t1::kOverhead + 255];
    stream_.read_exact(frame, 3);
    stream_.read_exact(frame + 3, std::size_t{frame[2]} + 2);
    step = session_.on_frame(ByteView(frame, std::size_t{frame[2]} + t1::kOverhead));
  }
}

Bytes T1Client::transceive(ByteView command) {
  auto reply = run(session_.begin_transceive(command), "APDU");
  if (reply.size() < 2) throw std::runtime_error(fmt::format("{} sent an R-APDU without status word", stream_.peer().text()));
  return reply;
}

Bytes T1Client::reset() {
  run(session_.begin_request(t1::SCode::kChipReset), "CHIP RESET");
  atr_ = run(session_.begin_request(t1::SCode::kGetAtr), "GET ATR");
  return atr_;
}

}  // namespace trustlane::link
