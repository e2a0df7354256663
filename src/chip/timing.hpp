// Realistic timing of a real SE050, as a pure function of the exchanged bytes.
#pragma once
#include <chrono>

#include "chip/chip.hpp"
#include "util/bytes.hpp"

namespace trustlane::chip {

// I2C transfer of both APDUs inside T=1 frames (9 bits per byte on the wire, frame
// overhead per ≤254-byte block, address byte per transfer) plus the command's execution.
std::chrono::microseconds simulate(const TimingModel& model, ByteView command, ByteView response);

}  // namespace trustlane::chip
