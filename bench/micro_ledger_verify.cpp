// Cost of one ledger entry on each side: signing it (export) and verifying it (import).
#include <benchmark/benchmark.h>

#include <sstream>

#include "chip/factory.hpp"
#include "ledger/entry.hpp"
#include "ledger/reader.hpp"
#include "ledger/signer.hpp"
#include "ledger/verify.hpp"

namespace {

using namespace trustlane;

struct Fixture {
  chip::VendorCa ca = chip::make_vendor_ca();
  ledger::ManifestSigner signer = ledger::issue_signer(ca.key, ca.cert);
  ledger::LedgerChip chip = [this] {
    auto p = chip::provision_chip(ca, "DNS:bench");
    for (auto& o : p.objects)
      if (o.id == 0xF0000101) return ledger::LedgerChip{p.uid, *crypto::Certificate::from_der(o.data), "SE050C", 0};
    throw std::logic_error("no certificate");
  }();
};

void BM_MakeEntry(benchmark::State& state) {
  Fixture f;
  for (auto _ : state) benchmark::DoNotOptimize(ledger::make_entry(f.chip, f.ca.cert, f.signer));
}
BENCHMARK(BM_MakeEntry);

void BM_VerifyEntry(benchmark::State& state) {
  Fixture f;
  auto entry = ledger::make_entry(f.chip, f.ca.cert, f.signer).dump();
  ledger::Verifier verifier({f.signer.cert, f.ca.cert});
  for (auto _ : state) {
    auto r = verifier.verify(entry, 0);
    if (!r) state.SkipWithError("entry did not verify");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_VerifyEntry);

// A whole ledger file as `cloud import-ledger` reads it: the array split into entries, every entry
// parsed and verified (one worker). Process CPU per entry, so the reading thread counts too.
void BM_VerifyLedgerFile(benchmark::State& state) {
  Fixture f;
  std::string entry = ledger::make_entry(f.chip, f.ca.cert, f.signer).dump();
  std::string text = "[\n";
  for (int i = 0; i < 1000; ++i) text += (i ? ",\n" : "") + entry;
  text += "\n]\n";
  ledger::Verifier verifier({f.signer.cert, f.ca.cert});
  for (auto _ : state) {
    std::istringstream in(text);
    auto r = ledger::verify_ledger(in, verifier, 1);
    if (r.total != 1000) state.SkipWithError("not every entry was read");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_VerifyLedgerFile)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
