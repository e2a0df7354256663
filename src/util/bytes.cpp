#include "util/bytes.hpp"

#include <algorithm>
#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace trustlane {

std::string to_hex(ByteView data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (auto b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Bytes> from_hex(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  Bytes out;
  int high = -1;
  for (char c : text) {
    if (c == ' ' || c == ':' || c == '\n' || c == '\t') continue;
    int v = hex_value(c);
    if (v < 0) return std::nullopt;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) return std::nullopt;
  return out;
}

std::string base64_encode(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

namespace {

// Padded base64 without whitespace (the common case: ledgers, x5c, JSON members).
std::optional<Bytes> decode_compact(std::string_view compact) {
  if (compact.size() % 4 != 0) return std::nullopt;
  if (compact.empty()) return Bytes{};
  Bytes out(compact.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(compact.data()),
                          static_cast<int>(compact.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock keeps the zero bytes that padding stands for; drop them.
  std::size_t pad = 0;
  if (compact.ends_with("==")) pad = 2;
  else if (compact.ends_with('=')) pad = 1;
  // '=' anywhere but the end is junk.
  if (compact.find('=') < compact.size() - pad) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

constexpr bool is_base64_whitespace(char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; }

// base64url to base64: '-' and '_' become '+' and '/'; '+', '/' and '=' are not base64url (0).
constexpr std::array<char, 256> kUrlToStandard = [] {
  std::array<char, 256> table{};
  for (int c = 1; c < 256; ++c) table[static_cast<std::size_t>(c)] = static_cast<char>(c);
  table['-'] = '+';
  table['_'] = '/';
  table['+'] = table['/'] = table['='] = table[0] = 0;
  return table;
}();

}  // namespace

std::optional<Bytes> base64_decode(std::string_view text) {
  // A lambda, not the function's address, so the scan is inlined: this runs over every byte of a ledger.
  if (std::none_of(text.begin(), text.end(), [](char c) { return is_base64_whitespace(c); }))
    return decode_compact(text);
  std::string compact;
  compact.reserve(text.size());
  for (char c : text)
    if (!is_base64_whitespace(c)) compact.push_back(c);
  return decode_compact(compact);
}

std::string base64url_encode(ByteView data) {
  std::string s = base64_encode(data);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (auto& c : s) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return s;
}

std::optional<Bytes> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string s((text.size() + 3) / 4 * 4, '=');
  for (std::size_t i = 0; i < text.size(); ++i) {
    s[i] = kUrlToStandard[static_cast<unsigned char>(text[i])];
    if (s[i] == 0) return std::nullopt;
  }
  return base64_decode(s);
}

bool equal_constant_time(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace trustlane
