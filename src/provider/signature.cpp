// ECDSA over SHA-256 with a chip key: OpenSSL (or the caller, for a plain sign) computes the
// digest, the chip signs it with ECDSASign. Verification needs only the public key and runs
// here. One-shot and streaming digest-sign both end in exactly one chip call.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>
#include <string>

#include "provider/chip_key.hpp"
#include "provider/ossl_glue.hpp"

namespace trustlane::provider::detail {
namespace {

constexpr std::size_t kDigestSize = 32;
constexpr std::size_t kMaxSignature = 72;
// AlgorithmIdentifier { ecdsa-with-SHA256 } (RFC 5758: parameters absent).
constexpr std::uint8_t kEcdsaWithSha256[] = {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02};

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

struct SignatureContext {
  const ChipKey* key = nullptr;  // owned by the EVP_PKEY, which outlives the operation
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md;  // streaming digest (digest-sign/verify only)
};

bool is_sha256(const char* name) {
  if (name == nullptr || *name == '\0') return true;  // our default digest
  for (const char* alias : {"SHA256", "SHA2-256", "SHA-256", "sha256", "2.16.840.1.101.3.4.2.1"})
    if (OPENSSL_strcasecmp(name, alias) == 0) return true;
  return false;
}

void* sig_newctx(void*, const char*) { return new (std::nothrow) SignatureContext(); }
void sig_freectx(void* ctx) { delete static_cast<SignatureContext*>(ctx); }

void* sig_dupctx(void* ctx) {
  const auto* from = static_cast<SignatureContext*>(ctx);
  auto copy = std::make_unique<SignatureContext>();
  copy->key = from->key;
  if (from->md) {
    copy->md.reset(EVP_MD_CTX_new());
    if (!copy->md || !EVP_MD_CTX_copy_ex(copy->md.get(), from->md.get())) return nullptr;
  }
  return copy.release();
}

int init(void* ctx, void* provkey, bool for_signing) {
  auto* c = static_cast<SignatureContext*>(ctx);
  const auto* key = static_cast<const ChipKey*>(provkey);
  if (key == nullptr && c->key == nullptr) {
    raise(PROV_R_MISSING_KEY, "no se05x key given");
    return 0;
  }
  if (key != nullptr) c->key = key;
  if (for_signing && !c->key->in_chip()) {
    raise(PROV_R_NOT_A_PRIVATE_KEY, "this se05x key is a public key only (not bound to a chip)");
    return 0;
  }
  c->md.reset();
  return 1;
}

int sig_sign_init(void* ctx, void* provkey, const OSSL_PARAM[]) { return init(ctx, provkey, true); }
int sig_verify_init(void* ctx, void* provkey, const OSSL_PARAM[]) { return init(ctx, provkey, false); }

// Signs a finished digest inside the chip.
int sign_digest(SignatureContext* c, unsigned char* sig, size_t* siglen, size_t sigsize, ByteView digest) {
  if (sig == nullptr) {  // size query
    *siglen = kMaxSignature;
    return 1;
  }
  if (digest.size() != kDigestSize) {
    raise(PROV_R_INVALID_DIGEST_SIZE,
          "se05x keys sign SHA-256 digests (32 bytes), got " + std::to_string(digest.size()) + " bytes");
    return 0;
  }
  return guarded(PROV_R_FAILED_TO_SIGN, 0, [&] {
    auto der = c->key->chip->sign_digest(c->key->object_id, digest);
    if (der.size() > sigsize) {
      raise(PROV_R_FAILED_TO_SIGN, "signature buffer too small");
      return 0;
    }
    std::memcpy(sig, der.data(), der.size());
    *siglen = der.size();
    return 1;
  });
}

int verify_digest(SignatureContext* c, const unsigned char* sig, size_t siglen, ByteView digest) {
  if (digest.size() != kDigestSize || !c->key->public_key) return 0;
  return c->key->public_key->verify_digest(digest, ByteView(sig, siglen)) ? 1 : 0;
}

int sig_sign(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize, const unsigned char* tbs, size_t tbslen) {
  return sign_digest(static_cast<SignatureContext*>(ctx), sig, siglen, sigsize, ByteView(tbs, tbslen));
}

int sig_verify(void* ctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs, size_t tbslen) {
  return verify_digest(static_cast<SignatureContext*>(ctx), sig, siglen, ByteView(tbs, tbslen));
}

int digest_init(void* ctx, const char* mdname, void* provkey, bool for_signing) {
  if (!is_sha256(mdname)) {
    raise(PROV_R_NOT_SUPPORTED, std::string("se05x keys sign with SHA-256 only, not ") + mdname);
    return 0;
  }
  if (!init(ctx, provkey, for_signing)) return 0;
  auto* c = static_cast<SignatureContext*>(ctx);
  c->md.reset(EVP_MD_CTX_new());
  // The digest runs in the default library context: hashing is public work.
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  int ok = c->md && sha256 && EVP_DigestInit_ex2(c->md.get(), sha256, nullptr);
  EVP_MD_free(sha256);
  return ok;
}

int sig_digest_sign_init(void* ctx, const char* mdname, void* provkey, const OSSL_PARAM[]) {
  return digest_init(ctx, mdname, provkey, true);
}
int sig_digest_verify_init(void* ctx, const char* mdname, void* provkey, const OSSL_PARAM[]) {
  return digest_init(ctx, mdname, provkey, false);
}

int sig_digest_update(void* ctx, const unsigned char* data, size_t size) {
  auto* c = static_cast<SignatureContext*>(ctx);
  return c->md && EVP_DigestUpdate(c->md.get(), data, size);
}

bool finish_digest(SignatureContext* c, std::uint8_t (&digest)[EVP_MAX_MD_SIZE], unsigned& size) {
  return c->md && EVP_DigestFinal_ex(c->md.get(), digest, &size);
}

int sig_digest_sign_final(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize) {
  auto* c = static_cast<SignatureContext*>(ctx);
  if (sig == nullptr) return sign_digest(c, sig, siglen, sigsize, {});
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  if (!finish_digest(c, digest, size)) return 0;
  return sign_digest(c, sig, siglen, sigsize, ByteView(digest, size));
}

int sig_digest_verify_final(void* ctx, const unsigned char* sig, size_t siglen) {
  auto* c = static_cast<SignatureContext*>(ctx);
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  if (!finish_digest(c, digest, size)) return 0;
  return verify_digest(c, sig, siglen, ByteView(digest, size));
}

int sig_digest_sign(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize, const unsigned char* tbs,
                    size_t tbslen) {
  if (sig == nullptr) return sign_digest(static_cast<SignatureContext*>(ctx), sig, siglen, sigsize, {});
  return sig_digest_update(ctx, tbs, tbslen) && sig_digest_sign_final(ctx, sig, siglen, sigsize);
}

int sig_digest_verify(void* ctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs, size_t tbslen) {
  return sig_digest_update(ctx, tbs, tbslen) && sig_digest_verify_final(ctx, sig, siglen);
}

int sig_get_ctx_params(void*, OSSL_PARAM params[]) {
  OSSL_PARAM* p;
  if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID)) &&
      !OSSL_PARAM_set_octet_string(p, kEcdsaWithSha256, sizeof kEcdsaWithSha256))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST)) && !OSSL_PARAM_set_utf8_string(p, "SHA256"))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST_SIZE)) && !OSSL_PARAM_set_size_t(p, kDigestSize))
    return 0;
  return 1;
}

const OSSL_PARAM* sig_gettable_ctx_params(void*, void*) {
  static const OSSL_PARAM gettable[] = {
      OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
      OSSL_PARAM_size_t(OSSL_SIGNATURE_PARAM_DIGEST_SIZE, nullptr),
      OSSL_PARAM_END,
  };
  return gettable;
}

// pkeyutl -pkeyopt digest:sha256 and similar: SHA-256 is accepted, anything else refused.
int sig_set_ctx_params(void*, const OSSL_PARAM params[]) {
  if (const auto* p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST)) {
    const char* name = nullptr;
    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name) || !is_sha256(name)) {
      raise(PROV_R_NOT_SUPPORTED, "se05x keys sign with SHA-256 only");
      return 0;
    }
  }
  return 1;
}

const OSSL_PARAM* sig_settable_ctx_params(void*, void*) {
  static const OSSL_PARAM settable[] = {
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
      OSSL_PARAM_END,
  };
  return settable;
}

}  // namespace

const OSSL_DISPATCH kSignatureFunctions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, fn(&sig_newctx)},
    {OSSL_FUNC_SIGNATURE_FREECTX, fn(&sig_freectx)},
    {OSSL_FUNC_SIGNATURE_DUPCTX, fn(&sig_dupctx)},
    {OSSL_FUNC_SIGNATURE_SIGN_INIT, fn(&sig_sign_init)},
    {OSSL_FUNC_SIGNATURE_SIGN, fn(&sig_sign)},
    {OSSL_FUNC_SIGNATURE_VERIFY_INIT, fn(&sig_verify_init)},
    {OSSL_FUNC_SIGNATURE_VERIFY, fn(&sig_verify)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, fn(&sig_digest_sign_init)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, fn(&sig_digest_update)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, fn(&sig_digest_sign_final)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN, fn(&sig_digest_sign)},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, fn(&sig_digest_verify_init)},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, fn(&sig_digest_update)},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, fn(&sig_digest_verify_final)},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY, fn(&sig_digest_verify)},
    {OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, fn(&sig_get_ctx_params)},
    {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, fn(&sig_gettable_ctx_params)},
    {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, fn(&sig_set_ctx_params)},
    {OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, fn(&sig_settable_ctx_params)},
    {0, nullptr},
};

}  // namespace trustlane::provider::detail
