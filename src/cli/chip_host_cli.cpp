#include "cli/commands.hpp"

namespace trustlane::cli {

void add_chip_host_commands(CLI::App& /*chip*/) {}

}  // namespace trustlane::cli
