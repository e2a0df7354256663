#include "demo/cloud_calls.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace trustlane::demo {

CloudCalls::CloudCalls(const std::string& api_host, std::uint16_t api_port, const std::string& account) {
  ledger::ApiEndpoint endpoint;
  endpoint.host = api_host;
  endpoint.port = std::to_string(api_port);
  endpoint.access_key = account;  // LocalStack's convention, as the cloud accepts it
  endpoint.secret_key = "demo";
  client_ = ledger::make_http_client(endpoint);
}

std::string CloudCalls::call(const char* operation, const ledger::ApiRequest& request) {
  auto r = client_->send(request);
  if (r.status == 200) return r.body;
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  std::string message = body.is_object() && body.contains("message") && body["message"].is_string()
                            ? body["message"].get<std::string>()
                            : r.body;
  throw std::runtime_error(std::string(operation) + ": " + r.error_type + ": " + message);
}

void CloudCalls::create_policy(const std::string& name, const std::string& document) {
  call("CreatePolicy", {"POST", "/policies/" + ledger::uri_label(name), "",
                        nlohmann::json{{"policyDocument", document}}.dump(), {}});
}

Registered CloudCalls::register_without_ca(const std::string& pem) {
  auto body = nlohmann::json::parse(call("RegisterCertificateWithoutCA",
                                         {"POST", "/certificate/register-no-ca", "",
                                          nlohmann::json{{"certificatePem", pem}, {"status", "ACTIVE"}}.dump(), {}}),
                                    nullptr, false);
  if (!body.is_object() || !body.contains("certificateId") || !body.contains("certificateArn"))
    throw std::runtime_error("RegisterCertificateWithoutCA: answer lacks certificateId/certificateArn");
  return {body["certificateId"].get<std::string>(), body["certificateArn"].get<std::string>()};
}

CreatedKeys CloudCalls::create_keys_and_certificate() {
  auto body = nlohmann::json::parse(
      call("CreateKeysAndCertificate", {"POST", "/keys-and-certificate", "setAsActive=true", "", {}}), nullptr, false);
  bool whole = body.is_object() && body.contains("certificateId") && body.contains("certificateArn") &&
               body.contains("certificatePem") && body.contains("keyPair") && body["keyPair"].is_object() &&
               body["keyPair"].contains("PrivateKey");
  if (!whole) throw std::runtime_error("CreateKeysAndCertificate: answer lacks the certificate or the key pair");
  return {{body["certificateId"].get<std::string>(), body["certificateArn"].get<std::string>()},
          body["certificatePem"].get<std::string>(),
          body["keyPair"]["PrivateKey"].get<std::string>()};
}

std::string CloudCalls::registration_code() {
  auto body = nlohmann::json::parse(call("GetRegistrationCode", {"GET", "/registrationcode", "", "", {}}), nullptr, false);
  if (!body.is_object() || !body.contains("registrationCode") || !body["registrationCode"].is_string())
    throw std::runtime_error("GetRegistrationCode: answer lacks registrationCode");
  return body["registrationCode"].get<std::string>();
}

Registered CloudCalls::register_ca_for_jitr(const std::string& ca_pem, const std::string& verification_pem) {
  auto body = nlohmann::json::parse(
      call("RegisterCACertificate",
           {"POST", "/cacertificate", "allowAutoRegistration=true&setAsActive=true",
            nlohmann::json{{"caCertificate", ca_pem}, {"verificationCertificate", verification_pem}}.dump(), {}}),
      nullptr, false);
  if (!body.is_object() || !body.contains("certificateId") || !body.contains("certificateArn"))
    throw std::runtime_error("RegisterCACertificate: answer lacks certificateId/certificateArn");
  return {body["certificateId"].get<std::string>(), body["certificateArn"].get<std::string>()};
}

void CloudCalls::attach_policy(const std::string& policy, const std::string& target_arn) {
  call("AttachPolicy", {"PUT", "/target-policies/" + ledger::uri_label(policy), "",
                        nlohmann::json{{"target", target_arn}}.dump(), {}});
}

std::string CloudCalls::describe_endpoint() {
  auto body = nlohmann::json::parse(call("DescribeEndpoint", {"GET", "/endpoint", "endpointType=iot%3AData-ATS", "", {}}),
                                    nullptr, false);
  if (!body.is_object() || !body.contains("endpointAddress") || !body["endpointAddress"].is_string())
    throw std::runtime_error("DescribeEndpoint: answer lacks endpointAddress");
  return body["endpointAddress"].get<std::string>();
}

void CloudCalls::update_certificate(const std::string& certificate_id, const std::string& status) {
  call("UpdateCertificate", {"PUT", "/certificates/" + ledger::uri_label(certificate_id), "newStatus=" + status, "", {}});
}

}  // namespace trustlane::demo
