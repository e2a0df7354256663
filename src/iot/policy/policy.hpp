// AWS IoT policy language: parse a policy document (with AWS's validation and error messages)
// and evaluate a set of policies against one request. Pure code: no I/O, no clock, no globals.
//
// What a broker calls, per checked operation (see docs/compatibility.md for the table):
//   Request r{"iot:Publish", "arn:aws:iot:<region>:<account>:topic/<topic>", vars};
//   Decision d = evaluate(attached_policies, r);   // d.allowed; d.why() for the log line
// `vars` comes from connection_variables() (identity facts known at CONNECT).
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "iot/policy/variables.hpp"
#include "util/result.hpp"

namespace trustlane::iot::policy {

enum class Effect { allow, deny };

// One piece of an Action/Resource/condition pattern, compiled at parse time so that escapes
// ($(*), $(?), $($)) and substituted variable values are literal and can never act as wildcards.
struct Piece {
  enum class Kind { literal, any_run, any_char, variable };
  Kind kind;
  std::string text;  // literal text, or the variable name without ${ } (e.g. "iot:ClientId")
};
using Pattern = std::vector<Piece>;

struct PatternText {
  std::string source;  // as written in the document
  Pattern pattern;
};

// Condition block entry: "<Qualifier:>Operator<IfExists>": { "key": ["v1", "v2"] }.
enum class SetQualifier { none, for_any_value, for_all_values };
enum class ConditionOperator {
  string_equals, string_not_equals, string_equals_ignore_case, string_not_equals_ignore_case,
  string_like, string_not_like,
  arn_equals, arn_not_equals, arn_like, arn_not_like,
  numeric_equals, numeric_not_equals, numeric_less_than, numeric_less_than_equals,
  numeric_greater_than, numeric_greater_than_equals,
  boolean, ip_address, not_ip_address, null_check,
};
struct Condition {
  std::string operator_text;  // as written, for logs
  ConditionOperator op;
  SetQualifier qualifier = SetQualifier::none;
  bool if_exists = false;
  std::string key;                    // e.g. "aws:SourceIp", "iot:Connection.Thing.IsAttached"
  std::vector<PatternText> values;    // variables allowed in values
};

struct Statement {
  std::string sid;                    // optional "Sid"
  Effect effect = Effect::deny;
  bool not_action = false;            // true when written as NotAction
  std::vector<PatternText> actions;
  bool not_resource = false;          // true when written as NotResource
  std::vector<PatternText> resources;
  std::vector<Condition> conditions;  // all must hold (AND)
};

struct Document {
  std::string version;                // "2012-10-17" or "2008-10-17" (no variables in 2008)
  std::vector<Statement> statements;
};

// Maximum document size: AWS counts characters excluding whitespace.
inline constexpr std::size_t kMaxPolicyCharacters = 2048;

// Parses and validates a policy document. Errors are MalformedPolicyException messages, naming
// the offending field with 0-based statement indexes, e.g. "Statement[1].Effect must be Allow or Deny".
Result<Document, std::string> parse(std::string_view json);


struct Request {
  std::string action;      // e.g. "iot:Publish" (matched case-insensitively)
  std::string resource;    // e.g. "arn:aws:iot:us-east-1:123456789012:topic/a/b"
  Variables variables;
};

struct Decision {
  enum class Reason { default_deny, explicit_allow, explicit_deny };
  Reason reason = Reason::default_deny;
  std::size_t policy_index = 0;     // into the policies passed to evaluate (when not default)
  std::size_t statement_index = 0;  // into that document's statements
  std::string sid;
  bool allowed() const { return reason == Reason::explicit_allow; }
  std::string why() const;          // "explicit deny by policy[0].Statement[2] (Sid …)"
};
std::ostream& operator<<(std::ostream& os, const Decision& d);

// Default deny; any matching Allow grants; any matching Deny, in any policy, wins.
Decision evaluate(const std::vector<const Document*>& policies, const Request& request);

// Identity facts the broker learns at CONNECT, turned into policy variables.
struct ThingFacts {
  std::string name;
  std::string type_name;                               // empty: none
  std::vector<std::pair<std::string, std::string>> attributes;
};
struct ConnectionFacts {
  std::optional<std::string> client_id;
  std::optional<std::string> source_ip;
  // Short-name pairs as crypto::Certificate::subject()/issuer() return them ({"CN","dev1"}, …).
  std::vector<std::pair<std::string, std::string>> subject;
  std::vector<std::pair<std::string, std::string>> issuer;
  std::vector<std::string> subject_alt_names;          // "DNS:…", "URI:…", "IP:…", "email:…"
  std::vector<std::string> issuer_alt_names;
  std::optional<std::string> serial_number;            // as AWS prints it (decimal)
  std::optional<std::string> certificate_id;
  // Thing variables resolve only when the certificate is attached to this thing and the
  // client ID equals its name; the caller passes the thing only in that case.
  std::optional<ThingFacts> thing;
};
Variables connection_variables(const ConnectionFacts& facts);

// Matching primitives, exposed for tests and the broker.
bool wildcard_match(const Pattern& pattern, std::string_view text, bool ignore_case);
Pattern compile_pattern(std::string_view text, bool allow_variables);
// Replaces variables by literal values; nullopt when one is unresolvable (or multi-valued).
std::optional<Pattern> substitute(const Pattern& pattern, const Variables& variables);

// substitute() for a resource: a topicfilter resource (iot:Subscribe) also refuses values with an
// MQTT wildcard, so that `${iot:ClientId}` = "+" cannot turn `topicfilter/${iot:ClientId}/*` into
// a subscription to every device. evaluate() lets such a value never help the requester: an
// Allow entry does not match, a Deny entry does (and a NotResource exception does not hold).
enum class Substitution { resolved, unresolvable, mqtt_wildcard };
Substitution substitute_resource(const Pattern& pattern, const Variables& variables, bool topic_filter, Pattern& out);
bool is_topic_filter_arn(std::string_view resource);  // arn:…:<region>:<account>:topicfilter/…

}  // namespace trustlane::iot::policy
