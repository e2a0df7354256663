// Cost of one ledger entry on each side: signing it (export) and verifying it (import).
#include <benchmark/benchmark.h>

#include "chip/factory.hpp"
#include "ledger/entry.hpp"
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
  auto entry = ledger::make_entry(f.chip, f.ca.cert, f.signer);
  ledger::Verifier verifier({f.signer.cert, f.ca.cert});
  for (auto _ : state) {
    auto r = verifier.verify(entry, 0);
    if (!r) state.SkipWithError("entry did not verify");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_VerifyEntry);

}  // namespace

BENCHMARK_MAIN();
