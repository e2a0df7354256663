// The host's side of T=1 over I2C (UM11225), sans-I/O, as our own client uses it: one
// operation at a time (an S-block exchange or an APDU), driven frame by frame.
//
//   auto step = session.begin_transceive(apdu);
//   while (step.kind == Step::Kind::kSend) { write(step.data); step = session.on_frame(read_frame()); }
//   if (step.kind == Step::Kind::kDone) use(session.result());
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "link/t1_block.hpp"

namespace trustlane::link::t1 {

class HostSession {
 public:
  struct Step {
    enum class Kind { kSend, kDone, kFailed };
    Kind kind = Kind::kFailed;
    Bytes data;         // kSend: the frame to write
    std::string error;  // kFailed: why
  };

  // S-block request (RESYNCH, GET ATR, CHIP RESET, END OF APDU SESSION, IFS, ...).
  Step begin_request(SCode code, ByteView inf = {});
  // A C-APDU, chained in blocks of at most kMaxInf bytes.
  Step begin_transceive(ByteView apdu);
  // Feeds one complete frame as read from the SE.
  Step on_frame(ByteView frame);
  // After kDone: the R-APDU, or the S-response's INF (the ATR for GET ATR).
  const Bytes& result() const { return result_; }
  int wtx_requests_seen() const { return wtx_seen_; }

 private:
  enum class Op { kNone, kRequest, kTransceive };
  Step send(Bytes frame);
  Step fail(std::string why);
  Step retry_last(const char* why);

  Op op_ = Op::kNone;
  SCode request_ = SCode::kResynch;
  std::vector<Bytes> blocks_;     // our outgoing chain
  std::size_t next_block_ = 0;
  int host_ns_ = 0;               // N(S) of the next I-block we send
  int se_ns_ = 0;                 // N(S) we expect from the SE
  Bytes last_sent_;
  Bytes result_;
  int retries_ = 0;
  int wtx_seen_ = 0;
};

}  // namespace trustlane::link::t1
