#include "cli/commands.hpp"

namespace trustlane::cli {

void add_bench_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "bench commands");
  cmd->require_subcommand(1);
}

}  // namespace trustlane::cli
