// The client side of a fleet device's connection, in process: what one mutual TLS 1.3 handshake
// costs a client whose CertificateVerify is signed inside an in-process chip through the
// provider (the load generator's fleet mode), and what setting up one device's identity costs
// (key URI → EVP_PKEY + certificate, then its TLS context). Both ends run over a BIO pair in
// this thread; the manual timer counts only the client's calls (thread CPU time), so the server's
// work does not pollute the figure.
#include <benchmark/benchmark.h>
#include <openssl/ssl.h>

#include <ctime>

#include "chip/store.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "provider/provider.hpp"
#include "se05x/constants.hpp"

namespace {

using namespace trustlane;

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

crypto::CertificateSpec spec(const std::string& cn, bool ca) {
  crypto::CertificateSpec s;
  s.subject = {{"CN", cn}};
  if (ca) {
    s.is_ca = true;
  } else {
    s.subject_alt_names = {"DNS:" + cn};
    s.server_auth = true;
  }
  return s;
}

struct Setup {
  std::unique_ptr<chip::Store> store = chip::Store::in_memory();
  std::shared_ptr<chip::Chip> chip = store->mint(1)[0];
  provider::LibContext libctx;
  std::string uri = provider::register_inproc_chip(chip->unique_id(), chip);
  provider::LoadedKey key = provider::load_key(libctx.get(), uri);
  crypto::Key ca_key = crypto::Key::generate();
  crypto::Certificate ca = crypto::issue_certificate(spec("Bench Root", true), ca_key, ca_key, nullptr);
  crypto::Key server_key = crypto::Key::generate();
  crypto::Certificate server_cert = crypto::issue_certificate(spec("broker.bench", false), server_key, ca_key, &ca);
  SSL_CTX* server = make_server();

  SSL_CTX* make_server() {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx, server_cert.get());
    SSL_CTX_use_PrivateKey(ctx, server_key.get());
    SSL_CTX_set1_groups_list(ctx, "P-256");
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), store->vendor_ca().get());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    return ctx;
  }

  // A client context like the fleet's: P-256, ECDSA-SHA256 client signatures, server verified.
  SSL_CTX* make_client(bool with_identity) {
    SSL_CTX* ctx = SSL_CTX_new_ex(libctx.get(), nullptr, TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set1_groups_list(ctx, "P-256");
    SSL_CTX_set1_client_sigalgs_list(ctx, "ECDSA+SHA256");
    if (with_identity) {
      SSL_CTX_use_certificate(ctx, key.certificate->get());
      SSL_CTX_use_PrivateKey(ctx, key.key.get());
    }
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca.get());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    return ctx;
  }
};

Setup& setup() {
  static Setup s;
  return s;
}

// One handshake; returns the client's CPU seconds, or a negative value on failure.
double handshake(Setup& s, SSL_CTX* client_ctx, bool per_connection_identity) {
  SSL* client = SSL_new(client_ctx);
  SSL* server = SSL_new(s.server);
  double client_cpu = 0;
  double t = thread_cpu_seconds();
  if (per_connection_identity) {
    SSL_use_certificate(client, s.key.certificate->get());
    SSL_use_PrivateKey(client, s.key.key.get());
  }
  SSL_set_tlsext_host_name(client, "broker.bench");
  SSL_set1_host(client, "broker.bench");
  client_cpu += thread_cpu_seconds() - t;
  BIO *cbio = nullptr, *sbio = nullptr;
  BIO_new_bio_pair(&cbio, 0, &sbio, 0);
  SSL_set_bio(client, cbio, cbio);
  SSL_set_bio(server, sbio, sbio);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  bool done = false;
  for (int round = 0; round < 20 && !done; ++round) {
    t = thread_cpu_seconds();
    int c = SSL_do_handshake(client);
    client_cpu += thread_cpu_seconds() - t;
    int r = SSL_do_handshake(server);
    done = c == 1 && r == 1;
  }
  t = thread_cpu_seconds();
  SSL_free(client);
  client_cpu += thread_cpu_seconds() - t;
  SSL_free(server);
  return done ? client_cpu : -1;
}

void run_handshakes(benchmark::State& state, SSL_CTX* ctx, bool per_connection_identity) {
  auto& s = setup();
  for (auto _ : state) {
    double cpu = handshake(s, ctx, per_connection_identity);
    if (cpu < 0) {
      state.SkipWithError("handshake failed");
      break;
    }
    state.SetIterationTime(cpu);
  }
}

// The identity in the client's SSL_CTX (one context per device).
void BM_ClientHandshakeChipKey(benchmark::State& state) {
  auto& s = setup();
  SSL_CTX* ctx = s.make_client(true);
  run_handshakes(state, ctx, false);
  SSL_CTX_free(ctx);
}
BENCHMARK(BM_ClientHandshakeChipKey)->UseManualTime()->Unit(benchmark::kMicrosecond);

// One SSL_CTX for the whole fleet, the identity set per connection (SSL_use_*).
void BM_ClientHandshakeSharedContext(benchmark::State& state) {
  auto& s = setup();
  SSL_CTX* ctx = s.make_client(false);
  run_handshakes(state, ctx, true);
  SSL_CTX_free(ctx);
}
BENCHMARK(BM_ClientHandshakeSharedContext)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Setting up one device the old way: a TLS context of its own.
void BM_DeviceContextPerDevice(benchmark::State& state) {
  auto& s = setup();
  for (auto _ : state) {
    SSL_CTX* ctx = s.make_client(true);
    benchmark::DoNotOptimize(ctx);
    SSL_CTX_free(ctx);
  }
}
BENCHMARK(BM_DeviceContextPerDevice)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
