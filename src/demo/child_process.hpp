// A child `trustlane` process (the demo runs `cloud serve` as one, like a user would): spawned
// from this very binary, output to a log file, stopped with SIGTERM (then SIGKILL) on destruction.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace trustlane::demo {

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& args, const std::filesystem::path& log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running();
  void stop();
  // Waits until 127.0.0.1:port accepts connections; false if the child exits or time runs out.
  bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
};

std::uint16_t free_loopback_port();  // a port nothing listens on right now
std::string self_executable();       // /proc/self/exe

}  // namespace trustlane::demo
