// The importer's HTTP client: Boost.Beast over one keep-alive TCP connection, each request
// signed with SigV4 (api/sigv4.hpp). The only translation unit of the ledger using Asio/Beast.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <ctime>
#include <stdexcept>

#include "api/sigv4.hpp"
#include "api/uri.hpp"
#include "crypto/digest.hpp"
#include "ledger/api_client.hpp"

namespace trustlane::ledger {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string uri_label(std::string_view text) { return api::aws_uri_encode(text, false); }

void apply_endpoint_url(ApiEndpoint& endpoint, const std::string& url) {
  std::string_view rest = url;
  if (rest.starts_with("https://"))
    throw std::runtime_error("--endpoint-url " + url + ": https is not supported by the importer; use http://");
  if (!rest.starts_with("http://")) throw std::runtime_error("--endpoint-url must look like http://host:port, got " + url);
  rest.remove_prefix(7);
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  endpoint.host = std::string(rest.substr(0, colon));
  endpoint.port = colon == std::string_view::npos ? "80" : std::string(rest.substr(colon + 1));
  if (endpoint.host.empty() || endpoint.port.empty())
    throw std::runtime_error("--endpoint-url must look like http://host:port, got " + url);
}

namespace {

class HttpApiClient final : public ApiClient {
 public:
  explicit HttpApiClient(ApiEndpoint endpoint) : endpoint_(std::move(endpoint)), socket_(io_) {
    host_header_ = endpoint_.host + (endpoint_.port == "80" ? "" : ":" + endpoint_.port);
    connect();
  }

  ApiResponse send(const ApiRequest& request) override {
    if (!socket_.is_open()) connect();
    auto req = build(request);
    beast::error_code ec;
    http::write(socket_, req, ec);
    if (ec) return fail_connection("cannot send to the control plane", ec);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res, ec);
    if (ec) return fail_connection("no answer from the control plane", ec);
    ApiResponse out;
    out.status = static_cast<int>(res.result_int());
    if (auto it = res.find("x-amzn-ErrorType"); it != res.end()) {
      std::string_view type(it->value().data(), it->value().size());
      out.error_type = std::string(type.substr(0, type.find(':')));
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) socket_.close(ec);
    return out;
  }

 private:
  void connect() {
    tcp::resolver resolver(io_);
    beast::error_code ec;
    auto results = resolver.resolve(endpoint_.host, endpoint_.port, ec);
    if (ec) throw std::runtime_error("cannot resolve " + endpoint_.host + ": " + ec.message());
    socket_ = tcp::socket(io_);
    asio::connect(socket_, results, ec);
    if (ec) throw std::runtime_error("cannot connect to " + host_header_ + ": " + ec.message());
    socket_.set_option(tcp::no_delay(true), ec);
    buffer_.clear();
  }

  ApiResponse fail_connection(const std::string& what, const beast::error_code& ec) {
    beast::error_code ignored;
    socket_.close(ignored);
    throw std::runtime_error(what + " at " + host_header_ + ": " + ec.message());
  }

  http::request<http::string_body> build(const ApiRequest& r) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char amz_date[17];
    std::strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
    std::string date(amz_date, 8);
    std::string payload_hash = to_hex(crypto::sha256(as_bytes(r.body)));

    // Headers to sign, lowercase and sorted (SigV4 wants them in order).
    std::vector<std::pair<std::string, std::string>> headers = {{"host", host_header_}, {"x-amz-date", amz_date}};
    if (!r.body.empty()) headers.emplace_back("content-type", "application/json");
    if (!endpoint_.session_token.empty()) headers.emplace_back("x-amz-security-token", endpoint_.session_token);
    for (const auto& h : r.headers) headers.push_back(h);
    std::sort(headers.begin(), headers.end());
    std::vector<std::string> names;
    for (const auto& h : headers) names.push_back(h.first);

    api::sigv4::Request canonical_in{r.method, r.path, r.query, &headers, payload_hash};
    auto canonical = api::sigv4::canonical_request(canonical_in, names);
    if (!canonical) throw std::runtime_error("cannot sign a request with a badly encoded query: " + r.query);
    std::string scope = date + "/" + endpoint_.region + "/iot/aws4_request";
    std::string signature = api::sigv4::sign(api::sigv4::signing_key(endpoint_.secret_key, date, endpoint_.region, "iot"),
                                             api::sigv4::string_to_sign(amz_date, scope, *canonical));
    std::string signed_names;
    for (const auto& n : names) signed_names += (signed_names.empty() ? "" : ";") + n;

    http::request<http::string_body> req;
    req.method_string(r.method);
    req.target(r.query.empty() ? r.path : r.path + "?" + r.query);
    req.version(11);
    for (const auto& [n, v] : headers) req.set(n, v);
    req.set(http::field::authorization, std::string(api::sigv4::kAlgorithm) + " Credential=" + endpoint_.access_key +
                                            "/" + scope + ", SignedHeaders=" + signed_names + ", Signature=" + signature);
    req.set(http::field::user_agent, "trustlane-ledger");
    req.keep_alive(true);
    req.body() = r.body;
    req.prepare_payload();
    return req;
  }

  ApiEndpoint endpoint_;
  std::string host_header_;
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

}  // namespace

std::unique_ptr<ApiClient> make_http_client(const ApiEndpoint& endpoint) {
  return std::make_unique<HttpApiClient>(endpoint);
}

}  // namespace trustlane::ledger
