// P5: signed RegisterCertificateWithoutCA requests per second.
//  - BM_ServiceRegister: Service::handle alone (SigV4 verify + validation + SQLite commit).
//  - BM_HttpRegister: over HTTP/1.1 keep-alive to an in-process HttpServer, one connection per
//    client thread (Beast sync client), every request signed with a known secret.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/server.hpp"
#include "api/service.hpp"
#include "api/sigv4.hpp"
#include "api/uri.hpp"
#include "crypto/digest.hpp"
#include "crypto/x509.hpp"

namespace {

using namespace trustlane;

std::string amz_now() {
  char buf[32];
  std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", std::gmtime(&t));
  return buf;
}

// Unique certificates without paying for a key pair each: one key, distinct serial numbers.
class CertificateSource {
 public:
  std::string next() {
    std::lock_guard lock(mutex_);
    crypto::CertificateSpec spec;
    spec.subject = {{"CN", "bench-" + std::to_string(++n_)}};
    return crypto::issue_certificate(spec, key_, key_, nullptr).pem();
  }

 private:
  std::mutex mutex_;
  crypto::Key key_ = crypto::Key::generate();
  std::uint64_t n_ = 0;
};

api::HttpRequest signed_register(const std::string& pem, const std::string& host) {
  api::HttpRequest r;
  r.method = "POST";
  r.target = "/certificate/register-no-ca";
  r.body = nlohmann::json{{"certificatePem", pem}, {"status", "ACTIVE"}}.dump();
  auto date = amz_now();
  r.headers = {{"content-type", "application/json"}, {"host", host}, {"x-amz-date", date}};
  auto hash = to_hex(crypto::sha256(as_bytes(r.body)));
  api::sigv4::Request sr{r.method, r.target, "", &r.headers, hash};
  auto creq = *api::sigv4::canonical_request(sr, {"content-type", "host", "x-amz-date"});
  std::string scope = date.substr(0, 8) + "/us-east-1/iot/aws4_request";
  auto sig = api::sigv4::sign(api::sigv4::signing_key("bench-secret", date.substr(0, 8), "us-east-1", "iot"),
                              api::sigv4::string_to_sign(date, scope, creq));
  r.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=AKIABENCH/" + scope +
                                              ", SignedHeaders=content-type;host;x-amz-date, Signature=" + sig);
  return r;
}

struct Cloud {
  std::filesystem::path dir;
  std::unique_ptr<iot::Store> store;
  std::unique_ptr<api::Service> service;
  std::unique_ptr<api::HttpServer> server;
  std::thread thread;
  CertificateSource certs;

  Cloud() {
    dir = std::filesystem::temp_directory_path() / ("trustlane-bench-api-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto ca = std::make_shared<const iot::CloudCa>(iot::CloudCa::load_or_create(dir));
    store = std::make_unique<iot::Store>(dir / "registry.db", ca);
    api::Credentials creds;
    creds.add("AKIABENCH", {"bench-secret", "123456789012"});
    service = std::make_unique<api::Service>(*store, creds);
    server = std::make_unique<api::HttpServer>("127.0.0.1", 0, [this](const api::HttpRequest& r) {
      return service->handle(r);
    });
    thread = std::thread([this] { server->run(false); });
  }
  ~Cloud() {
    server->stop();
    thread.join();
    server.reset();
    service.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

Cloud& cloud() {
  static Cloud c;
  return c;
}

void BM_ServiceRegister(benchmark::State& state) {
  auto& c = cloud();
  for (auto _ : state) {
    state.PauseTiming();
    auto req = signed_register(c.certs.next(), "127.0.0.1");
    state.ResumeTiming();
    auto res = c.service->handle(req);
    if (res.status != 200) state.SkipWithError(res.body.c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceRegister)->Unit(benchmark::kMicrosecond);

void BM_HttpRegister(benchmark::State& state) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  auto& c = cloud();
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), c.server->port()));
  auto host = "127.0.0.1:" + std::to_string(c.server->port());
  beast::flat_buffer buffer;
  // Requests are prepared outside the timed loop: client-side signing is not the server's cost.
  std::vector<api::HttpRequest> prepared;
  for (int i = 0; i < 256; ++i) prepared.push_back(signed_register(c.certs.next(), host));
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == prepared.size()) {
      state.PauseTiming();
      prepared.clear();
      for (int i = 0; i < 256; ++i) prepared.push_back(signed_register(c.certs.next(), host));
      next = 0;
      state.ResumeTiming();
    }
    auto& r = prepared[next++];
    http::request<http::string_body> req{http::verb::post, r.target, 11};
    for (auto& [n, v] : r.headers) req.set(n, v);
    req.body() = r.body;
    req.keep_alive(true);
    req.prepare_payload();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    if (res.result_int() != 200) state.SkipWithError(res.body().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HttpRegister)->Threads(1)->Threads(4)->Threads(8)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
