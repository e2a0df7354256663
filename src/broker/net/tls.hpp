// TLS server contexts of the broker (OpenSSL 3 through asio::ssl): TLS 1.2 and 1.3, P-256
// server certificate from the cloud root CA, client certificate required but accepted whatever
// its chain (the broker checks it against the registry: SNI_ONLY certificates chain to nothing
// we know), SNI captured per connection, ALPN x-amzn-mqtt-ca required on the 443-style listener.
#pragma once
#include <boost/asio/ssl/context.hpp>
#include <string>

#include "crypto/key.hpp"
#include "crypto/x509.hpp"

namespace trustlane::broker::net {

inline constexpr const char* kMqttAlpn = "x-amzn-mqtt-ca";

void configure_server_context(boost::asio::ssl::context& ctx, const crypto::Key& key,
                              const crypto::Certificate& cert, const crypto::Certificate& root, bool require_alpn);

// Before the handshake: where the servername callback stores the SNI host name of `ssl`.
void capture_sni_into(SSL* ssl, std::string* slot);

}  // namespace trustlane::broker::net
