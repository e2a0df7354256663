#include "provider/uri.hpp"

#include <charconv>
#include <cstdio>

namespace trustlane::provider {
namespace {

constexpr std::string_view kJrcpScheme = "se05x://";
constexpr std::string_view kT1Scheme = "se05x+t1://";
constexpr std::string_view kInprocScheme = "se05x:inproc:";

// "0xF0000100" (1 to 8 hex digits after 0x, case-insensitive).
std::optional<std::uint32_t> parse_object_id(std::string_view text) {
  if (text.size() < 3 || text.size() > 10 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
    return std::nullopt;
  std::uint32_t value = 0;
  auto digits = text.substr(2);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

Result<std::uint32_t, std::string> object_part(std::string_view uri, std::string_view rest) {
  auto slash = rest.rfind('/');
  if (slash == std::string_view::npos)
    return fail("'" + std::string(uri) + "': no object id (expected …/0xF0000100)");
  auto id = parse_object_id(rest.substr(slash + 1));
  if (!id)
    return fail("'" + std::string(uri) + "': bad object id '" + std::string(rest.substr(slash + 1)) +
                "' (expected 0x followed by up to 8 hex digits)");
  return *id;
}

}  // namespace

std::string KeyUri::chip_key() const {
  if (const auto* inproc = std::get_if<InprocChip>(&chip)) return "inproc:" + to_hex(inproc->unique_id);
  const auto& address = std::get<link::ChannelAddress>(chip);
  return std::string(address.transport == link::Transport::kT1 ? "t1:" : "jrcp:") + address.endpoint.host + ":" +
         std::to_string(address.endpoint.port);
}

Result<KeyUri, std::string> parse_key_uri(std::string_view uri) {
  KeyUri out;
  std::string_view rest;
  if (uri.starts_with(kInprocScheme)) {
    rest = uri.substr(kInprocScheme.size());
    auto slash = rest.find('/');
    auto uid = from_hex(rest.substr(0, slash));
    if (!uid || uid->empty())
      return fail("'" + std::string(uri) + "': bad in-process chip id (expected the unique ID in hex)");
    out.chip = InprocChip{std::move(*uid)};
  } else {
    link::Transport transport = link::Transport::kJrcp;
    if (uri.starts_with(kJrcpScheme)) {
      rest = uri.substr(kJrcpScheme.size());
    } else if (uri.starts_with(kT1Scheme)) {
      rest = uri.substr(kT1Scheme.size());
      transport = link::Transport::kT1;
    } else {
      return fail("'" + std::string(uri) +
                  "': not an SE05x key URI (expected se05x://HOST:PORT/0xID, se05x+t1://… or se05x:inproc:UID/0xID)");
    }
    auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    auto address = link::parse_channel_address(authority);
    if (!address || authority.empty())
      return fail("'" + std::string(uri) + "': bad chip address '" + std::string(authority) + "' (expected HOST:PORT)");
    address->transport = transport;
    out.chip = *address;
  }
  auto id = object_part(uri, rest);
  if (!id) return fail(id.error());
  out.object_id = *id;
  return out;
}

std::string object_id_text(std::uint32_t object_id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", object_id);
  return buf;
}

std::string inproc_uri(ByteView unique_id, std::uint32_t object_id) {
  return std::string(kInprocScheme) + to_hex(unique_id) + "/" + object_id_text(object_id);
}

}  // namespace trustlane::provider
