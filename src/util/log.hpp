// Process-wide logging setup (spdlog). Libraries log through spdlog's default logger;
// only the CLI decides level and format. Never log key material.
#pragma once
#include <spdlog/spdlog.h>
#include <string_view>

namespace trustlane {

// level: trace|debug|info|warn|error|off. Logs go to stderr so stdout stays for results.
void setup_logging(std::string_view level);

}  // namespace trustlane
