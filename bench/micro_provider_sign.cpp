// Cost of a chip signature through the OpenSSL provider versus calling the host client
// directly, with an in-process chip (no transport): what the provider layer adds per signature.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include "chip/store.hpp"
#include "crypto/digest.hpp"
#include "host/secure_element.hpp"
#include "provider/provider.hpp"
#include "se05x/constants.hpp"

namespace {

using namespace trustlane;

struct Setup {
  std::unique_ptr<chip::Store> store = chip::Store::in_memory();
  std::shared_ptr<chip::Chip> chip = store->mint(1)[0];
  provider::LibContext libctx;
  provider::LoadedKey key = provider::load_key(libctx.get(), provider::register_inproc_chip(chip->unique_id(), chip));
};

Setup& setup() {
  static Setup s;
  return s;
}

void BM_HostSignDigest(benchmark::State& state) {
  auto& s = setup();
  host::SecureElement se(*s.chip);
  se.select();
  auto digest = crypto::sha256(as_bytes("benchmark"));
  for (auto _ : state) benchmark::DoNotOptimize(se.sign_digest(se05x::object::kCloudKey0, digest));
}
BENCHMARK(BM_HostSignDigest);

void BM_ProviderDigestSign(benchmark::State& state) {
  auto& s = setup();
  Bytes message(static_cast<std::size_t>(state.range(0)), 0x5A);
  Bytes sig(80);
  for (auto _ : state) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    size_t len = sig.size();
    if (EVP_DigestSignInit_ex(md, nullptr, "SHA256", s.libctx.get(), nullptr, s.key.key.get(), nullptr) != 1 ||
        EVP_DigestSign(md, sig.data(), &len, message.data(), message.size()) != 1)
      state.SkipWithError("sign failed");
    EVP_MD_CTX_free(md);
  }
}
BENCHMARK(BM_ProviderDigestSign)->Arg(64)->Arg(4096);

void BM_ProviderLoadKey(benchmark::State& state) {
  auto& s = setup();
  auto uri = provider::inproc_uri(s.chip->unique_id(), se05x::object::kCloudKey0);
  for (auto _ : state) benchmark::DoNotOptimize(provider::load_key(s.libctx.get(), uri));
}
BENCHMARK(BM_ProviderLoadKey);

}  // namespace

BENCHMARK_MAIN();
