// Fuzz target: the JRCP_V1 incremental decoder and the server's request planning, fed in
// pieces whose sizes come from the input itself.
#include <cstdint>

#include "link/jrcp_codec.hpp"
#include "link/jrcp_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trustlane;
  if (size == 0) return 0;
  std::size_t piece = 1 + data[0] % 16;  // first byte: read size
  ByteView in(data + 1, size - 1);
  link::jrcp::Decoder decoder(512);
  link::jrcp::Frame frame;
  for (std::size_t at = 0; at < in.size(); at += piece) {
    decoder.feed(in.subspan(at, std::min(piece, in.size() - at)));
    for (;;) {
      auto status = decoder.next(frame);
      if (status != link::jrcp::Decoder::Status::kFrame) break;
      auto step = link::jrcp::plan(frame);
      auto reencoded = link::jrcp::encode(frame);
      if (reencoded.size() != frame.payload.size() + link::jrcp::kHeaderSize) __builtin_trap();
      (void)step;
    }
  }
  return 0;
}
