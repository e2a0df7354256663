// Opens an ApduChannel from an address string: `jrcp://host:port`, `t1://host:port`, or plain
// `host:port` (= JRCP, NXP's default). Shared by the CLI, the device agent and the OpenSSL
// provider (whose key URIs look like `se05x://127.0.0.1:8050/0xF0000100`).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "link/clients.hpp"

namespace trustlane::link {

enum class Transport { kJrcp, kT1 };

struct ChannelAddress {
  Transport transport = Transport::kJrcp;
  Endpoint endpoint;
  std::optional<std::uint32_t> object;  // from a key URI's path: se05x://host:port/0xF0000100
};

// nullopt on junk (unknown scheme, missing port, a path that is not an object id…).
std::optional<ChannelAddress> parse_channel_address(std::string_view text);
std::optional<Transport> parse_transport(std::string_view name);  // "jrcp" | "t1"
// "0xF0000100" (hex) or decimal; nullopt for anything else or above 32 bits.
std::optional<std::uint32_t> parse_object_id(std::string_view text);

// Throws std::runtime_error for a bad address or an unreachable server.
std::unique_ptr<se05x::ApduChannel> open_channel(const ChannelAddress& address,
                                                 std::chrono::milliseconds timeout = kDefaultTimeout);
std::unique_ptr<se05x::ApduChannel> open_channel(std::string_view address);

}  // namespace trustlane::link
