#include "broker/net/tls.hpp"

#include <openssl/ssl.h>

#include <cstring>
#include <stdexcept>

namespace trustlane::broker::net {
namespace {

// Identity is decided by the registry after the handshake, not by the chain.
int accept_any_chain(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

int on_servername(SSL* ssl, int* /*alert*/, void* /*arg*/) {
  auto* slot = static_cast<std::string*>(SSL_get_app_data(ssl));
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (slot && name) *slot = name;
  return SSL_TLSEXT_ERR_OK;
}

int select_mqtt_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                     unsigned int inlen, void* /*arg*/) {
  const auto want_len = std::strlen(kMqttAlpn);
  for (unsigned int i = 0; i < inlen;) {
    unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == want_len && std::memcmp(in + i + 1, kMqttAlpn, len) == 0) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;  // no x-amzn-mqtt-ca: not MQTT on this port
}

}  // namespace

void configure_server_context(boost::asio::ssl::context& ctx, const crypto::Key& key, const crypto::Certificate& cert,
                              const crypto::Certificate& root, bool require_alpn) {
  SSL_CTX* c = ctx.native_handle();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate(c, cert.get()) != 1 || SSL_CTX_use_PrivateKey(c, key.get()) != 1 ||
      SSL_CTX_add1_chain_cert(c, root.get()) != 1 || SSL_CTX_check_private_key(c) != 1)
    throw std::runtime_error("broker: cannot load the TLS server certificate");
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_chain);
  SSL_CTX_set_tlsext_servername_callback(c, on_servername);
  // No TLS 1.3 session tickets: devices here do not resume, and OpenSSL 3.0 builds each ticket by
  // duplicating the session through i2d/d2i, re-parsing the client certificate (its public key
  // through the decoder framework) once per ticket: ~30 % of the broker's CPU per connection.
  SSL_CTX_set_num_tickets(c, 0);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);  // nor TLS 1.2 resumption (session IDs,
  SSL_CTX_set_options(c, SSL_OP_NO_TICKET);                // tickets)
  if (require_alpn) SSL_CTX_set_alpn_select_cb(c, select_mqtt_alpn, nullptr);
}

void capture_sni_into(SSL* ssl, std::string* slot) { SSL_set_app_data(ssl, slot); }

}  // namespace trustlane::broker::net
