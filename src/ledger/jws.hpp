// JWS (RFC 7515) flattened JSON serialization with ES256 (RFC 7518 §3.4: raw r‖s, base64url),
// the envelope of every vendor-ledger entry. Sans-I/O: JSON in, JSON out.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/key.hpp"
#include "util/result.hpp"

namespace trustlane::ledger {

// {"protected": b64url(header), "header": unprotected, "payload": b64url(payload), "signature": …}
nlohmann::json jws_sign_es256(const nlohmann::json& protected_header, const nlohmann::json& unprotected_header,
                              const std::string& payload, const crypto::Key& key);

// A flattened JWS taken apart but NOT yet verified: who signed it is decided from the header.
struct ParsedJws {
  nlohmann::json protected_header;  // decoded JSON object (null when not decoded)
  std::string header_json;          // unprotected header as compact JSON ("{}" when there is none)
  std::string payload;              // decoded bytes
  std::string signing_input;        // ASCII(b64url(protected) '.' b64url(payload))
  Bytes signature;                  // raw r‖s (64 bytes for ES256)
  std::string_view protected_b64() const { return std::string_view(signing_input).substr(0, signing_input.find('.')); }
};

// Untrusted input (JSON text): returns a one-line reason instead of throwing. Without
// `decode_protected_header`, the caller decodes protected_b64() itself (a ledger's entries share
// one protected header, so the verifier decodes it once).
Result<ParsedJws, std::string> jws_parse(std::string_view json_text, bool decode_protected_header = true);
// The protected header of a flattened JWS: a JSON object, or a one-line reason.
Result<nlohmann::json, std::string> jws_decode_protected_header(std::string_view protected_b64);
// True when `jws.signature` is a valid ES256 signature of its signing input by `key`.
bool jws_verify_es256(const ParsedJws& jws, const crypto::Key& key);

}  // namespace trustlane::ledger
