// Who is connecting: the TLS client certificate and SNI host name mapped onto an (account,
// region) and a registered, ACTIVE certificate — AWS IoT's Multi-Account Registration rules:
// - SNI naming an endpoint host of ours → that account only (SNI_ONLY and DEFAULT certificates);
// - no SNI (or a host outside our domain) → DEFAULT-mode certificates only, any account;
// - an expired or not yet valid certificate never connects (AWS: "a valid and active certificate");
// - an unknown certificate issued by a registered CA with auto-registration → JITR: stored as
//   PENDING_ACTIVATION (the registry publishes the event), and the connection is refused.
// Synchronous registry lookups only; no I/O of its own.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/x509.hpp"
#include "iot/registry.hpp"

namespace trustlane::broker {

enum class Refusal {
  no_certificate,
  certificate_expired,    // outside its notBefore..notAfter window
  unknown_endpoint,       // SNI under our domain names no account
  unknown_certificate,    // not registered in the account (or not DEFAULT when found without SNI)
  certificate_not_active,
  ca_not_active,
  jitr_registered,        // auto-registered now: PENDING_ACTIVATION
  client_id_invalid,
  not_authorized,         // iot:Connect denied
  connect_throttled,          // > 1 CONNECT/s for the client ID
  account_connect_throttled,  // the account's CONNECT/s quota
  account_connection_quota,   // the account's concurrent connection quota
  protocol_error,
  server_busy,
};
std::string_view to_string(Refusal r);

struct Identity {
  iot::Scope scope;
  iot::CertificateInfo certificate;
  std::optional<std::string> sni;
};

struct IdentifyInput {
  std::optional<std::string> sni;             // as the client sent it
  std::optional<crypto::Certificate> peer;    // the TLS client certificate
  std::string domain;                         // our endpoint domain
  std::vector<std::string> regions;           // searched for DEFAULT-mode certificates without SNI
  std::int64_t now = 0;                       // epoch seconds, for the validity window
};

struct Refused {
  Refusal reason;
  std::string detail;  // for the log line (ids, host names; never secrets)
};

using IdentifyOutcome = std::variant<Identity, Refused>;

IdentifyOutcome identify(iot::Registry& registry, const IdentifyInput& input);

}  // namespace trustlane::broker
