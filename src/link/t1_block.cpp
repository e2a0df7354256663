#include "link/t1_block.hpp"

namespace trustlane::link::t1 {

std::optional<SCode> s_code_from(std::uint8_t bits) {
  switch (bits) {
    case 0x00: return SCode::kResynch;
    case 0x01: return SCode::kIfs;
    case 0x02: return SCode::kAbort;
    case 0x03: return SCode::kWtx;
    case 0x05: return SCode::kEndOfApduSession;
    case 0x06: return SCode::kChipReset;
    case 0x07: return SCode::kGetAtr;
    case 0x0F: return SCode::kInterfaceSoftReset;
    case 0x1F: return SCode::kDeepPowerDown;
    default: return std::nullopt;
  }
}

const char* to_string(SCode code) {
  switch (code) {
    case SCode::kResynch: return "RESYNCH";
    case SCode::kIfs: return "IFS";
    case SCode::kAbort: return "ABORT";
    case SCode::kWtx: return "WTX";
    case SCode::kEndOfApduSession: return "END OF APDU SESSION";
    case SCode::kChipReset: return "CHIP RESET";
    case SCode::kGetAtr: return "GET ATR";
    case SCode::kInterfaceSoftReset: return "INTERFACE SOFT RESET";
    case SCode::kDeepPowerDown: return "DEEP POWER DOWN";
  }
  return "?";
}

std::uint16_t crc16_x25(ByteView data) {
  std::uint16_t crc = 0xFFFF;
  for (std::uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0x8408) : crc >> 1;
  }
  return static_cast<std::uint16_t>(crc ^ 0xFFFF);
}

Bytes encode(std::uint8_t nad, std::uint8_t pcb, ByteView inf) {
  Bytes out;
  out.reserve(kOverhead + inf.size());
  out.push_back(nad);
  out.push_back(pcb);
  out.push_back(static_cast<std::uint8_t>(inf.size()));
  out.insert(out.end(), inf.begin(), inf.end());
  std::uint16_t crc = crc16_x25(out);
  out.push_back(static_cast<std::uint8_t>(crc));  // low byte first
  out.push_back(static_cast<std::uint8_t>(crc >> 8));
  return out;
}

Bytes i_block(std::uint8_t nad, int ns, bool more, ByteView inf) {
  return encode(nad, static_cast<std::uint8_t>((ns & 1) << 6 | (more ? 0x20 : 0)), inf);
}

Bytes r_block(std::uint8_t nad, int nr, RError err) {
  return encode(nad, static_cast<std::uint8_t>(0x80 | (nr & 1) << 4 | static_cast<std::uint8_t>(err)), {});
}

Bytes s_block(std::uint8_t nad, SCode code, bool response, ByteView inf) {
  return encode(nad, static_cast<std::uint8_t>(0xC0 | (response ? 0x20 : 0) | static_cast<std::uint8_t>(code)), inf);
}

std::optional<Block> parse(ByteView frame) {
  if (frame.size() < kOverhead || frame.size() != kOverhead + frame[2]) return std::nullopt;
  std::size_t body = frame.size() - 2;
  std::uint16_t crc = crc16_x25(frame.first(body));
  if (frame[body] != static_cast<std::uint8_t>(crc) || frame[body + 1] != static_cast<std::uint8_t>(crc >> 8)) {
    return std::nullopt;
  }
  return Block{frame[0], frame[1], Bytes(frame.begin() + 3, frame.begin() + static_cast<std::ptrdiff_t>(body))};
}

void StreamReader::feed(ByteView bytes) {
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

StreamReader::Status StreamReader::next(Block& out) {
  ByteView pending(buffer_.data() + consumed_, buffer_.size() - consumed_);
  if (pending.size() < 3) return Status::kNeedMore;
  std::size_t size = kOverhead + pending[2];
  if (pending.size() < size) return Status::kNeedMore;
  auto frame = pending.first(size);
  consumed_ += size;
  if (auto block = parse(frame)) {
    out = std::move(*block);
    return Status::kBlock;
  }
  out = Block{frame[0], frame[1], {}};
  return Status::kBadCrc;
}

}  // namespace trustlane::link::t1
