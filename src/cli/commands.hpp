// Each module's CLI lives in its own file and registers its subcommands here.
// A command runs in the subcommand's callback; errors leave as exceptions and main() prints
// them as one line: "trustlane: <message>".
#pragma once
#include <CLI/CLI.hpp>

namespace trustlane::cli {

void add_chip_commands(CLI::App& app);
void add_cloud_commands(CLI::App& app);
void add_device_commands(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_bench_commands(CLI::App& app);

// A user error: printed without a stack of context, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace trustlane::cli
