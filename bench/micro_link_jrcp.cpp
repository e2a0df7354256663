// P4: APDUs per second over real loopback TCP connections, JRCP_V1 and T=1.
// The served card parses every C-APDU and answers GetVersion / ReadSize / ReadObject(offset,
// length) like the applet does, so the numbers measure the transport, not crypto.
//
//   build/dev/bin/micro_link_jrcp --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <algorithm>

#include "link/chip_server.hpp"
#include "se05x/apdu.hpp"
#include "se05x/constants.hpp"
#include "se05x/tlv.hpp"

namespace {
using namespace trustlane;

class NonCryptoCard : public se05x::ApduChannel {
 public:
  NonCryptoCard() : certificate_(634) {
    for (std::size_t i = 0; i < certificate_.size(); ++i) certificate_[i] = static_cast<std::uint8_t>(i);
  }
  Bytes transceive(ByteView command) override {
    auto apdu = se05x::parse_command(command);
    if (!apdu) return se05x::status_only(apdu.error());
    if (apdu->p2 == se05x::p2::kVersion) {
      static constexpr std::uint8_t kVersion[7] = {3, 1, 1, 0x6F, 0xFF, 0x01, 0x0B};
      return se05x::encode_response(se05x::TlvWriter().bytes(se05x::tag::k1, kVersion).data(), se05x::sw::kOk);
    }
    se05x::TlvReader in(apdu->data);
    in.take(se05x::tag::k1);
    if (apdu->p2 == se05x::p2::kSize) {
      return se05x::encode_response(
          se05x::TlvWriter().u16(se05x::tag::k1, static_cast<std::uint16_t>(certificate_.size())).data(), se05x::sw::kOk);
    }
    std::size_t offset = 0, length = certificate_.size();
    if (auto o = in.take(se05x::tag::k2)) offset = *se05x::tlv_u16(*o);
    if (auto l = in.take(se05x::tag::k3)) length = *se05x::tlv_u16(*l);
    if (offset + length > certificate_.size()) return se05x::status_only(se05x::sw::kWrongLength);
    return se05x::encode_response(
        se05x::TlvWriter().bytes(se05x::tag::k1, ByteView(certificate_).subspan(offset, length)).data(), se05x::sw::kOk);
  }
  Bytes reset() override { return {0x3B}; }

 private:
  Bytes certificate_;
};

struct Served {
  std::unique_ptr<link::ChipServer> server;
  explicit Served(link::Transport transport) {
    link::ServerOptions options;
    options.transport = transport;
    options.base_port = 0;
    options.threads = 1;
    server = std::make_unique<link::ChipServer>(
        std::vector<link::ServedChip>{{std::make_shared<NonCryptoCard>(), {}}}, options);
    server->start();
  }
};

const Bytes kGetVersion = se05x::encode_command(0x80, se05x::ins::kMgmt, 0, se05x::p2::kVersion, {}, false);

void get_version(benchmark::State& state, link::Transport transport) {
  Served served(transport);
  auto channel = link::open_channel(link::ChannelAddress{transport, served.server->endpoints()[0], std::nullopt});
  for (auto _ : state) {
    auto r = channel->transceive(kGetVersion);
    if (r.size() != 11) state.SkipWithError("bad answer");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["apdu/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// ReadSize, then 500-byte ReadObject chunks with offset/length, like NXP's host reads a certificate.
void chunked_cert_read(benchmark::State& state, link::Transport transport) {
  Served served(transport);
  auto channel = link::open_channel(link::ChannelAddress{transport, served.server->endpoints()[0], std::nullopt});
  std::int64_t apdus = 0;
  for (auto _ : state) {
    auto id = se05x::TlvWriter().u32(se05x::tag::k1, se05x::object::kCloudCert0).data();
    auto size_rsp = se05x::parse_response(channel->transceive(se05x::encode_command(0x80, 2, 0, se05x::p2::kSize, id, true)));
    std::size_t size = *se05x::tlv_u16(ByteView(size_rsp->data).subspan(2));
    Bytes cert;
    ++apdus;
    while (cert.size() < size) {
      auto n = static_cast<std::uint16_t>(std::min<std::size_t>(500, size - cert.size()));
      auto cmd = se05x::TlvWriter()
                     .u32(se05x::tag::k1, se05x::object::kCloudCert0)
                     .u16_if(se05x::tag::k2, static_cast<std::uint16_t>(cert.size()))
                     .u16(se05x::tag::k3, n)
                     .data();
      auto r = channel->transceive(se05x::encode_command(0x80, 2, 0, 0, cmd, true));
      ++apdus;
      auto response = se05x::parse_response(r);
      se05x::TlvReader tlv(response->data);
      auto part = tlv.take(se05x::tag::k1);
      if (!part || part->size() != n) {
        state.SkipWithError("bad chunk");
        break;
      }
      cert.insert(cert.end(), part->begin(), part->end());
    }
    if (cert.size() != size) state.SkipWithError("short certificate");
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["apdu/s"] = benchmark::Counter(static_cast<double>(apdus), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(get_version, jrcp, link::Transport::kJrcp)->UseRealTime();
BENCHMARK_CAPTURE(get_version, t1, link::Transport::kT1)->UseRealTime();
BENCHMARK_CAPTURE(chunked_cert_read, jrcp, link::Transport::kJrcp)->UseRealTime();
BENCHMARK_CAPTURE(chunked_cert_read, t1, link::Transport::kT1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
