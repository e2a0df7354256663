// Condition evaluation with IAM semantics:
// - a missing key fails the condition, except with …IfExists, with negated operators
//   (StringNotEquals, ArnNotLike, NotIpAddress, …) and with ForAllValues, which then hold;
// - several condition values are ORed; a negated operator holds when none matches;
// - a multi-valued key: ForAnyValue = some value matches, ForAllValues = every value matches;
// - condition values may contain ${variables}; an unresolvable one matches nothing.
#include "iot/policy/condition_operators.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace trustlane::iot::policy {
namespace {

struct OperatorName {
  std::string_view name;
  ConditionOperator op;
};
constexpr std::array<OperatorName, 20> kOperators = {{
    {"StringEquals", ConditionOperator::string_equals},
    {"StringNotEquals", ConditionOperator::string_not_equals},
    {"StringEqualsIgnoreCase", ConditionOperator::string_equals_ignore_case},
    {"StringNotEqualsIgnoreCase", ConditionOperator::string_not_equals_ignore_case},
    {"StringLike", ConditionOperator::string_like},
    {"StringNotLike", ConditionOperator::string_not_like},
    {"ArnEquals", ConditionOperator::arn_equals},
    {"ArnNotEquals", ConditionOperator::arn_not_equals},
    {"ArnLike", ConditionOperator::arn_like},
    {"ArnNotLike", ConditionOperator::arn_not_like},
    {"NumericEquals", ConditionOperator::numeric_equals},
    {"NumericNotEquals", ConditionOperator::numeric_not_equals},
    {"NumericLessThan", ConditionOperator::numeric_less_than},
    {"NumericLessThanEquals", ConditionOperator::numeric_less_than_equals},
    {"NumericGreaterThan", ConditionOperator::numeric_greater_than},
    {"NumericGreaterThanEquals", ConditionOperator::numeric_greater_than_equals},
    {"Bool", ConditionOperator::boolean},
    {"IpAddress", ConditionOperator::ip_address},
    {"NotIpAddress", ConditionOperator::not_ip_address},
    {"Null", ConditionOperator::null_check},
}};

bool is_negated(ConditionOperator op) {
  switch (op) {
    case ConditionOperator::string_not_equals:
    case ConditionOperator::string_not_equals_ignore_case:
    case ConditionOperator::string_not_like:
    case ConditionOperator::arn_not_equals:
    case ConditionOperator::arn_not_like:
    case ConditionOperator::numeric_not_equals:
    case ConditionOperator::not_ip_address:
      return true;
    case ConditionOperator::string_equals:
    case ConditionOperator::string_equals_ignore_case:
    case ConditionOperator::string_like:
    case ConditionOperator::arn_equals:
    case ConditionOperator::arn_like:
    case ConditionOperator::numeric_equals:
    case ConditionOperator::numeric_less_than:
    case ConditionOperator::numeric_less_than_equals:
    case ConditionOperator::numeric_greater_than:
    case ConditionOperator::numeric_greater_than_equals:
    case ConditionOperator::boolean:
    case ConditionOperator::ip_address:
    case ConditionOperator::null_check:
      return false;
  }
  return false;
}

std::optional<double> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return v;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y)) return false;
  }
  return true;
}

// The substituted pattern as plain text (for the Equals operators, where * and ? are literal).
std::string render(const Pattern& p) {
  std::string out;
  for (const Piece& piece : p) {
    switch (piece.kind) {
      case Piece::Kind::literal: out += piece.text; break;
      case Piece::Kind::any_run: out += '*'; break;
      case Piece::Kind::any_char: out += '?'; break;
      case Piece::Kind::variable: out += "${" + piece.text + "}"; break;
    }
  }
  return out;
}

// ARN matching compares the six colon-separated components separately, so a wildcard in one
// component never spans a ':' into the next (the last component keeps its colons).
std::vector<Pattern> split_arn_pattern(const Pattern& p) {
  std::vector<Pattern> parts(1);
  for (const Piece& piece : p) {
    if (piece.kind != Piece::Kind::literal) {
      parts.back().push_back(piece);
      continue;
    }
    std::string current;
    for (char c : piece.text) {
      if (c == ':' && parts.size() < 6) {
        if (!current.empty()) parts.back().push_back({Piece::Kind::literal, current});
        current.clear();
        parts.emplace_back();
      } else {
        current.push_back(c);
      }
    }
    if (!current.empty()) parts.back().push_back({Piece::Kind::literal, current});
  }
  return parts;
}
std::vector<std::string_view> split_arn(std::string_view s) {
  std::vector<std::string_view> parts;
  while (parts.size() < 5) {
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos) break;
    parts.push_back(s.substr(0, colon));
    s.remove_prefix(colon + 1);
  }
  parts.push_back(s);
  return parts;
}
bool arn_like(const Pattern& pattern, std::string_view value) {
  auto pp = split_arn_pattern(pattern);
  auto vp = split_arn(value);
  if (pp.size() != vp.size()) return false;
  for (std::size_t i = 0; i < pp.size(); ++i)
    if (!wildcard_match(pp[i], vp[i], false)) return false;
  return true;
}

// Positive form of the operator: does the context value match this condition value?
bool matches(ConditionOperator op, const Pattern& expected, std::string_view actual) {
  switch (op) {
    case ConditionOperator::string_equals:
    case ConditionOperator::string_not_equals:
      return render(expected) == actual;
    case ConditionOperator::string_equals_ignore_case:
    case ConditionOperator::string_not_equals_ignore_case:
      return iequals(render(expected), actual);
    case ConditionOperator::string_like:
    case ConditionOperator::string_not_like:
      return wildcard_match(expected, actual, false);
    case ConditionOperator::arn_equals:
    case ConditionOperator::arn_not_equals:
    case ConditionOperator::arn_like:
    case ConditionOperator::arn_not_like:
      return arn_like(expected, actual);
    case ConditionOperator::numeric_equals:
    case ConditionOperator::numeric_not_equals:
    case ConditionOperator::numeric_less_than:
    case ConditionOperator::numeric_less_than_equals:
    case ConditionOperator::numeric_greater_than:
    case ConditionOperator::numeric_greater_than_equals: {
      auto want = parse_number(render(expected));
      auto have = parse_number(actual);
      if (!want || !have) return false;
      if (op == ConditionOperator::numeric_less_than) return *have < *want;
      if (op == ConditionOperator::numeric_less_than_equals) return *have <= *want;
      if (op == ConditionOperator::numeric_greater_than) return *have > *want;
      if (op == ConditionOperator::numeric_greater_than_equals) return *have >= *want;
      return *have == *want;  // NumericEquals / NumericNotEquals (positive form)
    }
    case ConditionOperator::boolean:
      return iequals(render(expected), actual);
    case ConditionOperator::ip_address:
    case ConditionOperator::not_ip_address:
      return ip_in_cidr(actual, render(expected));
    case ConditionOperator::null_check:
      return false;  // handled before
  }
  return false;
}

struct Address {
  int family = 0;
  std::array<std::uint8_t, 16> bytes{};
  int bits = 0;
};
std::optional<Address> parse_address(std::string_view text, bool allow_prefix) {
  std::string_view host = text;
  std::optional<int> prefix;
  if (std::size_t slash = text.find('/'); slash != std::string_view::npos) {
    if (!allow_prefix) return std::nullopt;
    host = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    int n = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (ec != std::errc() || ptr != p.data() + p.size() || p.empty()) return std::nullopt;
    prefix = n;
  }
  if (host.empty() || host.size() > 45) return std::nullopt;
  std::string h(host);
  Address a;
  if (inet_pton(AF_INET, h.c_str(), a.bytes.data()) == 1) {
    a.family = 4;
    a.bits = prefix.value_or(32);
    if (a.bits < 0 || a.bits > 32) return std::nullopt;
  } else if (inet_pton(AF_INET6, h.c_str(), a.bytes.data()) == 1) {
    a.family = 6;
    a.bits = prefix.value_or(128);
    if (a.bits < 0 || a.bits > 128) return std::nullopt;
  } else {
    return std::nullopt;
  }
  return a;
}

}  // namespace

bool valid_cidr(std::string_view cidr) { return parse_address(cidr, true).has_value(); }

bool ip_in_cidr(std::string_view ip, std::string_view cidr) {
  auto net = parse_address(cidr, true);
  auto host = parse_address(ip, false);
  if (!net || !host || net->family != host->family) return false;
  for (int bit = 0; bit < net->bits; ++bit) {
    int byte = bit / 8, mask = 0x80 >> (bit % 8);
    if ((net->bytes[byte] & mask) != (host->bytes[byte] & mask)) return false;
  }
  return true;
}

Result<ParsedOperator, std::string> parse_condition_operator(std::string_view text) {
  ParsedOperator out{ConditionOperator::string_equals, SetQualifier::none, false};
  std::string_view name = text;
  if (name.starts_with("ForAnyValue:")) {
    out.qualifier = SetQualifier::for_any_value;
    name.remove_prefix(12);
  } else if (name.starts_with("ForAllValues:")) {
    out.qualifier = SetQualifier::for_all_values;
    name.remove_prefix(13);
  }
  if (name.ends_with("IfExists") && name != "IfExists") {
    out.if_exists = true;
    name.remove_suffix(8);
  }
  for (const auto& entry : kOperators) {
    if (entry.name == name) {
      out.op = entry.op;
      if (out.op == ConditionOperator::null_check && out.if_exists)
        return fail("condition operator \"" + std::string(text) + "\" is invalid (Null has no IfExists form)");
      return out;
    }
  }
  return fail("condition operator \"" + std::string(text) + "\" is not supported");
}

std::optional<std::string> validate_condition_value(ConditionOperator op, std::string_view value) {
  if (value.find("${") != std::string_view::npos) return std::nullopt;  // checked after substitution
  switch (op) {
    case ConditionOperator::numeric_equals:
    case ConditionOperator::numeric_not_equals:
    case ConditionOperator::numeric_less_than:
    case ConditionOperator::numeric_less_than_equals:
    case ConditionOperator::numeric_greater_than:
    case ConditionOperator::numeric_greater_than_equals:
      if (!parse_number(value)) return "\"" + std::string(value) + "\" is not a number";
      return std::nullopt;
    case ConditionOperator::boolean:
    case ConditionOperator::null_check:
      if (!iequals(value, "true") && !iequals(value, "false"))
        return "\"" + std::string(value) + "\" must be true or false";
      return std::nullopt;
    case ConditionOperator::ip_address:
    case ConditionOperator::not_ip_address:
      if (!valid_cidr(value)) return "\"" + std::string(value) + "\" is not an IP address or CIDR block";
      return std::nullopt;
    case ConditionOperator::string_equals:
    case ConditionOperator::string_not_equals:
    case ConditionOperator::string_equals_ignore_case:
    case ConditionOperator::string_not_equals_ignore_case:
    case ConditionOperator::string_like:
    case ConditionOperator::string_not_like:
    case ConditionOperator::arn_equals:
    case ConditionOperator::arn_not_equals:
    case ConditionOperator::arn_like:
    case ConditionOperator::arn_not_like:
      return std::nullopt;
  }
  return std::nullopt;
}

bool condition_holds(const Condition& c, const Variables& variables) {
  auto actuals = variables.find(c.key);
  bool present = !actuals.empty();
  if (c.op == ConditionOperator::null_check) {
    bool want_missing = iequals(c.values.empty() ? "" : c.values.front().source, "true");
    return want_missing ? !present : present;
  }
  bool negated = is_negated(c.op);
  if (!present) return c.if_exists || negated || c.qualifier == SetQualifier::for_all_values;

  // Substitute variables in the condition values once; unresolvable values match nothing.
  std::vector<Pattern> expected;
  for (const auto& v : c.values)
    if (auto p = substitute(v.pattern, variables)) expected.push_back(std::move(*p));

  auto positive = [&](std::string_view actual) {
    for (const auto& e : expected)
      if (matches(c.op, e, actual)) return true;
    return false;
  };
  switch (c.qualifier) {
    case SetQualifier::for_all_values:
      for (const auto& a : actuals)
        if (positive(a) == negated) return false;
      return true;
    case SetQualifier::for_any_value:
      for (const auto& a : actuals)
        if (positive(a) != negated) return true;
      return false;
    case SetQualifier::none: {
      bool any = false;
      for (const auto& a : actuals) any = any || positive(a);
      return negated ? !any : any;
    }
  }
  return false;
}

}  // namespace trustlane::iot::policy
