#include "chip/chip.hpp"

#include "chip/applet.hpp"
#include "chip/object_store.hpp"

namespace trustlane::chip {

Chip::Chip(std::unique_ptr<ObjectStore> objects, Bytes unique_id, Personality personality)
    : objects_(std::move(objects)),
      applet_(std::make_unique<Applet>(*objects_, personality)),
      unique_id_(std::move(unique_id)),
      personality_(personality) {}

Chip::~Chip() = default;

Bytes Chip::transceive(ByteView command) {
  std::lock_guard lock(mutex_);
  return applet_->process(command);
}

Bytes Chip::reset() {
  std::lock_guard lock(mutex_);
  objects_->drop_transient();
  applet_->reset();
  return atr();
}

const Bytes& Chip::unique_id() const { return unique_id_; }
Personality Chip::personality() const { return personality_; }

void Chip::set_timing(const TimingModel& timing) {
  std::lock_guard lock(mutex_);
  timing_ = timing;
}

TimingModel Chip::timing() const {
  std::lock_guard lock(mutex_);
  return timing_;
}

const Bytes& Chip::atr() {
  // As seen on a real SE050: protocol version, NXP RID, BWT, IFSC 254, I2C, "JCOP4 ATPO".
  static const Bytes kAtr{0x00, 0xA0, 0x00, 0x00, 0x03, 0x96, 0x04, 0x03, 0xE8, 0x00, 0xFE, 0x02,
                          0x0B, 0x03, 0xE8, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00,
                          0x0A, 0x4A, 0x43, 0x4F, 0x50, 0x34, 0x20, 0x41, 0x54, 0x50, 0x4F};
  return kAtr;
}

}  // namespace trustlane::chip

#include "chip/timing.hpp"

namespace trustlane::chip {

std::chrono::microseconds Chip::simulated_duration(ByteView command, ByteView response) const {
  return simulate(timing(), command, response);
}

}  // namespace trustlane::chip
