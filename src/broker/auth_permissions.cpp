#include "broker/auth_permissions.hpp"

#include <spdlog/spdlog.h>

namespace trustlane::broker {

std::string_view action_name(Action a) {
  switch (a) {
    case Action::connect: return "iot:Connect";
    case Action::publish: return "iot:Publish";
    case Action::subscribe: return "iot:Subscribe";
    case Action::receive: return "iot:Receive";
    case Action::retain_publish: return "iot:RetainPublish";
  }
  return "iot:Unknown";
}

std::string resource_arn(const iot::Scope& scope, Action action, std::string_view name) {
  std::string_view kind = "topic/";
  switch (action) {
    case Action::connect: kind = "client/"; break;
    case Action::subscribe: kind = "topicfilter/"; break;
    case Action::publish:
    case Action::receive:
    case Action::retain_publish: break;
  }
  std::string arn = "arn:aws:iot:" + scope.region + ":" + scope.account + ":";
  arn += kind;
  arn += name;
  return arn;
}

std::string serial_decimal(ByteView be) {
  // Repeated division by 10 of the big-endian magnitude: serials are ≤ 20 bytes.
  std::vector<std::uint8_t> n(be.begin(), be.end());
  std::string digits;
  auto is_zero = [&] {
    for (auto b : n)
      if (b) return false;
    return true;
  };
  if (is_zero()) return "0";
  while (!is_zero()) {
    unsigned rem = 0;
    for (auto& b : n) {
      unsigned cur = rem * 256 + b;
      b = static_cast<std::uint8_t>(cur / 10);
      rem = cur % 10;
    }
    digits.push_back(static_cast<char>('0' + rem));
  }
  return {digits.rbegin(), digits.rend()};
}

iot::policy::Variables connection_variables(iot::Registry& registry, const iot::Scope& scope,
                                            const crypto::Certificate& cert, const std::string& certificate_id,
                                            const std::string& client_id, const std::string& source_ip) {
  iot::policy::ConnectionFacts facts;
  facts.client_id = client_id;
  if (!source_ip.empty()) facts.source_ip = source_ip;
  facts.subject = cert.subject();
  facts.issuer = cert.issuer();
  facts.subject_alt_names = cert.subject_alt_names();
  facts.serial_number = serial_decimal(cert.serial());
  facts.certificate_id = certificate_id;
  // Thing variables only when the certificate is attached to the thing named like the client.
  for (auto& thing : registry.things_for_certificate(scope, certificate_id)) {
    if (thing.name != client_id) continue;
    iot::policy::ThingFacts t{thing.name, thing.type_name, {}};
    for (auto& [k, v] : thing.attributes) t.attributes.emplace_back(k, v);
    facts.thing = std::move(t);
  }
  return iot::policy::connection_variables(facts);
}

void Permissions::load(iot::Registry& registry, std::string_view certificate_id) {
  std::vector<iot::policy::Document> docs;
  for (const auto& attached : registry.policies_for_certificate(scope_, certificate_id)) {
    auto doc = iot::policy::parse(attached.document);
    if (!doc) {
      spdlog::warn("broker: policy {} of certificate {} does not parse: {}", attached.name, certificate_id, doc.error());
      continue;
    }
    docs.push_back(std::move(doc.value()));
  }
  set_documents(std::move(docs));
}

void Permissions::set_documents(std::vector<iot::policy::Document> docs) {
  documents_ = std::move(docs);
  ++generation_;
  pointers_.clear();
  for (const auto& d : documents_) pointers_.push_back(&d);
}

iot::policy::Decision Permissions::evaluate(const iot::policy::Request& request) const {
  return iot::policy::evaluate(pointers_, request);
}

iot::policy::Decision Permissions::check(Action action, std::string_view name,
                                         const iot::policy::Variables& variables) const {
  return evaluate({std::string(action_name(action)), resource_arn(scope_, action, name), variables});
}

}  // namespace trustlane::broker
