// The (account, region) a connection belongs to. Topics, subscriptions and retained messages
// live inside one scope: nothing ever crosses accounts (AWS IoT MAR).
#pragma once
#include <string>

namespace trustlane::broker {

struct Scope {
  std::string account;  // 12 digits
  std::string region;   // e.g. "us-east-1"
  std::string key() const { return account + '/' + region; }
  bool operator==(const Scope&) const = default;
};

}  // namespace trustlane::broker
