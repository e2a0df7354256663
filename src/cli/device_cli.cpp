#include "cli/commands.hpp"

namespace trustlane::cli {

void add_device_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("device", "device commands");
  cmd->require_subcommand(1);
}

}  // namespace trustlane::cli
