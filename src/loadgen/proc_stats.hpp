// A process's CPU time and resident memory from /proc/<pid>: the broker's cost of a load,
// read the same way for trustlane and Mosquitto. Parsing is separate from reading (testable).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace trustlane::loadgen {

struct ProcSample {
  double cpu_seconds = 0;     // user + system
  std::uint64_t rss_bytes = 0;
};

// /proc/<pid>/stat: utime and stime (fields 14 and 15) in clock ticks. The command name
// (field 2) may hold spaces and parentheses, so fields are counted after the last ')'.
std::optional<double> parse_stat_cpu_seconds(std::string_view stat, long ticks_per_second);
// /proc/<pid>/status: the "VmRSS:  1234 kB" line.
std::optional<std::uint64_t> parse_status_rss_bytes(std::string_view status);

// nullopt when the process is gone or unreadable.
std::optional<ProcSample> sample_process(int pid);

}  // namespace trustlane::loadgen
