// In-process chips for provider tests: one in-memory store minted once per test binary, each
// chip registered with the provider, and a library context with the provider installed.
#pragma once
#include <memory>

#include "chip/store.hpp"
#include "provider/provider.hpp"
#include "se05x/constants.hpp"

namespace trustlane::provider::testing {

struct Fleet {
  std::unique_ptr<chip::Store> store = chip::Store::in_memory();
  std::vector<std::shared_ptr<chip::Chip>> chips = store->mint(2);
  LibContext libctx;
  std::string key_uri(std::size_t i, std::uint32_t id = se05x::object::kCloudKey0) {
    register_inproc_chip(chips[i]->unique_id(), chips[i]);
    return inproc_uri(chips[i]->unique_id(), id);
  }
};

inline Fleet& fleet() {
  static Fleet f;
  return f;
}

}  // namespace trustlane::provider::testing
