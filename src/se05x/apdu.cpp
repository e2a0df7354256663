#include "se05x/apdu.hpp"

#include "se05x/constants.hpp"

namespace trustlane::se05x {

Result<CommandApdu, std::uint16_t> parse_command(ByteView b) {
  if (b.size() < 4) return fail(sw::kWrongLength);
  CommandApdu c{b[0], b[1], b[2], b[3], {}, std::nullopt, false};
  auto body = b.subspan(4);
  if (body.empty()) return c;  // case 1
  if (body.size() == 1) {      // case 2S
    c.le = body[0] ? body[0] : 256u;
    return c;
  }
  if (body[0] != 0) {  // short Lc: case 3S / 4S
    std::size_t lc = body[0];
    if (body.size() == 1 + lc) {
      c.data.assign(body.begin() + 1, body.end());
      return c;
    }
    if (body.size() == 2 + lc) {
      c.data.assign(body.begin() + 1, body.end() - 1);
      c.le = body.back() ? body.back() : 256u;
      return c;
    }
    return fail(sw::kWrongLength);
  }
  // Extended forms start with 00.
  c.extended = true;
  if (body.size() == 3) {  // case 2E
    std::uint32_t le = static_cast<std::uint32_t>(body[1]) << 8 | body[2];
    c.le = le ? le : 65536u;
    return c;
  }
  if (body.size() < 3) return fail(sw::kWrongLength);
  std::size_t lc = static_cast<std::size_t>(body[1]) << 8 | body[2];
  if (lc == 0) return fail(sw::kWrongLength);
  if (body.size() == 3 + lc) {
    c.data.assign(body.begin() + 3, body.end());
    return c;
  }
  if (body.size() == 5 + lc) {
    c.data.assign(body.begin() + 3, body.end() - 2);
    std::uint32_t le = static_cast<std::uint32_t>(body[body.size() - 2]) << 8 | body.back();
    c.le = le ? le : 65536u;
    return c;
  }
  return fail(sw::kWrongLength);
}

Bytes encode_command(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data,
                     bool with_le) {
  Bytes out{cla, ins, p1, p2};
  if (!data.empty()) {
    if (data.size() < 0xFF && !with_le) {
      out.push_back(static_cast<std::uint8_t>(data.size()));
    } else {
      out.push_back(0x00);
      put_u16(out, static_cast<std::uint16_t>(data.size()));
    }
    out.insert(out.end(), data.begin(), data.end());
  } else {
    out.push_back(0x00);
  }
  if (with_le) {
    out.push_back(0x00);
    out.push_back(0x00);
  }
  return out;
}

std::optional<ResponseApdu> parse_response(ByteView b) {
  if (b.size() < 2) return std::nullopt;
  ResponseApdu r;
  r.data.assign(b.begin(), b.end() - 2);
  r.sw = static_cast<std::uint16_t>(b[b.size() - 2] << 8 | b.back());
  return r;
}

Bytes encode_response(ByteView data, std::uint16_t status) {
  Bytes out(data.begin(), data.end());
  put_u16(out, status);
  return out;
}

}  // namespace trustlane::se05x
