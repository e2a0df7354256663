// IAM-style patterns: `*` any run (crossing `/` and `:`), `?` one character, escapes $(*) $(?)
// $($), and ${variables}. MQTT `+` and `#` have no meaning here: they are ordinary characters.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "iot/policy/policy.hpp"

namespace trustlane::iot::policy {
namespace {

void append_literal(Pattern& out, char c) {
  if (out.empty() || out.back().kind != Piece::Kind::literal) out.push_back({Piece::Kind::literal, {}});
  out.back().text.push_back(c);
}

char fold(char c, bool ignore_case) {
  if (ignore_case && c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c;
}

// Flattened pattern token: a literal character or a wildcard.
struct Token {
  enum Kind : unsigned char { ch, run, one } kind;
  char c;
};

}  // namespace

Pattern compile_pattern(std::string_view text, bool allow_variables) {
  Pattern out;
  for (std::size_t i = 0; i < text.size();) {
    std::string_view rest = text.substr(i);
    if (rest.starts_with("$(*)") || rest.starts_with("$(?)") || rest.starts_with("$($)")) {
      append_literal(out, rest[2]);
      i += 4;
    } else if (allow_variables && rest.starts_with("${") && rest.find('}') != std::string_view::npos) {
      std::size_t close = rest.find('}');
      out.push_back({Piece::Kind::variable, std::string(rest.substr(2, close - 2))});
      i += close + 1;
    } else if (rest[0] == '*') {
      // Consecutive stars are one star; keeps matching linear-ish.
      if (out.empty() || out.back().kind != Piece::Kind::any_run) out.push_back({Piece::Kind::any_run, {}});
      ++i;
    } else if (rest[0] == '?') {
      out.push_back({Piece::Kind::any_char, {}});
      ++i;
    } else {
      append_literal(out, rest[0]);
      ++i;
    }
  }
  return out;
}

Substitution substitute_resource(const Pattern& pattern, const Variables& variables, bool topic_filter, Pattern& out) {
  out.clear();
  out.reserve(pattern.size());
  for (const Piece& piece : pattern) {
    if (piece.kind != Piece::Kind::variable) {
      if (piece.kind == Piece::Kind::literal) {
        for (char c : piece.text) append_literal(out, c);
      } else {
        out.push_back(piece);
      }
      continue;
    }
    auto values = variables.find(piece.text);
    if (values.size() != 1) return Substitution::unresolvable;
    std::string_view value = values.front();
    if (topic_filter && value.find_first_of("+#") != std::string_view::npos) return Substitution::mqtt_wildcard;
    // The value is literal text: a client ID "*" or "#" stays a plain character.
    for (char c : value) append_literal(out, c);
  }
  return Substitution::resolved;
}

std::optional<Pattern> substitute(const Pattern& pattern, const Variables& variables) {
  Pattern out;
  if (substitute_resource(pattern, variables, false, out) != Substitution::resolved) return std::nullopt;
  return out;
}

bool is_topic_filter_arn(std::string_view resource) {
  // arn:partition:service:region:account:resource — the resource follows the fifth colon.
  std::size_t at = 0;
  for (int colons = 0; colons < 5; ++colons) {
    at = resource.find(':', at);
    if (at == std::string_view::npos) return false;
    ++at;
  }
  return resource.substr(at).starts_with("topicfilter/");
}

bool wildcard_match(const Pattern& pattern, std::string_view text, bool ignore_case) {
  std::vector<Token> tokens;
  for (const Piece& piece : pattern) {
    switch (piece.kind) {
      case Piece::Kind::literal:
        for (char c : piece.text) tokens.push_back({Token::ch, fold(c, ignore_case)});
        break;
      case Piece::Kind::any_run: tokens.push_back({Token::run, 0}); break;
      case Piece::Kind::any_char: tokens.push_back({Token::one, 0}); break;
      case Piece::Kind::variable: return false;  // unresolved: never matches
    }
  }
  // Greedy glob with single backtrack point: O(n·m) worst case, no recursion.
  std::size_t p = 0, t = 0;
  std::size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < tokens.size() && tokens[p].kind == Token::run) {
      star_p = p++;
      star_t = t;
    } else if (p < tokens.size() &&
               (tokens[p].kind == Token::one || tokens[p].c == fold(text[t], ignore_case))) {
      ++p;
      ++t;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < tokens.size() && tokens[p].kind == Token::run) ++p;
  return p == tokens.size();
}

}  // namespace trustlane::iot::policy
