// Each module's CLI lives in its own file and registers its subcommands here.
// A command runs in the subcommand's callback; errors leave as exceptions and main() prints
// them as one line: "trustlane: <message>".
#pragma once
#include <CLI/CLI.hpp>

namespace trustlane::cli {

// `trustlane chip …`: factory commands (mint, ledger) in chip_cli.cpp; transports and host-side
// commands (serve, info, uid, read-cert, sign, ls) in chip_host_cli.cpp.
void add_chip_factory_commands(CLI::App& chip);
void add_chip_host_commands(CLI::App& chip);
void add_cloud_commands(CLI::App& app);
void add_cloud_stats_command(CLI::App& cloud);  // cloud_stats_cli.cpp, called by add_cloud_commands
void add_device_commands(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_bench_commands(CLI::App& app);
// ledger_cli.cpp: `chip ledger` and `cloud import-ledger`, hooked into the existing subcommands.
void add_chip_ledger_command(CLI::App& chip);
void add_cloud_ledger_commands(CLI::App& cloud);

// A user error: printed without a stack of context, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace trustlane::cli
