// What one `trustlane bench` run measured, as JSON (for bench/run) or a readable table.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "loadgen/histogram.hpp"
#include "loadgen/proc_stats.hpp"

namespace trustlane::loadgen {

struct Report {
  std::string mode;            // connect, pubsub, idle, fleet, registry
  std::string target;
  std::map<std::string, std::string> settings;  // topology, qos, payload… as given

  double seconds = 0;          // wall time of the measured phase
  std::uint64_t connections_attempted = 0;
  std::uint64_t connections_ok = 0;
  double connect_seconds = 0;  // wall time from first connection attempt to the last CONNACK

  std::uint64_t sent = 0;      // PUBLISH packets written
  std::uint64_t acknowledged = 0;  // PUBACKs (QoS 1)
  std::uint64_t expected = 0;  // deliveries the topology promises for `sent`
  std::uint64_t received = 0;  // deliveries that arrived (duplicates excluded)
  std::uint64_t duplicates = 0;
  double publish_seconds = 0;  // wall time of the publishing phase
  // From the first publish to the last delivery (≥ publish_seconds): the rate divides by this,
  // so messages a broker buffered and delivered after the publishers stopped do not count as
  // delivered within the publishing phase.
  double delivery_seconds = 0;

  std::uint64_t requests = 0;  // registry: control-plane requests that succeeded

  Histogram latency_us;        // message: publish → delivery; connect: TCP start → CONNACK
  std::map<std::string, std::uint64_t> errors;  // by kind

  std::optional<ProcSample> broker_before, broker_after;
  std::optional<std::uint64_t> broker_rss_loaded;  // idle: RSS while every connection is held
  std::optional<std::uint64_t> broker_rss_baseline;
  std::map<std::string, double> extra;  // mode-specific figures (fleet phases, ledger import…)

  std::uint64_t lost() const { return expected > received ? expected - received : 0; }
  double connections_per_second() const;
  double delivery_window_seconds() const;  // the longer of delivery_seconds and publish_seconds
  double messages_per_second() const;      // deliveries per second over that window
  std::optional<double> broker_cpu_seconds() const;
  std::uint64_t error_count() const;
};

std::string to_json(const Report& r);
std::string to_table(const Report& r);

}  // namespace trustlane::loadgen
