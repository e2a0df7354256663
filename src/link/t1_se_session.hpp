// The secure element's side of T=1 over I2C (UM11225), sans-I/O: bytes from the host go in,
// actions come out ("send these bytes", "run this APDU on the chip", "reset the chip").
//
// Every action answers exactly one host block: the SE never speaks unsolicited. Chaining works
// both ways in blocks of at most IFS bytes; R-NACKs and bad CRCs are handled by retransmission;
// while the chip runs a long operation the I/O layer may interleave S(WTX) requests.
#pragma once
#include <cstdint>
#include <optional>

#include "link/t1_block.hpp"

namespace trustlane::link::t1 {

class SeSession {
 public:
  struct Action {
    enum class Kind {
      kNone,             // need more input
      kSend,             // write `data`
      kExecute,          // run `data` (a complete C-APDU) on the chip, then call complete()
      kResetChip,        // reset the chip, then write `data`
      kWtxAcknowledged,  // the host answered our S(WTX) request; nothing to write
    };
    Kind kind = Kind::kNone;
    Bytes data;
  };

  explicit SeSession(Bytes atr);

  void receive(ByteView bytes);
  // The next action for buffered input; processes at most one block per call.
  Action next();
  // Answers the APDU of the last kExecute: returns the first (or only) response block.
  Bytes complete(ByteView response_apdu);
  // While an APDU executes: an S(WTX) request to send; next() reports the host's answer.
  Bytes request_wtx(std::uint8_t multiplier = 1);
  // Input stalled in the middle of a frame: drop the fragment and answer R(err 2).
  // nullopt when nothing is pending.
  std::optional<Bytes> on_stall();

  bool executing() const { return state_ == State::kExecuting; }
  bool has_partial_input() const { return reader_.buffered() > 0; }
  std::size_t ifsd() const { return ifsd_; }

 private:
  enum class State { kIdle, kReceivingChain, kExecuting, kSendingChain };

  Action on_block(const Block& block);
  Action on_i_block(const Block& block);
  Action on_r_block(const Block& block);
  Action on_s_block(const Block& block);
  Action send(Bytes frame);
  Action error(RError err);
  Bytes next_response_block();
  void reset_link();

  Bytes atr_;
  StreamReader reader_;
  State state_ = State::kIdle;
  int se_ns_ = 0;           // N(S) of the next I-block we send
  int host_ns_ = 0;         // N(S) we expect on the host's next I-block
  std::size_t ifsd_ = kMaxInf;
  Bytes command_;           // C-APDU being assembled from a chain
  Bytes response_;          // R-APDU being sent as a chain
  std::size_t response_sent_ = 0;
  Bytes last_sent_;         // for retransmission on R-NACK
  bool wtx_outstanding_ = false;
};

}  // namespace trustlane::link::t1
