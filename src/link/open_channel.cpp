#include "link/open_channel.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace trustlane::link {

std::optional<Transport> parse_transport(std::string_view name) {
  if (name == "jrcp") return Transport::kJrcp;
  if (name == "t1") return Transport::kT1;
  return std::nullopt;
}

std::optional<std::uint32_t> parse_object_id(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty() || text.size() > (base == 16 ? 8u : 10u)) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit < 0) return std::nullopt;
    value = value * static_cast<unsigned>(base) + static_cast<unsigned>(digit);
  }
  if (value > 0xFFFFFFFFu) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

std::optional<ChannelAddress> parse_channel_address(std::string_view text) {
  ChannelAddress address;
  if (auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    auto scheme = text.substr(0, scheme_end);
    if (scheme == "se05x" || scheme == "jrcp") {
      address.transport = Transport::kJrcp;
    } else if (scheme == "t1") {
      address.transport = Transport::kT1;
    } else {
      return std::nullopt;
    }
    text.remove_prefix(scheme_end + 3);
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
      auto path = text.substr(slash + 1);
      text = text.substr(0, slash);
      if (!path.empty()) {
        address.object = parse_object_id(path);
        if (!address.object) return std::nullopt;
      }
    }
  }
  auto endpoint = parse_endpoint(text);
  if (!endpoint) return std::nullopt;
  address.endpoint = std::move(*endpoint);
  return address;
}

std::unique_ptr<se05x::ApduChannel> open_channel(const ChannelAddress& address, std::chrono::milliseconds timeout) {
  switch (address.transport) {
    case Transport::kJrcp:
      return std::make_unique<JrcpClient>(address.endpoint, timeout);
    case Transport::kT1:
      return std::make_unique<T1Client>(address.endpoint, timeout);
  }
  throw std::logic_error("unknown transport");
}

std::unique_ptr<se05x::ApduChannel> open_channel(std::string_view text) {
  auto address = parse_channel_address(text);
  if (!address) {
    throw std::runtime_error(fmt::format("bad SE address '{}' (expected host:port, jrcp://host:port or t1://host:port)", text));
  }
  return open_channel(*address);
}

}  // namespace trustlane::link
