#include "loadgen/identities.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "chip/store.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "device/tls_context.hpp"
#include "provider/chip_registry.hpp"
#include "provider/provider.hpp"
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
  return id;
}

void add_chips(Identities& out, const std::vector<std::shared_ptr<chip::Chip>>& chips, std::size_t limit,
               const std::string& root_ca_pem) {
  const std::size_t n = limit ? std::min(limit, chips.size()) : chips.size();
  out.list.reserve(out.list.size() + n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& chip = chips[i];
    auto uri = provider::register_inproc_chip(chip->unique_id(), chip);
    auto loaded = provider::load_key(device::device_lib_context(), uri);
    if (!loaded.certificate) throw std::runtime_error("chip " + to_hex(chip->unique_id()) + " has no certificate");
    Identity id;
    id.tls = own(device::make_tls_context(device::device_lib_context(), *loaded.certificate, loaded.key.get(), root_ca_pem));
    id.name = base64_encode(chip->unique_id());
    id.unique_id_hex = to_hex(chip->unique_id());
    id.certificate_pem = loaded.certificate->pem();
    out.list.push_back(std::move(id));
  }
}

}  // namespace

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
