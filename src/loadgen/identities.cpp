#include "loadgen/identities.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "chip/store.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "device/tls_context.hpp"
#include "host/secure_element.hpp"
#include "provider/chip_registry.hpp"
#include "provider/provider.hpp"
#include "se05x/constants.hpp"
#include "util/bytes.hpp"

namespace trustlane::loadgen {

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::shared_ptr<SSL_CTX> own(SSL_CTX* ctx) { return {ctx, SSL_CTX_free}; }

Identity from_files(const std::filesystem::path& cert_path, const std::filesystem::path& key_path,
                    const std::string& root_ca_pem) {
  auto cert_pem = read_text(cert_path);
  auto cert = crypto::Certificate::from_pem(cert_pem);
  if (!cert) throw std::runtime_error(cert_path.string() + " holds no PEM certificate");
  auto key = crypto::Key::from_pem(read_text(key_path));
  if (!key) throw std::runtime_error(key_path.string() + " holds no PEM private key");
  Identity id;
  id.tls = own(device::make_tls_context(nullptr, *cert, key->get(), root_ca_pem));
  id.name = cert_path.stem().string();
  id.certificate_pem = cert->pem();
  id.certificate_id = cert->sha256_hex();
  return id;
}

// One chip's identity: its key by reference through the provider, and its certificate read
// from 0xF0000101 as a host reads it. Each certificate is parsed once: with OpenSSL 3.0 a parse
// (its public-key decoder lookup) costs more CPU than the chip's ECDSA signature.
Identity chip_identity(const std::shared_ptr<chip::Chip>& chip) {
  auto uri = provider::register_inproc_chip(chip->unique_id(), chip);
  auto loaded = provider::load_key(device::device_lib_context(), uri, false);
  auto certificate = [&] {
    try {
      host::SecureElement se(*chip);
      se.select();
      return se.read_certificate(se05x::object::kCloudCert0);
    } catch (const std::exception& e) {
      throw std::runtime_error("chip " + to_hex(chip->unique_id()) + " has no usable certificate: " + e.what());
    }
  }();
  Identity id;
  id.name = base64_encode(chip->unique_id());
  id.unique_id_hex = to_hex(chip->unique_id());
  id.certificate_pem = certificate.pem();
  id.certificate_id = certificate.sha256_hex();
  X509_up_ref(certificate.get());
  id.certificate.reset(certificate.get(), X509_free);
  id.key.reset(loaded.key.release(), EVP_PKEY_free);
  return id;
}

void add_chips(Identities& out, const std::vector<std::shared_ptr<chip::Chip>>& chips, std::size_t limit,
               const std::string& root_ca_pem) {
  const std::size_t n = limit ? std::min(limit, chips.size()) : chips.size();
  if (n == 0) return;
  // Loading a key through OSSL_STORE is a few hundred µs of CPU (certificate decoding): all cores.
  std::vector<Identity> made(n);
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (std::size_t i = next++; i < n; i = next++) made[i] = chip_identity(chips[i]);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = n;
    }
  };
  std::vector<std::thread> workers;
  const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  for (std::size_t t = 1; t < std::min(threads, n); ++t) workers.emplace_back(work);
  work();
  for (auto& t : workers) t.join();
  if (error) std::rethrow_exception(error);
  // One context for every chip; its default identity (chip 0) is replaced on each connection.
  X509_up_ref(made[0].certificate.get());
  auto first = crypto::Certificate::adopt(made[0].certificate.get());
  auto shared = own(device::make_tls_context(device::device_lib_context(), first, made[0].key.get(), root_ca_pem));
  out.list.reserve(out.list.size() + n);
  for (auto& id : made) {
    id.tls = shared;
    out.list.push_back(std::move(id));
  }
}

}  // namespace

void apply_identity(SSL* ssl, const Identity& id) {
  if (!id.certificate || !id.key) return;
  if (SSL_use_certificate(ssl, id.certificate.get()) != 1 || SSL_use_PrivateKey(ssl, id.key.get()) != 1)
    throw std::runtime_error("the TLS library refused the identity of " + id.name);
}

Identities load_identities(const IdentitySource& s) {
  Identities out;
  const int sources = !s.cert_file.empty() + !s.cert_dir.empty() + !s.store_dir.empty() + (s.inproc_chips > 0);
  if (sources != 1) throw std::runtime_error("give exactly one of --cert/--key, --cert-dir, --store, --chips");
  if (!s.cert_file.empty()) {
    if (s.key_file.empty()) throw std::runtime_error("--cert needs --key");
    out.list.push_back(from_files(s.cert_file, s.key_file, s.root_ca_pem));
  } else if (!s.cert_dir.empty()) {
    std::vector<std::filesystem::path> certs;
    for (const auto& e : std::filesystem::directory_iterator(s.cert_dir))
      if (e.path().extension() == ".pem" && std::filesystem::exists(std::filesystem::path(e.path()).replace_extension(".key")))
        certs.push_back(e.path());
    std::sort(certs.begin(), certs.end());
    if (s.limit && certs.size() > s.limit) certs.resize(s.limit);
    if (certs.empty()) throw std::runtime_error("no NAME.pem + NAME.key pairs in " + s.cert_dir);
    for (const auto& c : certs) out.list.push_back(from_files(c, std::filesystem::path(c).replace_extension(".key"), s.root_ca_pem));
  } else if (!s.store_dir.empty()) {
    out.store = chip::Store::open(s.store_dir);
    out.vendor_ca_pem = out.store->vendor_ca().pem();
    add_chips(out, out.store->chips(), s.limit, s.root_ca_pem);
    if (out.list.empty()) throw std::runtime_error("store " + s.store_dir + " holds no chips");
  } else {
    out.store = chip::Store::in_memory();
    out.vendor_ca_pem = out.store->vendor_ca().pem();
    add_chips(out, out.store->mint(s.inproc_chips), 0, s.root_ca_pem);
  }
  return out;
}

}  // namespace trustlane::loadgen
