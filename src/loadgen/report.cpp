#include "loadgen/report.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace trustlane::loadgen {

double Report::connections_per_second() const {
  return connect_seconds > 0 ? static_cast<double>(connections_ok) / connect_seconds : 0.0;
}

double Report::delivery_window_seconds() const { return std::max(delivery_seconds, publish_seconds); }

double Report::messages_per_second() const {
  const double window = delivery_window_seconds();
  return window > 0 ? static_cast<double>(received) / window : 0.0;
}

std::optional<double> Report::broker_cpu_seconds() const {
  if (!broker_before || !broker_after) return std::nullopt;
  return broker_after->cpu_seconds - broker_before->cpu_seconds;
}

std::uint64_t Report::error_count() const {
  std::uint64_t n = 0;
  for (const auto& [kind, count] : errors) n += count;
  return n;
}

namespace {

nlohmann::json latency_json(const Histogram& h) {
  return {{"count", h.count()}, {"min", h.min()}, {"mean", h.mean()}, {"p50", h.percentile(50)},
          {"p90", h.percentile(90)}, {"p99", h.percentile(99)}, {"p999", h.percentile(99.9)}, {"max", h.max()}};
}

std::string mib(std::uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / 1048576.0); }

}  // namespace

std::string to_json(const Report& r) {
  nlohmann::json j{{"mode", r.mode}, {"target", r.target}, {"settings", r.settings}, {"seconds", r.seconds},
                   {"connections", {{"attempted", r.connections_attempted}, {"ok", r.connections_ok},
                                    {"seconds", r.connect_seconds}, {"per_second", r.connections_per_second()}}},
                   {"messages", {{"sent", r.sent}, {"acknowledged", r.acknowledged}, {"expected", r.expected},
                                 {"received", r.received}, {"lost", r.lost()}, {"duplicates", r.duplicates},
                                 {"publish_seconds", r.publish_seconds}, {"delivery_seconds", r.delivery_seconds},
                                 {"per_second", r.messages_per_second()}}},
                   {"latency_us", latency_json(r.latency_us)},
                   {"errors", r.errors},
                   {"extra", r.extra}};
  if (r.mode == "registry") j["requests"] = r.requests;
  if (auto cpu = r.broker_cpu_seconds()) {
    nlohmann::json b{{"cpu_seconds", *cpu}, {"rss_bytes", r.broker_after->rss_bytes}};
    if (r.connections_ok > 0) b["cpu_us_per_connection"] = *cpu * 1e6 / static_cast<double>(r.connections_ok);
    if (r.received > 0) b["cpu_us_per_message"] = *cpu * 1e6 / static_cast<double>(r.received);
    if (r.broker_rss_loaded) b["rss_loaded_bytes"] = *r.broker_rss_loaded;
    if (r.broker_rss_baseline) b["rss_baseline_bytes"] = *r.broker_rss_baseline;
    if (r.broker_rss_loaded && r.broker_rss_baseline && r.connections_ok > 0 && *r.broker_rss_loaded >= *r.broker_rss_baseline)
      b["rss_bytes_per_connection"] =
          static_cast<double>(*r.broker_rss_loaded - *r.broker_rss_baseline) / static_cast<double>(r.connections_ok);
    j["broker"] = b;
  }
  return j.dump(2);
}

std::string to_table(const Report& r) {
  std::string out = fmt::format("trustlane bench {} → {}\n", r.mode, r.target);
  for (const auto& [k, v] : r.settings) out += fmt::format("  {:<22} {}\n", k, v);
  out += fmt::format("  {:<22} {:.2f} s\n", "wall time", r.seconds);
  if (r.connections_attempted > 0)
    out += fmt::format("  {:<22} {} of {} in {:.2f} s = {:.0f}/s\n", "connections", r.connections_ok,
                       r.connections_attempted, r.connect_seconds, r.connections_per_second());
  if (r.sent > 0 || r.expected > 0) {
    out += fmt::format("  {:<22} sent {} acked {} expected {} received {} lost {} dup {}\n", "messages", r.sent,
                       r.acknowledged, r.expected, r.received, r.lost(), r.duplicates);
    out += fmt::format("  {:<22} {:.0f}/s over {:.2f} s (publishing {:.2f} s)\n", "delivery rate",
                       r.messages_per_second(), r.delivery_window_seconds(), r.publish_seconds);
  }
  if (r.mode == "registry") out += fmt::format("  {:<22} {} ({:.0f}/s)\n", "requests", r.requests,
                                              r.seconds > 0 ? static_cast<double>(r.requests) / r.seconds : 0.0);
  const auto& h = r.latency_us;
  if (h.count() > 0)
    out += fmt::format("  {:<22} p50 {} p90 {} p99 {} p99.9 {} max {} (µs, n={})\n", "latency", h.percentile(50),
                       h.percentile(90), h.percentile(99), h.percentile(99.9), h.max(), h.count());
  for (const auto& [k, v] : r.extra) out += fmt::format("  {:<22} {:.3f}\n", k, v);
  if (auto cpu = r.broker_cpu_seconds()) {
    out += fmt::format("  {:<22} {:.2f} s CPU, RSS {}", "broker", *cpu, mib(r.broker_after->rss_bytes));
    if (r.connections_ok > 0) out += fmt::format(", {:.0f} µs CPU/connection", *cpu * 1e6 / static_cast<double>(r.connections_ok));
    if (r.received > 0) out += fmt::format(", {:.2f} µs CPU/message", *cpu * 1e6 / static_cast<double>(r.received));
    out += "\n";
  }
  if (r.broker_rss_loaded && r.broker_rss_baseline && r.connections_ok > 0 && *r.broker_rss_loaded >= *r.broker_rss_baseline)
    out += fmt::format("  {:<22} {} loaded, {:.1f} KiB/connection\n", "broker memory", mib(*r.broker_rss_loaded),
                       static_cast<double>(*r.broker_rss_loaded - *r.broker_rss_baseline) / 1024.0 /
                           static_cast<double>(r.connections_ok));
  if (r.errors.empty()) out += fmt::format("  {:<22} none\n", "errors");
  for (const auto& [k, v] : r.errors) out += fmt::format("  {:<22} {} × {}\n", "error", v, k);
  return out;
}

}  // namespace trustlane::loadgen
