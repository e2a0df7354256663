// Who publishes where and who listens, for a pubsub load of N clients. Pure: the engine asks,
// per client, what to subscribe to and where to publish, and how many copies each message
// should arrive as (to account every sent message as received or lost).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace trustlane::loadgen {

enum class Topology {
  fan_in,          // N publishers → 1 subscriber (client 0 subscribes, 1..N publish)
  fan_out,         // 1 publisher → N subscribers (client 0 publishes, 1..N subscribe)
  point_to_point,  // N clients, client i publishes to client (i+1) mod N's topic
};

std::optional<Topology> parse_topology(std::string_view text);  // "fan-in", "fan-out", "p2p"
const char* to_string(Topology t);

struct ClientRole {
  std::optional<std::string> subscribe;  // topic filter, if this client listens
  std::optional<std::string> publish;    // topic, if this client publishes
};

class Plan {
 public:
  // `n` is the N of the topology (≥ 1); `prefix` keeps runs apart ("bench/<run-id>").
  Plan(Topology topology, std::size_t n, std::string prefix);
  std::size_t clients() const;                  // connections to open
  ClientRole role(std::size_t client) const;
  std::size_t copies_per_message() const;      // deliveries expected per publish
  std::size_t publishers() const;

 private:
  Topology topology_;
  std::size_t n_;
  std::string prefix_;
};

}  // namespace trustlane::loadgen
