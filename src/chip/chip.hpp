// Chip: one emulated NXP SE050. APDU in, R-APDU out; the applet logic is sans-I/O (no sockets,
// no sleeps). Transports (link/) expose a Chip over JRCP_V1 or T=1; the host client and tests
// use it in process through se05x::ApduChannel.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

#include "se05x/channel.hpp"
#include "util/bytes.hpp"

namespace trustlane::chip {

// SE050C runs applet 3.1.1 (default); SE050E runs applet 7.2.0 with 7.x object type codes.
enum class Personality { Se050C, Se050E };

const char* personality_name(Personality p);  // "se050c" / "se050e"

// Optional imitation of the real part's latency. The chip never sleeps: it only reports how
// long the exchange would have taken, and transports apply that with timers (and T=1 WTX).
struct TimingModel {
  bool enabled = false;
  unsigned i2c_hz = 400000;  // 100 kHz (standard) or 400 kHz (fast mode)
  // Execution costs measured on comparable secure elements, in microseconds.
  unsigned simple_us = 1000;     // reads, version, existence, lists
  unsigned write_us = 5000;      // persistent writes (flash programming)
  unsigned sign_us = 45000;      // ECDSA P-256 sign
  unsigned verify_us = 55000;    // ECDSA P-256 verify
  unsigned ecdh_us = 40000;      // ECDH P-256
  unsigned keygen_us = 90000;    // key pair generation inside
};

class ObjectStore;   // objects of one chip (store.hpp's persistence behind it)
class Applet;        // APDU dispatch

class Chip : public se05x::ApduChannel {
 public:
  ~Chip() override;

  // Thread-safe: one APDU at a time per chip (internal mutex). Never sleeps, no network I/O.
  // Every acknowledged (90 00) write is durable before this returns.
  Bytes transceive(ByteView command) override;
  // Transient objects and sessions vanish; returns the ATR.
  Bytes reset() override;

  const Bytes& unique_id() const;  // 18 bytes
  Personality personality() const;

  // How long a real SE050 would take for this exchange (I2C transfer + execution).
  // Zero unless realistic timing is on.
  std::chrono::microseconds simulated_duration(ByteView command, ByteView response) const;
  void set_timing(const TimingModel& timing);
  TimingModel timing() const;

  // The ATR a real SE050 sends (35 bytes, "JCOP4 ATPO").
  static const Bytes& atr();

  // Internal: Store creates chips.
  Chip(std::unique_ptr<ObjectStore> objects, Bytes unique_id, Personality personality);

 private:
  mutable std::mutex mutex_;
  std::unique_ptr<ObjectStore> objects_;
  std::unique_ptr<Applet> applet_;
  Bytes unique_id_;
  Personality personality_;
  TimingModel timing_;
};

}  // namespace trustlane::chip
