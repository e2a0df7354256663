#include "loadgen/topology.hpp"

namespace trustlane::loadgen {

std::optional<Topology> parse_topology(std::string_view text) {
  if (text == "fan-in") return Topology::fan_in;
  if (text == "fan-out") return Topology::fan_out;
  if (text == "p2p" || text == "point-to-point") return Topology::point_to_point;
  return std::nullopt;
}

const char* to_string(Topology t) {
  switch (t) {
    case Topology::fan_in: return "fan-in";
    case Topology::fan_out: return "fan-out";
    case Topology::point_to_point: return "p2p";
  }
  return "?";
}

Plan::Plan(Topology topology, std::size_t n, std::string prefix)
    : topology_(topology), n_(n == 0 ? 1 : n), prefix_(std::move(prefix)) {}

std::size_t Plan::clients() const {
  switch (topology_) {
    case Topology::fan_in:
    case Topology::fan_out: return n_ + 1;
    case Topology::point_to_point: return n_;
  }
  return n_;
}

std::size_t Plan::publishers() const {
  switch (topology_) {
    case Topology::fan_in: return n_;
    case Topology::fan_out: return 1;
    case Topology::point_to_point: return n_;
  }
  return n_;
}

std::size_t Plan::copies_per_message() const {
  switch (topology_) {
    case Topology::fan_in: return 1;
    case Topology::fan_out: return n_;
    case Topology::point_to_point: return 1;
  }
  return 1;
}

ClientRole Plan::role(std::size_t client) const {
  ClientRole r;
  switch (topology_) {
    case Topology::fan_in:
      if (client == 0) r.subscribe = prefix_ + "/in"; else r.publish = prefix_ + "/in";
      break;
    case Topology::fan_out:
      if (client == 0) r.publish = prefix_ + "/out"; else r.subscribe = prefix_ + "/out";
      break;
    case Topology::point_to_point:
      r.subscribe = prefix_ + "/p/" + std::to_string(client);
      r.publish = prefix_ + "/p/" + std::to_string((client + 1) % n_);
      break;
  }
  return r;
}

}  // namespace trustlane::loadgen
