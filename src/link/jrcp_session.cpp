#include "link/jrcp_session.hpp"

#include <fmt/format.h>

namespace trustlane::link::jrcp {

Step plan(const Frame& request) {
  switch (request.type) {
    case mty::kWaitForCard:  // payload: 4-byte timeout the host does not rely on
      return {Step::Kind::kReset, {}};
    case mty::kApduData:
      return {Step::Kind::kTransceive, request.payload};
    case mty::kStatus:
      return {Step::Kind::kReply, encode(mty::kStatus, {})};
    case mty::kErrorMsg:  // CLOSE: acknowledge, then hang up
      return {Step::Kind::kReplyAndClose, encode(mty::kErrorMsg, {})};
    case mty::kTerminalInfo:
      return {Step::Kind::kReply, encode(mty::kTerminalInfo, {})};
    case mty::kDebugInformation:
      return {Step::Kind::kReply, encode(mty::kDebugInformation, {})};
    case mty::kLock:
      return {Step::Kind::kLock, encode(request)};
    case mty::kUnlock:
      return {Step::Kind::kUnlock, encode(request)};
    default:
      return {Step::Kind::kReply, error_reply(fmt::format("unknown JRCP message type 0x{:02X}", request.type))};
  }
}

Bytes apdu_reply(ByteView response_apdu) { return encode(mty::kApduData, response_apdu); }
Bytes atr_reply(ByteView atr) { return encode(mty::kWaitForCard, atr); }
Bytes error_reply(std::string_view message) { return encode(mty::kErrorMsg, as_bytes(message)); }

}  // namespace trustlane::link::jrcp
