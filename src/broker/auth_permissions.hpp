// What a connection may do: the policies attached to its certificate, parsed once, plus the
// policy variables known at CONNECT; checked on every CONNECT, PUBLISH, SUBSCRIBE, delivery and
// retained publish (iot:Connect/Publish/Subscribe/Receive/RetainPublish). Reloaded when the
// registry says the certificate's policies changed. Not thread-safe: owned by one connection.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/x509.hpp"
#include "iot/policy/policy.hpp"
#include "iot/registry.hpp"

namespace trustlane::broker {

enum class Action { connect, publish, subscribe, receive, retain_publish };
std::string_view action_name(Action a);  // "iot:Connect", …

// arn:aws:iot:<region>:<account>:client/<id> | topic/<t> | topicfilter/<f>
std::string resource_arn(const iot::Scope& scope, Action action, std::string_view name);

// Policy variables of a connection (client ID, certificate fields, thing when the certificate is
// attached to a thing named like the client ID, source IP).
iot::policy::Variables connection_variables(iot::Registry& registry, const iot::Scope& scope,
                                            const crypto::Certificate& cert, const std::string& certificate_id,
                                            const std::string& client_id, const std::string& source_ip);

class Permissions {
 public:
  explicit Permissions(iot::Scope scope) : scope_(std::move(scope)) {}
  Permissions(const Permissions&) = delete;  // pointers_ points into documents_
  Permissions& operator=(const Permissions&) = delete;

  // (Re)reads the certificate's attached policies; unparsable documents are skipped (logged).
  void load(iot::Registry& registry, std::string_view certificate_id);
  void set_documents(std::vector<iot::policy::Document> docs);

  // Moves whenever the documents change (load, set_documents): cached decisions are stale.
  std::uint64_t generation() const { return generation_; }

  // One check with the connection's variables (the CONNECT check before the core takes over;
  // the connection keeps the only copy of its variables, in its reused Request).
  iot::policy::Decision check(Action action, std::string_view name, const iot::policy::Variables& variables) const;
  // For the core's Authorizer: evaluates a request built by the core (its own variables).
  iot::policy::Decision evaluate(const iot::policy::Request& request) const;

 private:
  iot::Scope scope_;
  std::vector<iot::policy::Document> documents_;
  std::vector<const iot::policy::Document*> pointers_;
  std::uint64_t generation_ = 0;  // into documents_, what evaluate() takes (kept, not rebuilt per check)
};

// Decimal rendering of a big-endian serial number, as AWS shows iot:Certificate.SerialNumber.
std::string serial_decimal(ByteView big_endian);

}  // namespace trustlane::broker
