#include "link/open_channel.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace trustlane::link {

std::optional<Transport> parse_transport(std::string_view name) {
  if (name == "jrcp") return Transport::kJrcp;
  if (name == "t1") return Transport::kT1;
  return std::nullopt;
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
    if (auto slash = text.find('/'); slash != std::string_view::npos) text = text.substr(0, slash);
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
