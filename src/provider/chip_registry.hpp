// In-process chips the provider can reach by URI (se05x:inproc:<uid-hex>/0x…): our own code
// registers them (the device fleet, tests, benchmarks) so keys resolve with no sockets and no files.
#pragma once
#include <memory>
#include <string>

#include "se05x/channel.hpp"
#include "util/bytes.hpp"

namespace trustlane::provider {

// Registers `chip` under its unique ID (replacing any earlier one) and returns the URI of its
// factory key, se05x:inproc:<uid-hex>/0xF0000100. The channel must be safe to call from the
// thread that uses the key (chip::Chip is).
std::string register_inproc_chip(ByteView unique_id, std::shared_ptr<se05x::ApduChannel> chip);
void unregister_inproc_chip(ByteView unique_id);
std::shared_ptr<se05x::ApduChannel> find_inproc_chip(ByteView unique_id);

}  // namespace trustlane::provider
