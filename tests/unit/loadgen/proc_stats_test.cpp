#include "loadgen/proc_stats.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace trustlane::loadgen {
namespace {

TEST(ProcStats, CpuFromStatCountsFieldsAfterTheCommandName) {
  // utime 250, stime 150 ticks; the command name holds spaces and a ')'.
  const char* stat = "4242 (my (odd) broker) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 20 0 3 0 100 "
                     "123456 789 18446744073709551615";
  auto cpu = parse_stat_cpu_seconds(stat, 100);
  ASSERT_TRUE(cpu.has_value());
  EXPECT_DOUBLE_EQ(*cpu, 4.0);
}

TEST(ProcStats, TruncatedOrGarbageStatIsRefused) {
  EXPECT_FALSE(parse_stat_cpu_seconds("4242 (x) S 1 2 3", 100).has_value());
  EXPECT_FALSE(parse_stat_cpu_seconds("no parenthesis at all", 100).has_value());
  EXPECT_FALSE(parse_stat_cpu_seconds("1 (x) S 1 1 1 0 -1 0 0 0 0 0 ab cd 0", 100).has_value());
  EXPECT_FALSE(parse_stat_cpu_seconds("1 (x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0", 0).has_value());
  EXPECT_FALSE(parse_stat_cpu_seconds("", 100).has_value());
}

TEST(ProcStats, RssFromStatus) {
  auto rss = parse_status_rss_bytes("Name:\tmosquitto\nVmPeak:\t  9999 kB\nVmRSS:\t    5120 kB\nThreads:\t1\n");
  ASSERT_TRUE(rss.has_value());
  EXPECT_EQ(*rss, 5120u * 1024);
  EXPECT_EQ(*parse_status_rss_bytes("VmRSS: 1 kB"), 1024u);
}

TEST(ProcStats, MissingOrMalformedRssIsRefused) {
  EXPECT_FALSE(parse_status_rss_bytes("Name:\tx\nVmSize:\t10 kB\n").has_value());
  EXPECT_FALSE(parse_status_rss_bytes("VmRSS:\t\n").has_value());
  EXPECT_FALSE(parse_status_rss_bytes("VmRSS:\tlots kB\n").has_value());
  EXPECT_FALSE(parse_status_rss_bytes("VmRSS:\t12\n").has_value());
  EXPECT_FALSE(parse_status_rss_bytes("XVmRSS:\t12 kB\n").has_value());
}

TEST(ProcStats, SamplesThisProcess) {
  auto s = sample_process(static_cast<int>(getpid()));
  ASSERT_TRUE(s.has_value());
  EXPECT_GT(s->rss_bytes, 1024u * 1024);
  EXPECT_GE(s->cpu_seconds, 0.0);
  EXPECT_FALSE(sample_process(-5).has_value());
}

}  // namespace
}  // namespace trustlane::loadgen
