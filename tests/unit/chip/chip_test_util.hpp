// Helpers for the chip unit tests: hex byte vectors and APDUs framed exactly like NXP's host
// library frames them (Case4: short Lc, no Le; Case4_ext: extended Lc + Le 00 00).
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "chip/store.hpp"
#include "se05x/apdu.hpp"
#include "se05x/tlv.hpp"
#include "util/bytes.hpp"

namespace trustlane::chip::test {

inline Bytes H(std::string_view hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or(Bytes{});
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline std::string hex(ByteView b) { return to_hex(b); }

// Case 4 (short): CLA INS P1 P2 Lc data.
inline Bytes case4(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data) {
  return se05x::encode_command(0x80, ins, p1, p2, data, false);
}
// Case 4 extended: CLA INS P1 P2 00 Lc(2) data 00 00.
inline Bytes case4e(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data) {
  return se05x::encode_command(0x80, ins, p1, p2, data, true);
}

inline std::uint16_t sw_of(ByteView rsp) {
  EXPECT_GE(rsp.size(), 2u);
  if (rsp.size() < 2) return 0;
  return static_cast<std::uint16_t>(rsp[rsp.size() - 2] << 8 | rsp.back());
}
inline Bytes data_of(ByteView rsp) { return rsp.size() < 2 ? Bytes{} : Bytes(rsp.begin(), rsp.end() - 2); }

// A fresh chip from an in-memory store.
struct Fixture {
  std::unique_ptr<Store> store = Store::in_memory();
  std::shared_ptr<Chip> chip;
  explicit Fixture(Personality p = Personality::Se050C) { chip = store->mint(1, p).front(); }
  Bytes tx(ByteView apdu) { return chip->transceive(apdu); }
  Bytes tx(std::string_view hexapdu) { return chip->transceive(H(hexapdu)); }
};

// Value of the single TLV 41 in a successful response (fails the test otherwise).
inline Bytes tlv41(ByteView rsp) {
  EXPECT_EQ(sw_of(rsp), 0x9000);
  Bytes d = data_of(rsp);
  se05x::TlvReader r(d);
  auto v = r.take(0x41);
  EXPECT_TRUE(v.has_value());
  EXPECT_TRUE(r.at_end());
  return v ? Bytes(v->begin(), v->end()) : Bytes{};
}

}  // namespace trustlane::chip::test
