// `trustlane demo`: the whole scenario in one command (src/demo/).
#include <memory>

#include "cli/commands.hpp"
#include "demo/demo.hpp"

namespace trustlane::cli {

void add_demo_command(CLI::App& app) {
  struct Args {
    int devices = 3;
    std::string flow = "mar";
    bool keep = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("demo", "run the MAR scenario end to end (cloud, chips, devices, console, account move, revocation) and check it");
  cmd->add_option("--devices", args->devices, "how many chips/devices (1-20)")->capture_default_str();
  cmd->add_option("--flow", args->flow, "mar (register without CA, move, revoke) or jitr (own CA, chip-signed CSR, auto-registration)")
      ->capture_default_str();
  cmd->add_flag("--keep", args->keep, "keep the temporary directory (stores, logs)");
  cmd->callback([args] {
    if (args->devices < 1 || args->devices > 20) throw UsageError("--devices must be between 1 and 20");
    if (args->flow != "mar" && args->flow != "jitr") throw UsageError("--flow must be mar or jitr");
    demo::DemoOptions o;
    o.devices = args->devices;
    o.flow = args->flow == "mar" ? demo::Flow::Mar : demo::Flow::Jitr;
    o.keep = args->keep;
    int rc = demo::run_demo(o);
    if (rc != 0) std::exit(rc);
  });
}

}  // namespace trustlane::cli
