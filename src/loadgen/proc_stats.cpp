#include "loadgen/proc_stats.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace trustlane::loadgen {

namespace {

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data()) return std::nullopt;
  return value;
}

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::optional<double> parse_stat_cpu_seconds(std::string_view stat, long ticks_per_second) {
  auto close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  // After ')' come fields 3 (state), 4, …; utime is field 14, stime field 15.
  std::string_view rest = stat.substr(close + 1);
  std::optional<std::uint64_t> utime, stime;
  int field = 2;
  std::size_t pos = 0;
  while (pos < rest.size() && field < 15) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    auto end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    if (pos == end) break;
    ++field;
    auto token = rest.substr(pos, end - pos);
    if (field == 14) utime = number(token);
    if (field == 15) stime = number(token);
    pos = end;
  }
  if (!utime || !stime) return std::nullopt;
  return static_cast<double>(*utime + *stime) / static_cast<double>(ticks_per_second);
}

std::optional<std::uint64_t> parse_status_rss_bytes(std::string_view status) {
  auto at = status.find("\nVmRSS:");
  if (status.rfind("VmRSS:", 0) == 0) at = 0; else if (at != std::string_view::npos) ++at;
  if (at == std::string_view::npos) return std::nullopt;
  auto line = status.substr(at + 6);
  line = line.substr(0, line.find('\n'));
  auto first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return std::nullopt;
  line = line.substr(first);
  auto digits_end = line.find_first_not_of("0123456789");
  auto kb = number(line.substr(0, digits_end));
  if (!kb || digits_end == std::string_view::npos || line.substr(digits_end).find("kB") == std::string_view::npos)
    return std::nullopt;
  return *kb * 1024;
}

std::optional<ProcSample> sample_process(int pid) {
  const std::string base = "/proc/" + std::to_string(pid) + "/";
  auto stat = slurp(base + "stat");
  auto status = slurp(base + "status");
  if (!stat || !status) return std::nullopt;
  auto cpu = parse_stat_cpu_seconds(*stat, sysconf(_SC_CLK_TCK));
  auto rss = parse_status_rss_bytes(*status);
  if (!cpu || !rss) return std::nullopt;
  return ProcSample{*cpu, *rss};
}

}  // namespace trustlane::loadgen
