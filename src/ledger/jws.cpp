#include "ledger/jws.hpp"

#include "ledger/jws_element.hpp"

#include <algorithm>
#include <vector>

#include "crypto/error.hpp"

namespace trustlane::ledger {

nlohmann::json jws_sign_es256(const nlohmann::json& protected_header, const nlohmann::json& unprotected_header,
                              const std::string& payload, const crypto::Key& key) {
  std::string protected_b64 = base64url_encode(as_bytes(protected_header.dump()));
  std::string payload_b64 = base64url_encode(as_bytes(payload));
  std::string input = protected_b64 + "." + payload_b64;
  auto raw = crypto::ecdsa_der_to_raw(key.sign_sha256(as_bytes(input)), crypto::field_size(key.curve()));
  if (!raw) throw crypto::CryptoError("ES256: signature does not convert to r||s");
  nlohmann::json out = {{"protected", protected_b64}, {"payload", payload_b64}, {"signature", base64url_encode(*raw)}};
  if (!unprotected_header.is_null() && !unprotected_header.empty()) out["header"] = unprotected_header;
  return out;
}

Result<nlohmann::json, std::string> jws_decode_protected_header(std::string_view protected_b64) {
  auto header_bytes = base64url_decode(protected_b64);
  if (!header_bytes) return fail(std::string("protected header is not base64url"));
  auto header = nlohmann::json::parse(header_bytes->begin(), header_bytes->end(), nullptr, false);
  if (!header.is_object()) return fail(std::string("protected header is not a JSON object"));
  return header;
}

std::optional<std::string_view> duplicate_member(simdjson::dom::object object) {
  std::vector<std::string_view> names;
  for (auto field : object) names.push_back(field.key);
  std::sort(names.begin(), names.end());
  auto twice = std::adjacent_find(names.begin(), names.end());
  return twice == names.end() ? std::nullopt : std::optional(*twice);
}

Result<ParsedJws, std::string> jws_from_element(simdjson::dom::element jws, bool decode_protected_header) {
  simdjson::dom::object object;
  if (jws.get(object)) return fail(std::string("entry is not a JSON object"));
  if (auto name = duplicate_member(object)) return fail("duplicate member \"" + std::string(*name) + "\"");
  std::string_view protected_b64, payload_b64, signature_b64;
  if (object["protected"].get(protected_b64) || object["payload"].get(payload_b64) ||
      object["signature"].get(signature_b64))
    return fail(std::string("not a flattened JWS (protected, payload and signature strings required)"));
  ParsedJws out;
  if (decode_protected_header) {
    auto header = jws_decode_protected_header(protected_b64);
    if (!header) return fail(header.error());
    out.protected_header = std::move(header.value());
  }
  auto payload = base64url_decode(payload_b64);
  if (!payload) return fail(std::string("payload is not base64url"));
  out.payload = to_string(*payload);
  auto signature = base64url_decode(signature_b64);
  if (!signature) return fail(std::string("signature is not base64url"));
  out.signature = std::move(*signature);
  if (simdjson::dom::element header; !object["header"].get(header)) {
    if (!header.is_object()) return fail(std::string("unprotected header is not a JSON object"));
    if (auto name = duplicate_member(header.get_object().value_unsafe()))
      return fail("duplicate member \"" + std::string(*name) + "\" in the header");
    out.header_json = simdjson::minify(header);
  } else {
    out.header_json = "{}";
  }
  out.signing_input.reserve(protected_b64.size() + 1 + payload_b64.size());
  out.signing_input.append(protected_b64).append(".").append(payload_b64);
  return out;
}

Result<ParsedJws, std::string> jws_parse(std::string_view json_text, bool decode_protected_header) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json_text.data(), json_text.size()).get(root))
    return fail("not JSON: " + std::string(simdjson::error_message(error)));
  return jws_from_element(root, decode_protected_header);
}

bool jws_verify_es256(const ParsedJws& jws, const crypto::Key& key) {
  if (key.curve() != crypto::Curve::P256 || jws.signature.size() != 64) return false;
  auto der = crypto::ecdsa_raw_to_der(jws.signature);
  return der && key.verify_sha256(as_bytes(jws.signing_input), *der);
}

}  // namespace trustlane::ledger
