#include "api/sigv4.hpp"

#include <algorithm>
#include <ctime>

#include "api/uri.hpp"
#include "crypto/digest.hpp"

namespace trustlane::api::sigv4 {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Trimmed, inner runs of whitespace collapsed to one space (botocore: ' '.join(v.split())).
std::string canonical_header_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : trim(v)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string Authorization::scope() const { return date + "/" + region + "/" + service + "/aws4_request"; }

std::optional<Authorization> parse_authorization(std::string_view header) {
  header = trim(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm) return std::nullopt;
  header.remove_prefix(kAlgorithm.size());
  if (header.empty() || header.front() != ' ') return std::nullopt;
  Authorization auth;
  bool have_credential = false, have_signed = false, have_signature = false;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto part = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto key = part.substr(0, eq);
    auto value = part.substr(eq + 1);
    if (key == "Credential") {
      // AKID/date/region/service/aws4_request; the key id itself contains no '/'.
      std::vector<std::string_view> fields;
      while (true) {
        auto slash = value.find('/');
        fields.push_back(value.substr(0, slash));
        if (slash == std::string_view::npos) break;
        value.remove_prefix(slash + 1);
      }
      if (fields.size() != 5 || fields[4] != "aws4_request" || fields[0].empty() || fields[1].size() != 8 ||
          fields[2].empty() || fields[3].empty())
        return std::nullopt;
      auth.access_key = fields[0];
      auth.date = fields[1];
      auth.region = fields[2];
      auth.service = fields[3];
      have_credential = true;
    } else if (key == "SignedHeaders") {
      while (!value.empty()) {
        auto semi = value.find(';');
        auto name = value.substr(0, semi);
        if (name.empty()) return std::nullopt;
        auth.signed_headers.emplace_back(name);
        value = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
      }
      have_signed = !auth.signed_headers.empty();
    } else if (key == "Signature") {
      if (value.size() != 64 || !is_lower_hex(value)) return std::nullopt;
      auth.signature = value;
      have_signature = true;
    } else {
      return std::nullopt;
    }
  }
  if (!have_credential || !have_signed || !have_signature) return std::nullopt;
  return auth;
}

std::string canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) return "/";
  // Remove dot segments as botocore does before quoting (rare in practice).
  std::vector<std::string_view> out;
  std::string_view rest = raw_path;
  bool trailing_slash = rest.size() > 1 && rest.back() == '/';
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(seg);
  }
  std::string path = "/";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i) path.push_back('/');
    path.append(out[i]);
  }
  if (trailing_slash && path.size() > 1) path.push_back('/');
  return aws_uri_encode(path, true);
}

std::optional<std::string> canonical_query(std::string_view raw_query) {
  auto pairs = parse_query(raw_query);
  if (!pairs) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> encoded;
  for (auto& [k, v] : *pairs) encoded.emplace_back(aws_uri_encode(k, false), aws_uri_encode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(k).append("=").append(v);
  }
  return out;
}

std::optional<std::string> canonical_request(const Request& request, const std::vector<std::string>& signed_headers) {
  auto query = canonical_query(request.raw_query);
  if (!query) return std::nullopt;
  std::string out;
  out.append(request.method).append("\n");
  out.append(canonical_uri(request.raw_path)).append("\n");
  out.append(*query).append("\n");
  for (const auto& name : signed_headers) {
    std::string joined;
    bool found = false;
    for (const auto& [n, v] : *request.headers) {
      if (n != name) continue;
      if (found) joined.push_back(',');
      joined.append(canonical_header_value(v));
      found = true;
    }
    out.append(name).append(":").append(joined).append("\n");
  }
  out.append("\n");
  for (std::size_t i = 0; i < signed_headers.size(); ++i) {
    if (i) out.push_back(';');
    out.append(signed_headers[i]);
  }
  out.append("\n").append(request.payload_hash);
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical) {
  std::string out(kAlgorithm);
  out.append("\n").append(amz_date).append("\n").append(scope).append("\n");
  out.append(to_hex(crypto::sha256(as_bytes(canonical))));
  return out;
}

Bytes signing_key(std::string_view secret, std::string_view date, std::string_view region, std::string_view service) {
  std::string k = "AWS4" + std::string(secret);
  auto k_date = crypto::hmac_sha256(as_bytes(k), as_bytes(date));
  auto k_region = crypto::hmac_sha256(k_date, as_bytes(region));
  auto k_service = crypto::hmac_sha256(k_region, as_bytes(service));
  return crypto::hmac_sha256(k_service, as_bytes(std::string_view("aws4_request")));
}

std::string sign(ByteView key, std::string_view sts) { return to_hex(crypto::hmac_sha256(key, as_bytes(sts))); }

bool verify(const Request& request, const Authorization& auth, std::string_view amz_date, std::string_view secret) {
  auto canonical = canonical_request(request, auth.signed_headers);
  if (!canonical) return false;
  auto expected = sign(signing_key(secret, auth.date, auth.region, auth.service),
                       string_to_sign(amz_date, auth.scope(), *canonical));
  return equal_constant_time(as_bytes(expected), as_bytes(auth.signature));
}

std::optional<long long> parse_amz_date(std::string_view d) {
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (d[i] < '0' || d[i] > '9') return -1;
      v = v * 10 + (d[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), mo = num(4, 2), da = num(6, 2), h = num(9, 2), mi = num(11, 2), s = num(13, 2);
  if (y < 1970 || mo < 1 || mo > 12 || da < 1 || da > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = da;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<long long>(timegm(&tm));
}

}  // namespace trustlane::api::sigv4
