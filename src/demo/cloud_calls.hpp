// The control-plane calls the demo makes, typed, over the ledger's signed HTTP client.
#pragma once
#include <string>

#include "ledger/api_client.hpp"

namespace trustlane::demo {

struct Registered {
  std::string certificate_id;
  std::string certificate_arn;
};

struct CreatedKeys {
  Registered certificate;
  std::string certificate_pem, private_key_pem;
};

class CloudCalls {
 public:
  CloudCalls(const std::string& api_host, std::uint16_t api_port, const std::string& account);
  // Each throws std::runtime_error "<Operation>: <ErrorType>: <message>" when the cloud refuses.
  void create_policy(const std::string& name, const std::string& document);
  Registered register_without_ca(const std::string& pem);
  void attach_policy(const std::string& policy, const std::string& target_arn);
  CreatedKeys create_keys_and_certificate();  // ACTIVE
  std::string describe_endpoint();
  std::string registration_code();
  // SNI_ONLY off (DEFAULT mode), ACTIVE, allowAutoRegistration: the JITR setup.
  Registered register_ca_for_jitr(const std::string& ca_pem, const std::string& verification_pem);  // iot:Data-ATS
  void update_certificate(const std::string& certificate_id, const std::string& status);

 private:
  std::string call(const char* operation, const ledger::ApiRequest& request);
  std::unique_ptr<ledger::ApiClient> client_;
};

}  // namespace trustlane::demo
