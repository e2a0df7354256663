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

std::optional<Pattern> substitute(const Pattern& pattern, const Variables& variables) {
  Pattern out;
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
    auto it = variables.find(piece.text);
    if (it == variables.end() || it->second.size() != 1) return std::nullopt;
    // The value is literal text: a client ID "*" or "#" stays a plain character.
    for (char c : it->second.front()) append_literal(out, c);
  }
  return out;
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
