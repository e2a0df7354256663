#include "cli/commands.hpp"

namespace trustlane::cli {

void add_demo_command(CLI::App& app) {
  app.add_subcommand("demo", "run the MAR scenario end to end");
}

}  // namespace trustlane::cli
