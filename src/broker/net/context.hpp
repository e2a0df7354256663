// What every connection of the broker shares (internal to broker/net).
#pragma once
#include <functional>
#include <string>

#include "broker/server_hub.hpp"
#include "broker/server_options.hpp"
#include "broker/server_stats.hpp"
#include "iot/registry.hpp"

namespace trustlane::broker::net {

struct Context {
  iot::Registry& registry;
  Hub& hub;
  Stats& stats;
  const ServerOptions& options;
};

// Publishes a broker-generated message (lifecycle events) into a scope, QoS 0, not retained.
void publish_event(Hub& hub, const iot::Scope& scope, std::string topic, std::string payload);

}  // namespace trustlane::broker::net
