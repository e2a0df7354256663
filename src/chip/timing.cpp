#include "chip/timing.hpp"

#include "se05x/apdu.hpp"
#include "se05x/constants.hpp"
#include "se05x/tlv.hpp"

namespace trustlane::chip {

namespace {
constexpr std::size_t kT1Inf = 254;       // max INF bytes per T=1 block
constexpr std::size_t kT1Overhead = 5;    // NAD PCB LEN + CRC(2)
constexpr std::size_t kAckOverhead = 5;   // one R-block per chained block
constexpr std::size_t kReadsPerFrame = 3; // host reads header, LEN, rest: one address byte each

std::size_t wire_bytes(std::size_t apdu) {
  std::size_t blocks = apdu == 0 ? 1 : (apdu + kT1Inf - 1) / kT1Inf;
  return apdu + blocks * (kT1Overhead + kReadsPerFrame) + (blocks - 1) * kAckOverhead;
}

bool generates_key(ByteView command) {
  auto cmd = se05x::parse_command(command);
  if (!cmd) return false;
  se05x::TlvReader r(cmd->data);
  while (auto t = r.next())
    if (t->tag == se05x::tag::k3 || t->tag == se05x::tag::k4) return false;
  return true;
}

unsigned execution_us(const TimingModel& m, ByteView command) {
  namespace ins = se05x::ins;
  namespace p1 = se05x::p1;
  namespace p2 = se05x::p2;
  if (command.size() < 4) return m.simple_us;
  std::uint8_t i = command[1] & ins::kMask;
  std::uint8_t a = command[2];
  std::uint8_t b = command[3];
  if (i == ins::kCrypto) {
    if (a == p1::kSignature && b == p2::kSign) return m.sign_us;
    if (a == p1::kSignature && b == p2::kVerify) return m.verify_us;
    if (a == p1::kEc && b == p2::kDh) return m.ecdh_us;
    return m.simple_us;
  }
  if (i == ins::kWrite) {
    // A key pair written with neither private (43) nor public (44) key is generated inside.
    bool ec_pair = (a & p1::kTypeMask) == p1::kEc && (a & p1::kKeyPartMask) == p1::kKeyPair;
    if (ec_pair && generates_key(command)) return m.keygen_us;
    return m.write_us;
  }
  if (i == ins::kMgmt && (b == p2::kDeleteObject || b == p2::kDeleteAll)) return m.write_us;
  return m.simple_us;
}
}  // namespace

std::chrono::microseconds simulate(const TimingModel& m, ByteView command, ByteView response) {
  if (!m.enabled || m.i2c_hz == 0) return std::chrono::microseconds{0};
  std::size_t bytes = wire_bytes(command.size()) + wire_bytes(response.size());
  std::uint64_t transfer_us = static_cast<std::uint64_t>(bytes) * 9 * 1'000'000 / m.i2c_hz;
  return std::chrono::microseconds{transfer_us + execution_us(m, command)};
}

}  // namespace trustlane::chip
