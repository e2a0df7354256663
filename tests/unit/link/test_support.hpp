// Helpers for the link tests: hex literals and a scripted ApduChannel standing in for a chip.
#pragma once
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "se05x/channel.hpp"
#include "util/bytes.hpp"

namespace trustlane::link::test {

inline Bytes hex(std::string_view text) {
  auto b = from_hex(text);
  if (!b) throw std::invalid_argument("bad hex in test");
  return *b;
}

inline const Bytes& doc_atr() {
  static const Bytes atr = hex("00 A0 00 00 03 96 04 03 E8 00 FE 02 0B 03 E8 08 01 00 00 00 00 64 00 00 0A 4A 43 4F 50 34 20 41 54 50 4F");
  return atr;
}

// A stand-in chip: `80 EE HH LL` answers HHLL bytes of pattern (i & 0xFF) + 90 00; anything
// else is echoed back followed by 90 00. Counts calls and detects overlapping calls.
class FakeCard : public se05x::ApduChannel {
 public:
  Bytes transceive(ByteView command) override {
    if (in_flight_.fetch_add(1) != 0) overlapped_ = true;
    if (hold_.count()) std::this_thread::sleep_for(hold_);
    Bytes out;
    if (command.size() >= 4 && command[1] == 0xEE) {
      std::size_t n = static_cast<std::size_t>(command[2]) << 8 | command[3];
      for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(i));
    } else {
      out.assign(command.begin(), command.end());
    }
    out.push_back(0x90);
    out.push_back(0x00);
    ++calls_;
    in_flight_.fetch_sub(1);
    return out;
  }
  Bytes reset() override {
    ++resets_;
    return doc_atr();
  }
  int calls() const { return calls_; }
  int resets() const { return resets_; }
  bool overlapped() const { return overlapped_; }
  void hold_each_call(std::chrono::milliseconds d) { hold_ = d; }

 private:
  std::atomic<int> calls_{0};
  std::atomic<int> resets_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<bool> overlapped_{false};
  std::chrono::milliseconds hold_{0};
};

}  // namespace trustlane::link::test
