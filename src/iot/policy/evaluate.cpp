// Policy evaluation: default deny, an explicit Allow grants, an explicit Deny anywhere wins.
#include <sstream>

#include "iot/policy/condition_operators.hpp"
#include "iot/policy/policy.hpp"

namespace trustlane::iot::policy {
namespace {

bool action_applies(const Statement& s, std::string_view action) {
  bool any = false;
  for (const auto& a : s.actions) any = any || wildcard_match(a.pattern, action, /*ignore_case=*/true);
  return s.not_action ? !any : any;
}

// `topic_filter`: the request's resource is a topicfilter ARN (worked out once per request).
bool resource_applies(const Statement& s, const Request& r, bool topic_filter) {
  const bool deny = s.effect == Effect::deny;
  bool any = false;
  Pattern pattern;
  for (const auto& res : s.resources) {
    switch (substitute_resource(res.pattern, r.variables, topic_filter, pattern)) {
      case Substitution::resolved:
        any = any || wildcard_match(pattern, r.resource, /*ignore_case=*/false);
        continue;
      case Substitution::unresolvable:
        // An unresolvable variable never widens anything: under NotResource the statement
        // cannot tell what it excludes, so it does not apply at all.
        if (s.not_resource) return false;
        continue;
      case Substitution::mqtt_wildcard:
        // Never in the requester's favour: an Allow entry does not match; a Deny entry does,
        // and a Deny's NotResource exception does not hold.
        if (deny && !s.not_resource) return true;
        if (!deny && s.not_resource) return false;
        continue;
    }
  }
  return s.not_resource ? !any : any;
}

bool statement_applies(const Statement& s, const Request& r, bool topic_filter) {
  if (!action_applies(s, r.action) || !resource_applies(s, r, topic_filter)) return false;
  for (const auto& c : s.conditions)
    if (!condition_holds(c, r.variables)) return false;
  return true;
}

}  // namespace

Decision evaluate(const std::vector<const Document*>& policies, const Request& request) {
  Decision result;
  const bool topic_filter = is_topic_filter_arn(request.resource);
  for (std::size_t p = 0; p < policies.size(); ++p) {
    if (policies[p] == nullptr) continue;
    const auto& statements = policies[p]->statements;
    for (std::size_t i = 0; i < statements.size(); ++i) {
      const Statement& s = statements[i];
      if (!statement_applies(s, request, topic_filter)) continue;
      switch (s.effect) {
        case Effect::deny:
          return {Decision::Reason::explicit_deny, p, i, s.sid};
        case Effect::allow:
          if (result.reason == Decision::Reason::default_deny) result = {Decision::Reason::explicit_allow, p, i, s.sid};
          break;
      }
    }
  }
  return result;
}

std::string Decision::why() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Decision& d) {
  switch (d.reason) {
    case Decision::Reason::default_deny: return os << "default deny (no statement allows)";
    case Decision::Reason::explicit_allow: os << "allowed by "; break;
    case Decision::Reason::explicit_deny: os << "explicit deny by "; break;
  }
  os << "policy[" << d.policy_index << "].Statement[" << d.statement_index << "]";
  if (!d.sid.empty()) os << " (Sid " << d.sid << ")";
  return os;
}

}  // namespace trustlane::iot::policy
