// In-process APDU rates of the chip emulator (P4): GetVersion, chunked certificate read,
// ECDSASign through the applet vs raw crypto::Key::sign_digest (target: ≥ 80 %).
#include <benchmark/benchmark.h>

#include "chip/store.hpp"
#include "crypto/digest.hpp"
#include "crypto/key.hpp"
#include "se05x/apdu.hpp"
#include "se05x/constants.hpp"
#include "se05x/tlv.hpp"

namespace {
using namespace trustlane;

struct Setup {
  std::unique_ptr<chip::Store> store = chip::Store::in_memory();
  std::shared_ptr<chip::Chip> chip = store->mint(1).front();
};
Setup& setup() {
  static Setup s;
  return s;
}

void BM_GetVersion(benchmark::State& state) {
  auto& chip = *setup().chip;
  Bytes cmd{0x80, 0x04, 0x00, 0x20, 0x00};
  for (auto _ : state) benchmark::DoNotOptimize(chip.transceive(cmd));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetVersion);

// The whole factory certificate as NXP's host reads it: ReadSize, then 500-byte chunks.
void BM_ReadCertificateChunked(benchmark::State& state) {
  auto& chip = *setup().chip;
  const std::uint32_t id = se05x::object::kCloudCert0;
  Bytes size_cmd = se05x::encode_command(0x80, 0x02, 0x00, 0x07, se05x::TlvWriter().u32(0x41, id).data(), false);
  std::int64_t apdus = 0;
  for (auto _ : state) {
    Bytes size_rsp = chip.transceive(size_cmd);
    std::size_t total = static_cast<std::size_t>(size_rsp[2] << 8 | size_rsp[3]);
    ++apdus;
    for (std::size_t off = 0; off < total; off += 500) {
      auto n = static_cast<std::uint16_t>(std::min<std::size_t>(500, total - off));
      auto body = se05x::TlvWriter().u32(0x41, id).u16_if(0x42, static_cast<std::uint16_t>(off)).u16(0x43, n).data();
      benchmark::DoNotOptimize(chip.transceive(se05x::encode_command(0x80, 0x02, 0x00, 0x00, body, true)));
      ++apdus;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["apdus/s"] = benchmark::Counter(static_cast<double>(apdus), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReadCertificateChunked);

void BM_EcdsaSignInChip(benchmark::State& state) {
  auto& chip = *setup().chip;
  Bytes digest = crypto::sha256(as_bytes("benchmark"));
  Bytes cmd = se05x::encode_command(
      0x80, 0x03, 0x0C, 0x09,
      se05x::TlvWriter().u32(0x41, se05x::object::kCloudKey0).u8(0x42, 0x21).bytes(0x43, digest).data(), false);
  for (auto _ : state) benchmark::DoNotOptimize(chip.transceive(cmd));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaSignInChip);

void BM_EcdsaSignRawOpenSsl(benchmark::State& state) {
  auto key = crypto::Key::generate();
  Bytes digest = crypto::sha256(as_bytes("benchmark"));
  for (auto _ : state) benchmark::DoNotOptimize(key.sign_digest(digest));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaSignRawOpenSsl);

}  // namespace

BENCHMARK_MAIN();
