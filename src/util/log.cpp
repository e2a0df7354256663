#include "util/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace trustlane {

void setup_logging(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("trustlane");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

}  // namespace trustlane
