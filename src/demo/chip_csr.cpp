#include "demo/chip_csr.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

#include "device/tls_context.hpp"
#include "provider/provider.hpp"
#include "provider/uri.hpp"

namespace trustlane::demo {

crypto::CertificateRequest chip_signed_csr(const std::string& chip_address, std::uint32_t key_id,
                                           const crypto::DistinguishedName& subject) {
  OSSL_LIB_CTX* libctx = device::device_lib_context();
  auto loaded = provider::load_key(libctx, "se05x://" + chip_address + "/" + provider::object_id_text(key_id));
  if (!loaded.key) throw std::runtime_error("chip " + chip_address + " has no usable key");
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(X509_REQ_new_ex(libctx, nullptr), X509_REQ_free);
  std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)> name(X509_NAME_new(), X509_NAME_free);
  bool ok = req && name && X509_REQ_set_version(req.get(), 0) == 1;
  for (const auto& [field, value] : subject)
    ok = ok && X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) == 1;
  ok = ok && X509_REQ_set_subject_name(req.get(), name.get()) == 1 && X509_REQ_set_pubkey(req.get(), loaded.key.get()) == 1;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  ok = ok && md && EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", libctx, nullptr, loaded.key.get(), nullptr) == 1;
  ok = ok && X509_REQ_sign_ctx(req.get(), md.get()) > 0;
  if (!ok) throw std::runtime_error("cannot build a chip-signed CSR for " + chip_address);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) throw std::runtime_error("cannot encode the CSR");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  auto parsed = crypto::CertificateRequest::from_pem(std::string(data, static_cast<std::size_t>(n)));
  if (!parsed || !parsed->signature_valid()) throw std::runtime_error("the chip-signed CSR does not verify");
  return *parsed;
}

}  // namespace trustlane::demo
