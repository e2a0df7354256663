#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "util/heap.hpp"
#include "util/log.hpp"

int main(int argc, char** argv) {
  trustlane::keep_freed_heap();
  CLI::App app{"trustlane: secure element to cloud, on one machine (SE050 emulator, AWS IoT compatible cloud, "
               "device agent)"};
  app.require_subcommand(0, 1);  // checked after parsing, so stray words are named in the error
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")->capture_default_str();
  app.parse_complete_callback([&] { trustlane::setup_logging(log_level); });

  auto* chip = app.add_subcommand("chip", "the SE050 emulator: mint chips, serve them, talk to any SE05x");
  chip->require_subcommand(1);
  trustlane::cli::add_chip_factory_commands(*chip);
  trustlane::cli::add_chip_host_commands(*chip);
  trustlane::cli::add_chip_ledger_command(*chip);
  trustlane::cli::add_cloud_commands(app);
  trustlane::cli::add_cloud_ledger_commands(*app.get_subcommand("cloud"));
  trustlane::cli::add_device_commands(app);
  trustlane::cli::add_demo_command(app);
  trustlane::cli::add_bench_commands(app);

  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty()) {
      std::fprintf(stderr, "trustlane: no command given (try: trustlane --help)\n");
      return 2;
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const trustlane::cli::UsageError& e) {
    std::fprintf(stderr, "trustlane: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trustlane: %s\n", e.what());
    return 1;
  }
  return 0;
}
