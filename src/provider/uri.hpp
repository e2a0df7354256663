// Key URIs of the provider: which chip, which object.
//   se05x://HOST:PORT/0xF0000100        a chip served over JRCP_V1 (NXP's default)
//   se05x+t1://HOST:PORT/0xF0000100     a chip served over T=1 over I2C frames on TCP
//   se05x:inproc:<uid-hex>/0xF0000100   an in-process chip registered with chip_registry.hpp
// Pure parsing, no I/O: untrusted text in, a typed value or a one-line reason out.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "link/open_channel.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace trustlane::provider {

struct InprocChip {
  Bytes unique_id;
};

struct KeyUri {
  std::variant<link::ChannelAddress, InprocChip> chip;
  std::uint32_t object_id = 0;
  // Stable name of the chip part ("jrcp:127.0.0.1:8050", "inproc:04005001…"): one connection per name.
  std::string chip_key() const;
};

Result<KeyUri, std::string> parse_key_uri(std::string_view uri);

std::string inproc_uri(ByteView unique_id, std::uint32_t object_id);
std::string object_id_text(std::uint32_t object_id);  // "0xF0000100"

}  // namespace trustlane::provider
