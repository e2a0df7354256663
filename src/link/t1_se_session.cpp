#include "link/t1_se_session.hpp"

#include <algorithm>
#include <utility>

namespace trustlane::link::t1 {

namespace {
// Extended C-APDU maximum; a longer chain is a protocol error, not a reason to allocate.
constexpr std::size_t kMaxCommand = 65544;
}  // namespace

SeSession::SeSession(Bytes atr) : atr_(std::move(atr)) {
  if (atr_.size() > kMaxAtr) atr_.resize(kMaxAtr);
}

void SeSession::receive(ByteView bytes) { reader_.feed(bytes); }

SeSession::Action SeSession::send(Bytes frame) {
  last_sent_ = frame;
  return {Action::Kind::kSend, std::move(frame)};
}

// R-blocks tell the host which I-block we expect next.
SeSession::Action SeSession::error(RError err) { return send(r_block(kNadSeToHost, host_ns_, err)); }

void SeSession::reset_link() {
  state_ = State::kIdle;
  se_ns_ = 0;
  host_ns_ = 0;
  command_.clear();
  response_.clear();
  response_sent_ = 0;
  wtx_outstanding_ = false;
}

SeSession::Action SeSession::next() {
  if (state_ == State::kExecuting && !wtx_outstanding_) return {};  // hold input until the chip answers
  Block block;
  switch (reader_.next(block)) {
    case StreamReader::Status::kNeedMore:
      return {};
    case StreamReader::Status::kBadCrc:
      if (state_ == State::kExecuting) return send(last_sent_);  // resend our WTX request
      return error(RError::kCrc);
    case StreamReader::Status::kBlock:
      break;
  }
  if (state_ == State::kExecuting) {
    if (block.nad == kNadHostToSe && block.is_s() && block.s_response() && s_code_from(block.s_bits()) == SCode::kWtx) {
      wtx_outstanding_ = false;
      return {Action::Kind::kWtxAcknowledged, {}};
    }
    return send(last_sent_);  // anything else: ask again
  }
  return on_block(block);
}

SeSession::Action SeSession::on_block(const Block& block) {
  if (block.nad != kNadHostToSe) return error(RError::kOther);
  if (block.is_i()) return on_i_block(block);
  if (block.is_r()) return on_r_block(block);
  return on_s_block(block);
}

SeSession::Action SeSession::on_i_block(const Block& block) {
  if (block.inf.size() > kMaxInf || block.ns() != host_ns_) return error(RError::kOther);
  if (state_ != State::kReceivingChain) command_.clear();  // a new command abandons any response chain
  if (command_.size() + block.inf.size() > kMaxCommand) {
    command_.clear();
    state_ = State::kIdle;
    return error(RError::kOther);
  }
  command_.insert(command_.end(), block.inf.begin(), block.inf.end());
  host_ns_ ^= 1;
  if (block.more()) {
    state_ = State::kReceivingChain;
    return send(r_block(kNadSeToHost, host_ns_, RError::kNone));
  }
  state_ = State::kExecuting;
  return {Action::Kind::kExecute, std::exchange(command_, {})};
}

SeSession::Action SeSession::on_r_block(const Block& block) {
  if (block.r_error() == static_cast<std::uint8_t>(RError::kNone) && state_ == State::kSendingChain &&
      block.nr() == se_ns_) {
    return send(next_response_block());  // ACK of our last chained block: release the next one
  }
  // R-NACK (or an ACK asking for the block we just sent): retransmit.
  if (!last_sent_.empty()) return send(last_sent_);
  return error(RError::kOther);
}

SeSession::Action SeSession::on_s_block(const Block& block) {
  auto code = s_code_from(block.s_bits());
  if (!code || block.s_response()) return error(RError::kOther);
  switch (*code) {
    case SCode::kResynch:
      if (!block.inf.empty()) return error(RError::kOther);
      reset_link();
      return send(s_block(kNadSeToHost, SCode::kResynch, true));
    case SCode::kIfs: {
      if (block.inf.empty() || block.inf.size() > 2) return error(RError::kOther);
      std::size_t value = block.inf.size() == 1 ? block.inf[0] : (std::size_t{block.inf[0]} << 8 | block.inf[1]);
      if (value == 0) return error(RError::kOther);
      ifsd_ = std::min(value, kMaxInf);
      return send(s_block(kNadSeToHost, SCode::kIfs, true, block.inf));
    }
    case SCode::kAbort:
      state_ = State::kIdle;
      command_.clear();
      response_.clear();
      return send(s_block(kNadSeToHost, SCode::kAbort, true));
    case SCode::kWtx:  // only the SE asks for waiting time
      return error(RError::kOther);
    case SCode::kEndOfApduSession:
      return send(s_block(kNadSeToHost, SCode::kEndOfApduSession, true));
    case SCode::kChipReset: {
      reset_link();
      auto reply = s_block(kNadSeToHost, SCode::kChipReset, true);
      last_sent_ = reply;
      return {Action::Kind::kResetChip, std::move(reply)};
    }
    case SCode::kGetAtr:
      return send(s_block(kNadSeToHost, SCode::kGetAtr, true, atr_));
    case SCode::kInterfaceSoftReset:
      reset_link();
      return send(s_block(kNadSeToHost, SCode::kInterfaceSoftReset, true, atr_));
    case SCode::kDeepPowerDown:
      return send(s_block(kNadSeToHost, SCode::kDeepPowerDown, true));
  }
  return error(RError::kOther);
}

Bytes SeSession::complete(ByteView response_apdu) {
  response_.assign(response_apdu.begin(), response_apdu.end());
  response_sent_ = 0;
  wtx_outstanding_ = false;
  auto frame = next_response_block();
  last_sent_ = frame;
  return frame;
}

Bytes SeSession::next_response_block() {
  std::size_t chunk = std::min(ifsd_, response_.size() - response_sent_);
  bool more = response_sent_ + chunk < response_.size();
  auto frame = i_block(kNadSeToHost, se_ns_, more,
                       ByteView(response_).subspan(response_sent_, chunk));
  response_sent_ += chunk;
  se_ns_ ^= 1;
  state_ = more ? State::kSendingChain : State::kIdle;
  if (!more) response_.clear();
  return frame;
}

Bytes SeSession::request_wtx(std::uint8_t multiplier) {
  wtx_outstanding_ = true;
  std::uint8_t inf[1] = {multiplier};
  last_sent_ = s_block(kNadSeToHost, SCode::kWtx, false, inf);
  return last_sent_;
}

std::optional<Bytes> SeSession::on_stall() {
  if (reader_.buffered() == 0) return std::nullopt;
  reader_.clear();
  if (state_ == State::kExecuting) return std::nullopt;  // the answer to the APDU is still owed
  return error(RError::kOther).data;
}

}  // namespace trustlane::link::t1
