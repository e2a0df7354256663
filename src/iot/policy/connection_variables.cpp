// Connection facts → policy variables (names as in the AWS IoT developer guide).
#include <array>

#include "iot/policy/policy.hpp"

namespace trustlane::iot::policy {
namespace {

struct NameMap {
  std::string_view openssl_short_name;
  std::string_view aws_name;
};
constexpr std::array<NameMap, 14> kDistinguishedNameFields = {{
    {"CN", "CommonName"}, {"O", "Organization"}, {"OU", "OrganizationalUnit"}, {"C", "Country"},
    {"ST", "State"}, {"L", "Locality"}, {"serialNumber", "SerialNumber"}, {"title", "Title"},
    {"SN", "Surname"}, {"GN", "GivenName"}, {"initials", "Initials"}, {"pseudonym", "Pseudonym"},
    {"generationQualifier", "GenerationQualifier"}, {"dnQualifier", "DistinguishedNameQualifier"},
}};
constexpr std::array<NameMap, 5> kAltNameKinds = {{
    {"DNS", "DNSName"}, {"URI", "UniformResourceIdentifier"}, {"IP", "IPAddress"},
    {"email", "RFC822Name"}, {"DirName", "DirectoryName"},
}};

// A field with values v1..vn becomes <name> (all values; substitutes only when n == 1),
// <name>.List (all values, for ForAnyValue/ForAllValues) and <name>.1 … <name>.n.
void add_field(Variables& vars, const std::string& name, const std::string& value) {
  vars.add(name, value);
  vars.add(name + ".List", value);
  vars.set(name + "." + std::to_string(vars.find(name).size()), value);
}

void add_names(Variables& vars, const std::string& prefix,
               const std::vector<std::pair<std::string, std::string>>& dn) {
  for (const auto& [short_name, value] : dn)
    for (const auto& f : kDistinguishedNameFields)
      if (f.openssl_short_name == short_name) add_field(vars, prefix + std::string(f.aws_name), value);
}

void add_alt_names(Variables& vars, const std::string& prefix, const std::vector<std::string>& names) {
  for (const auto& entry : names) {
    std::size_t colon = entry.find(':');
    if (colon == std::string::npos) continue;
    std::string_view kind = std::string_view(entry).substr(0, colon);
    for (const auto& k : kAltNameKinds)
      if (k.openssl_short_name == kind) add_field(vars, prefix + std::string(k.aws_name), entry.substr(colon + 1));
  }
}

}  // namespace

Variables connection_variables(const ConnectionFacts& f) {
  Variables vars;
  if (f.client_id) vars.set("iot:ClientId", *f.client_id);
  if (f.source_ip) vars.set("aws:SourceIp", *f.source_ip);
  add_names(vars, "iot:Certificate.Subject.", f.subject);
  add_names(vars, "iot:Certificate.Issuer.", f.issuer);
  add_alt_names(vars, "iot:Certificate.Subject.AlternativeName.", f.subject_alt_names);
  add_alt_names(vars, "iot:Certificate.Issuer.AlternativeName.", f.issuer_alt_names);
  if (f.serial_number) vars.set("iot:Certificate.SerialNumber", *f.serial_number);
  if (f.certificate_id) vars.set("iot:CertificateId", *f.certificate_id);
  vars.set("iot:Connection.Thing.IsAttached", f.thing ? "true" : "false");
  if (f.thing) {
    vars.set("iot:Connection.Thing.ThingName", f.thing->name);
    if (!f.thing->type_name.empty()) vars.set("iot:Connection.Thing.ThingTypeName", f.thing->type_name);
    for (const auto& [key, value] : f.thing->attributes)
      vars.set("iot:Connection.Thing.Attributes[" + key + "]", value);
  }
  vars.shrink_to_fit();  // held by the connection for its whole life
  return vars;
}

}  // namespace trustlane::iot::policy
