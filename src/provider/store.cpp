// OSSL_STORE loader for the se05x schemes. Opening a URI talks to the chip at once (so a bad
// address or object fails at open with a clear reason): a key pair yields the key (by reference,
// no key material is copied) followed by its paired certificate (the next object id, when it
// holds one); a binary object yields the certificate stored in it. The paired certificate is
// read when it is asked for, not at open: a caller expecting only the key (OSSL_STORE_expect)
// skips the read and OpenSSL's decoding of it, the dearest part of a load.
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/store.h>

#include <memory>
#include <optional>
#include <string>

#include "provider/chip_key.hpp"
#include "provider/ossl_glue.hpp"

namespace trustlane::provider::detail {
namespace {

struct StoreContext {
  std::unique_ptr<ChipKey> key;
  std::optional<std::uint32_t> paired_certificate;  // key pair: its certificate's object, unread
  std::optional<Bytes> certificate_der;
  int expect = 0;  // OSSL_STORE_INFO_* or 0 for anything
  bool key_done = false;
  bool cert_done = false;
  bool failed = false;  // reading the paired certificate failed: not at the end, in error
};

void* store_open(void*, const char* uri) {
  return guarded(PROV_R_INVALID_KEY, static_cast<void*>(nullptr), [&]() -> void* {
    auto parsed = parse_key_uri(uri);
    if (!parsed) {
      raise(PROV_R_INVALID_DATA, parsed.error());
      return nullptr;
    }
    auto chip = ChipHandle::for_uri(*parsed);
    auto ctx = std::make_unique<StoreContext>();
    const auto id = parsed->object_id;
    auto kind = chip->object_kind(id);
    if (kind == "ec-key-pair") {
      ctx->key = ChipKey::load(chip, id);
      // The paired certificate sits in the next object (0xF0000101 next to 0xF0000100).
      if (chip->object_kind(id + 1) == "binary") ctx->paired_certificate = id + 1;
    } else if (kind == "binary") {
      ctx->certificate_der = chip->certificate_der(id);
    } else if (kind.empty()) {
      raise(PROV_R_INVALID_KEY, "no object " + object_id_text(id) + " on chip " + chip->name());
      return nullptr;
    } else {
      raise(PROV_R_INVALID_KEY, "object " + object_id_text(id) + " on chip " + chip->name() + " is a " + kind +
                                    ", not a key pair or a certificate");
      return nullptr;
    }
    return ctx.release();
  });
}

const OSSL_PARAM* store_settable_ctx_params(void*) {
  static const OSSL_PARAM settable[] = {
      OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, nullptr),
      OSSL_PARAM_END,
  };
  return settable;
}

int store_set_ctx_params(void* ctx, const OSSL_PARAM params[]) {
  auto* c = static_cast<StoreContext*>(ctx);
  if (const auto* p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT))
    if (!OSSL_PARAM_get_int(p, &c->expect)) return 0;
  return 1;
}

bool wants_key(int expect) {
  return expect == 0 || expect == OSSL_STORE_INFO_PKEY || expect == OSSL_STORE_INFO_PUBKEY;
}
bool wants_cert(int expect) { return expect == 0 || expect == OSSL_STORE_INFO_CERT; }

int store_load(void* ctx, OSSL_CALLBACK* object_cb, void* object_cbarg, OSSL_PASSPHRASE_CALLBACK*, void*) {
  auto* c = static_cast<StoreContext*>(ctx);
  if (!c->key_done) {
    c->key_done = true;
    if (c->key && wants_key(c->expect)) {
      int type = OSSL_OBJECT_PKEY;
      ChipKey* reference = c->key.get();
      OSSL_PARAM params[] = {
          OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type),
          OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, const_cast<char*>(kKeyTypeName), 0),
          OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &reference, sizeof reference),
          OSSL_PARAM_construct_end(),
      };
      return object_cb(params, object_cbarg);
    }
  }
  if (!c->cert_done) {
    c->cert_done = true;
    if (c->paired_certificate && wants_cert(c->expect)) {
      const bool read = guarded(PROV_R_INVALID_KEY, false, [&] {
        c->certificate_der = c->key->chip->certificate_der(*c->paired_certificate);
        return true;
      });
      if (!read) {
        c->failed = true;  // eof stays false, so OSSL_STORE_load reports an error, not the end
        return 0;
      }
    }
    if (c->certificate_der && wants_cert(c->expect)) {
      int type = OSSL_OBJECT_CERT;
      OSSL_PARAM params[] = {
          OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type),
          OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA, c->certificate_der->data(),
                                            c->certificate_der->size()),
          OSSL_PARAM_construct_end(),
      };
      return object_cb(params, object_cbarg);
    }
  }
  return 0;
}

int store_eof(void* ctx) {
  auto* c = static_cast<StoreContext*>(ctx);
  if (c->failed) return 0;
  const bool key_left = !c->key_done && c->key && wants_key(c->expect);
  const bool cert_left = !c->cert_done && (c->certificate_der || c->paired_certificate) && wants_cert(c->expect);
  return key_left || cert_left ? 0 : 1;
}

int store_close(void* ctx) {
  delete static_cast<StoreContext*>(ctx);
  return 1;
}

}  // namespace

const OSSL_DISPATCH kStoreFunctions[] = {
    {OSSL_FUNC_STORE_OPEN, fn(&store_open)},
    {OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, fn(&store_settable_ctx_params)},
    {OSSL_FUNC_STORE_SET_CTX_PARAMS, fn(&store_set_ctx_params)},
    {OSSL_FUNC_STORE_LOAD, fn(&store_load)},
    {OSSL_FUNC_STORE_EOF, fn(&store_eof)},
    {OSSL_FUNC_STORE_CLOSE, fn(&store_close)},
    {0, nullptr},
};

}  // namespace trustlane::provider::detail
