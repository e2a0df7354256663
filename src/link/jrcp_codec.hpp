// JRCP_V1 framing (NXP's APDU-level socket protocol): `MTY NAD LEN_hi LEN_lo payload`.
// Sans-I/O: an encoder and an incremental decoder that copes with partial reads and refuses
// oversize frames before allocating anything for them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>

#include "util/bytes.hpp"

namespace trustlane::link::jrcp {

// Message types (MTY). Kept as a raw byte in Frame because peers may send anything.
namespace mty {
inline constexpr std::uint8_t kWaitForCard = 0x00;
inline constexpr std::uint8_t kApduData = 0x01;
inline constexpr std::uint8_t kStatus = 0x02;
inline constexpr std::uint8_t kErrorMsg = 0x03;  // also CLOSE when the payload is empty
inline constexpr std::uint8_t kTerminalInfo = 0x04;
inline constexpr std::uint8_t kDebugInformation = 0x07;
inline constexpr std::uint8_t kLock = 0x30;
inline constexpr std::uint8_t kUnlock = 0x31;
}  // namespace mty

inline constexpr std::size_t kHeaderSize = 4;
// Far above any SE05x APDU (the host's buffer is 1280 bytes, NXP's access manager 2048).
inline constexpr std::size_t kDefaultMaxPayload = 8192;

struct Frame {
  std::uint8_t type = 0;
  std::uint8_t nad = 0;
  Bytes payload;
  bool operator==(const Frame&) const = default;
};

Bytes encode(std::uint8_t type, ByteView payload, std::uint8_t nad = 0);
inline Bytes encode(const Frame& f) { return encode(f.type, f.payload, f.nad); }

class Decoder {
 public:
  enum class Status { kNeedMore, kFrame, kOversize };

  explicit Decoder(std::size_t max_payload = kDefaultMaxPayload) : max_payload_(max_payload) {}
  // Appends received bytes. After kOversize the decoder is dead and ignores input.
  void feed(ByteView bytes);
  // Extracts the next complete frame into `out`. kOversize is sticky: the stream cannot be
  // re-synchronised after a length we refuse to read.
  Status next(Frame& out);
  std::size_t buffered() const { return buffer_.size() - consumed_; }
  // Length announced by the frame that was refused (for the error message).
  std::size_t refused_length() const { return refused_length_; }

 private:
  std::size_t max_payload_;
  Bytes buffer_;
  std::size_t consumed_ = 0;
  bool dead_ = false;
  std::size_t refused_length_ = 0;
};

}  // namespace trustlane::link::jrcp
