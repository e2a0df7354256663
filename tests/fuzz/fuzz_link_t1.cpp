// Fuzz target: the SE-side T=1 state machine (playing an echo chip for every APDU and granting
// WTX), the host-side machine and the block parser, on untrusted bytes.
#include <cstdint>

#include "link/t1_block.hpp"
#include "link/t1_host_session.hpp"
#include "link/t1_se_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trustlane;
  using namespace trustlane::link::t1;
  if (size == 0) return 0;
  std::size_t piece = 1 + data[0] % 32;
  ByteView in(data + 1, size - 1);

  SeSession se(Bytes(35, 0x42));
  int steps = 0;
  for (std::size_t at = 0; at < in.size(); at += piece) {
    se.receive(in.subspan(at, std::min(piece, in.size() - at)));
    for (;;) {
      if (++steps > 100000) __builtin_trap();  // a state machine must not spin
      auto action = se.next();
      if (action.kind == SeSession::Action::Kind::kNone) break;
      if (action.kind == SeSession::Action::Kind::kExecute) {
        if (action.data.size() % 3 == 0) se.request_wtx();  // sometimes interleave WTX
        if (!se.executing()) __builtin_trap();
        Bytes response = action.data;
        response.push_back(0x90);
        response.push_back(0x00);
        auto frame = se.complete(response);
        if (!parse(frame)) __builtin_trap();  // what we send must be well-formed
      } else if (action.kind == SeSession::Action::Kind::kSend || action.kind == SeSession::Action::Kind::kResetChip) {
        auto block = parse(action.data);
        if (!block || block->nad != kNadSeToHost || block->inf.size() > 255) __builtin_trap();
      }
    }
  }
  se.on_stall();

  HostSession host;
  host.begin_transceive(in.first(std::min<std::size_t>(in.size(), 600)));
  StreamReader reader;
  reader.feed(in);
  Block block;
  for (;;) {
    auto status = reader.next(block);
    if (status == StreamReader::Status::kNeedMore) break;
    if (status == StreamReader::Status::kBlock) {
      auto step = host.on_frame(encode(block.nad, block.pcb, block.inf));
      if (step.kind != HostSession::Step::Kind::kSend) host.begin_request(SCode::kGetAtr);
    }
  }
  return 0;
}
