#include "cli/commands.hpp"

namespace trustlane::cli {

void add_chip_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("chip", "chip commands");
  cmd->require_subcommand(1);
}

}  // namespace trustlane::cli
