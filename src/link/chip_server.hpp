// Serves chips over TCP (JRCP_V1 or T=1 over I2C frames), chip i on base port + i.
//
// Threading: one io_context per thread; each chip, its listener and all its connections live on
// one of them, so a chip's APDUs are naturally serialised and never need a lock held across I/O.
// Concurrent connections to one chip queue for it (a JRCP LOCK holds it across APDUs until
// UNLOCK or disconnect). With a duration function (simulated timing) the chip stays busy for
// that long via an Asio timer — the thread keeps serving other chips — and over T=1 the SE asks
// for waiting time (S(WTX)) while it works.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "link/open_channel.hpp"
#include "se05x/channel.hpp"

namespace trustlane::link {

struct ServedChip {
  std::shared_ptr<se05x::ApduChannel> channel;
  // Simulated processing time of one APDU (empty or 0: answer at once).
  std::function<std::chrono::microseconds(ByteView command, ByteView response)> duration;
};

struct ServerOptions {
  Transport transport = Transport::kJrcp;
  std::string host = "127.0.0.1";
  std::uint16_t base_port = 8050;   // 0: every chip gets an ephemeral port (tests)
  std::size_t threads = 0;          // 0: one per core (never more than chips)
  std::chrono::milliseconds wtx_interval{200};   // T=1: ask for more time this often while busy
  std::chrono::milliseconds stall_timeout{500};  // T=1: a frame fragment older than this is dropped
  std::chrono::milliseconds wtx_answer_timeout{5000};  // T=1: a host silent this long after S(WTX) is dropped
};

class ChipServer {
 public:
  // Binds every listener now (throws std::runtime_error naming the address on failure) and
  // powers the chips up (one reset each, which also yields the ATR T=1 hands out).
  ChipServer(std::vector<ServedChip> chips, ServerOptions options);
  ~ChipServer();  // stop()
  ChipServer(const ChipServer&) = delete;
  ChipServer& operator=(const ChipServer&) = delete;

  const std::vector<Endpoint>& endpoints() const;  // chip i → its bound address
  void start();  // starts the io threads and returns
  void stop();   // closes listeners and connections, joins the threads; idempotent

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trustlane::link
