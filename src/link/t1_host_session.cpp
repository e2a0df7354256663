#include "link/t1_host_session.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace trustlane::link::t1 {

namespace {
constexpr int kMaxRetries = 3;
}

HostSession::Step HostSession::send(Bytes frame) {
  last_sent_ = frame;
  return {Step::Kind::kSend, std::move(frame), {}};
}

HostSession::Step HostSession::fail(std::string why) {
  op_ = Op::kNone;
  return {Step::Kind::kFailed, {}, std::move(why)};
}

HostSession::Step HostSession::retry_last(const char* why) {
  if (++retries_ > kMaxRetries) return fail(fmt::format("T=1: {} (gave up after {} retries)", why, kMaxRetries));
  return send(last_sent_);
}

HostSession::Step HostSession::begin_request(SCode code, ByteView inf) {
  op_ = Op::kRequest;
  request_ = code;
  retries_ = 0;
  result_.clear();
  return send(s_block(kNadHostToSe, code, false, inf));
}

HostSession::Step HostSession::begin_transceive(ByteView apdu) {
  op_ = Op::kTransceive;
  retries_ = 0;
  result_.clear();
  blocks_.clear();
  std::size_t offset = 0;
  do {
    std::size_t chunk = std::min(kMaxInf, apdu.size() - offset);
    bool more = offset + chunk < apdu.size();
    blocks_.push_back(i_block(kNadHostToSe, host_ns_, more, apdu.subspan(offset, chunk)));
    host_ns_ ^= 1;
    offset += chunk;
  } while (offset < apdu.size());
  next_block_ = 1;
  return send(blocks_[0]);
}

HostSession::Step HostSession::on_frame(ByteView frame) {
  if (op_ == Op::kNone) return fail("T=1: frame received with no operation in progress");
  auto block = parse(frame);
  if (!block) {
    if (++retries_ > kMaxRetries) return fail("T=1: repeated CRC errors from the SE");
    return send(r_block(kNadHostToSe, se_ns_, RError::kCrc));  // ask for the block again
  }
  if (block->nad != kNadSeToHost) return fail(fmt::format("T=1: unexpected NAD 0x{:02X}", block->nad));

  if (block->is_s()) {
    auto code = s_code_from(block->s_bits());
    if (!block->s_response() && code == SCode::kWtx) {  // the SE needs more time
      ++wtx_seen_;
      std::uint8_t inf[1] = {0x01};
      return send(s_block(kNadHostToSe, SCode::kWtx, true, inf));
    }
    if (op_ == Op::kRequest && block->s_response() && code == request_) {
      if (code == SCode::kResynch || code == SCode::kChipReset || code == SCode::kInterfaceSoftReset) {
        host_ns_ = 0;
        se_ns_ = 0;
      }
      result_ = block->inf;
      op_ = Op::kNone;
      return {Step::Kind::kDone, {}, {}};
    }
    return fail(fmt::format("T=1: unexpected S-block PCB 0x{:02X}", block->pcb));
  }

  if (block->is_r()) {
    if (op_ == Op::kTransceive && block->r_error() == 0 && next_block_ < blocks_.size()) {
      // ACK of our chained block: N(R) names the block the SE wants next.
      int wanted = (blocks_[next_block_][1] >> 6) & 1;
      if (block->nr() == wanted) {
        retries_ = 0;
        return send(blocks_[next_block_++]);
      }
    }
    return retry_last(block->r_error() ? "SE reported a transmission error" : "SE asked for a retransmission");
  }

  // I-block from the SE: part of the response.
  if (op_ != Op::kTransceive || next_block_ < blocks_.size()) return fail("T=1: unexpected I-block");
  if (block->ns() != se_ns_) {
    if (++retries_ > kMaxRetries) return fail("T=1: SE sequence number out of step");
    return send(r_block(kNadHostToSe, se_ns_, RError::kOther));
  }
  retries_ = 0;
  se_ns_ ^= 1;
  result_.insert(result_.end(), block->inf.begin(), block->inf.end());
  if (block->more()) return send(r_block(kNadHostToSe, se_ns_, RError::kNone));
  op_ = Op::kNone;
  return {Step::Kind::kDone, {}, {}};
}

}  // namespace trustlane::link::t1
