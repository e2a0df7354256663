// `trustlane demo`: the seed scenario end to end on one machine — cloud, chips, registration
// without CA through the signed HTTP API, devices talking over MQTT, MAR's account move, and a
// revocation (or, with Flow::Jitr, the fleet's own CA and just-in-time registration) — narrated
// step by step, with a summary table of every expectation.
#pragma once
#include <string>

namespace trustlane::demo {

enum class Flow { Mar, Jitr };

struct DemoOptions {
  int devices = 3;
  Flow flow = Flow::Mar;
  bool keep = false;  // leave the temporary directory (and print where it is)
};

// Returns 0 when every expectation held; otherwise 1, after naming the failed step.
int run_demo(const DemoOptions& options);

}  // namespace trustlane::demo
