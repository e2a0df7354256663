#include "cli/commands.hpp"

namespace trustlane::cli {

void add_cloud_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("cloud", "cloud commands");
  cmd->require_subcommand(1);
}

}  // namespace trustlane::cli
