#include "provider/chip_registry.hpp"

#include <map>
#include <mutex>

#include "provider/uri.hpp"
#include "se05x/constants.hpp"

namespace trustlane::provider {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<Bytes, std::shared_ptr<se05x::ApduChannel>> chips;
};

Registry& registry() {
  static Registry r;  // process-wide on purpose: OpenSSL reaches keys by URI, not by object
  return r;
}

}  // namespace

std::string register_inproc_chip(ByteView unique_id, std::shared_ptr<se05x::ApduChannel> chip) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.chips[Bytes(unique_id.begin(), unique_id.end())] = std::move(chip);
  return inproc_uri(unique_id, se05x::object::kCloudKey0);
}

void unregister_inproc_chip(ByteView unique_id) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.chips.erase(Bytes(unique_id.begin(), unique_id.end()));
}

std::shared_ptr<se05x::ApduChannel> find_inproc_chip(ByteView unique_id) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.chips.find(Bytes(unique_id.begin(), unique_id.end()));
  return it == r.chips.end() ? nullptr : it->second;
}

}  // namespace trustlane::provider
