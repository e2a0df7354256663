// The control plane through Service::handle (no sockets): auth modes, AWS error shapes,
// validation, pagination and account isolation.
#include "api/service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/operations.hpp"
#include "api/sigv4.hpp"
#include "api/uri.hpp"
#include "crypto/digest.hpp"
#include "crypto/x509.hpp"

namespace trustlane::api {
namespace {

constexpr long long kNow = 1795000000;  // fixed clock: 2026-11-18T11:06:40Z
const std::string kAmzDate = "20261118T110640Z";  // kNow as X-Amz-Date

std::string self_signed_pem(const std::string& cn) {
  auto key = crypto::Key::generate();
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", cn}};
  spec.not_before = kNow - 3600;
  spec.not_after = kNow + 86400 * 365;
  return crypto::issue_certificate(spec, key, key, nullptr).pem();
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("trustlane-api-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto ca = std::make_shared<const iot::CloudCa>(iot::CloudCa::load_or_create(dir_));
    iot::StoreOptions so;
    so.clock = [] { return kNow; };
    store_ = std::make_unique<iot::Store>(dir_ / "registry.db", ca, so);
    make_service(false);
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void make_service(bool strict) {
    Credentials creds;
    creds.add("AKIASECRETKEY", {"s3cret", "444455556666"});
    ServiceOptions o;
    o.auth.strict = strict;
    o.clock = [] { return kNow; };
    o.broker_stats = broker_stats_;
    service_ = std::make_unique<Service>(*store_, creds, o);
  }

  // A request signed like botocore does (host, x-amz-date, content-type when there is a body).
  HttpRequest signed_request(std::string method, std::string target, std::string body = "",
                             std::string key = "123456789012", std::string secret = "x",
                             std::string region = "us-east-1", std::string date = kAmzDate) {
    HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.headers = {{"host", "127.0.0.1:8080"}, {"x-amz-date", date}};
    std::vector<std::string> names{"host", "x-amz-date"};
    if (!r.body.empty()) {
      r.headers.insert(r.headers.begin(), {"content-type", "application/json"});
      names.insert(names.begin(), "content-type");
    }
    auto [path, query] = split_target(r.target);
    auto hash = to_hex(crypto::sha256(as_bytes(r.body)));
    sigv4::Request sr{r.method, path, query, &r.headers, hash};
    auto creq = *sigv4::canonical_request(sr, names);
    std::string scope = date.substr(0, 8) + "/" + region + "/iot/aws4_request";
    auto sig = sigv4::sign(sigv4::signing_key(secret, date.substr(0, 8), region, "iot"),
                           sigv4::string_to_sign(date, scope, creq));
    r.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=" + key + "/" + scope +
                                                ", SignedHeaders=" + (r.body.empty() ? "" : "content-type;") +
                                                "host;x-amz-date, Signature=" + sig);
    return r;
  }

  static std::string header(const HttpResponse& r, const std::string& name) {
    for (auto& [n, v] : r.headers)
      if (n == name) return v;
    return {};
  }
  static nlohmann::json body(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

  HttpResponse call(const HttpRequest& r) { return service_->handle(r); }
  std::string register_cert(const std::string& pem, const std::string& key = "123456789012",
                            const std::string& secret = "x") {
    auto r = call(signed_request("POST", "/certificate/register-no-ca",
                                 nlohmann::json{{"certificatePem", pem}, {"status", "ACTIVE"}}.dump(), key, secret));
    EXPECT_EQ(r.status, 200) << r.body;
    return body(r).value("certificateArn", "");
  }

  std::filesystem::path dir_;
  std::unique_ptr<iot::Store> store_;
  std::unique_ptr<Service> service_;
  std::function<std::string()> broker_stats_;
};

TEST_F(ServiceTest, RegisterWithoutCaAnswersArnAndIdAndRequestId) {
  auto pem = self_signed_pem("dev1");
  auto r = call(signed_request("POST", "/certificate/register-no-ca",
                               nlohmann::json{{"certificatePem", pem}, {"status", "ACTIVE"}}.dump()));
  ASSERT_EQ(r.status, 200) << r.body;
  auto id = crypto::Certificate::from_pem(pem)->sha256_hex();
  EXPECT_EQ(body(r), (nlohmann::json{{"certificateArn", "arn:aws:iot:us-east-1:123456789012:cert/" + id},
                                     {"certificateId", id}}));
  EXPECT_FALSE(header(r, "x-amzn-requestid").empty());
}

TEST_F(ServiceTest, DuplicateRegistrationIsAwsShaped409WithResourceMembers) {
  auto pem = self_signed_pem("dev1");
  auto arn = register_cert(pem);
  auto r = call(signed_request("POST", "/certificate/register-no-ca", nlohmann::json{{"certificatePem", pem}}.dump()));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(header(r, "x-amzn-errortype"), "ResourceAlreadyExistsException");
  auto b = body(r);
  EXPECT_EQ(b["resourceArn"], arn);
  EXPECT_EQ(b["resourceId"], arn.substr(arn.rfind('/') + 1));
  EXPECT_EQ(b["message"], "The certificate is already provisioned or registered");
}

TEST_F(ServiceTest, SameCertificateInTwoAccountsIsMarAndInvisibleAcross) {
  auto pem = self_signed_pem("shared");
  auto a = register_cert(pem, "111111111111");
  auto b = register_cert(pem, "222222222222");
  EXPECT_NE(a, b);
  auto list = body(call(signed_request("GET", "/certificates", "", "333333333333")));
  EXPECT_TRUE(list["certificates"].empty());
  auto id = a.substr(a.rfind('/') + 1);
  EXPECT_EQ(call(signed_request("GET", "/certificates/" + id, "", "333333333333")).status, 404);
  // A region is its own world too.
  EXPECT_EQ(call(signed_request("GET", "/certificates/" + id, "", "111111111111", "x", "eu-west-1")).status, 404);
}

TEST_F(ServiceTest, MissingRequiredMemberAndWrongTypes) {
  auto r = call(signed_request("POST", "/certificate/register-no-ca", R"({"status":"ACTIVE"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(header(r, "x-amzn-errortype"), "InvalidRequestException");
  EXPECT_NE(body(r)["message"].get<std::string>().find("certificatePem"), std::string::npos);
  r = call(signed_request("POST", "/certificate/register-no-ca", R"({"certificatePem": 5})"));
  EXPECT_EQ(r.status, 400);
  r = call(signed_request("POST", "/certificate/register-no-ca", R"({"certificatePem": "x", "status": "BOGUS"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("enum"), std::string::npos);
  r = call(signed_request("POST", "/certificate/register-no-ca", "{not json"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(header(r, "x-amzn-errortype"), "InvalidRequestException");
}

TEST_F(ServiceTest, GarbageCertificateIsCertificateValidation) {
  auto r = call(signed_request("POST", "/certificate/register-no-ca", R"({"certificatePem": "hello"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(header(r, "x-amzn-errortype"), "CertificateValidationException");
}

TEST_F(ServiceTest, UnknownOperationAndBadEncodingAre4xx) {
  auto r = call(signed_request("GET", "/no/such/thing"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(header(r, "x-amzn-errortype"), "UnknownOperationException");
  r = call(signed_request("GET", "/things/a%zz"));
  EXPECT_EQ(r.status, 400);
  HttpRequest huge = signed_request("POST", "/certificate/register-no-ca");
  huge.body.assign(kMaxBodyBytes + 1, 'x');
  EXPECT_EQ(call(huge).status, 413);
  EXPECT_EQ(body(call(huge))["message"], "The request body is larger than 1 MiB");
}

TEST(BodyCap, TheBulkRouteTakesBatchesOfItsMaximumSize) {
  EXPECT_EQ(max_body_bytes("/certificate/register-no-ca"), kMaxBodyBytes);
  EXPECT_EQ(max_body_bytes("/things/t?x=1"), kMaxBodyBytes);
  EXPECT_EQ(max_body_bytes("/trustlane/bulk/register-without-ca"), kMaxBulkBodyBytes);
  EXPECT_EQ(max_body_bytes("/trustlane/bulk/register-without-ca?a=b"), kMaxBulkBodyBytes);
  EXPECT_EQ(body_too_large(kMaxBulkBodyBytes), "The request body is larger than 8 MiB");
  // A full batch of chip-sized PEMs (~900 characters, JSON-escaped) fits.
  std::string pem = "-----BEGIN CERTIFICATE-----\\n" + std::string(860, 'A') + "\\n-----END CERTIFICATE-----\\n";
  std::size_t item = std::string(R"({"certificatePem":"","thingName":"chip-0400500100000000000000000000000000"},)").size();
  EXPECT_LT(kMaxBulkItems * (item + pem.size()), kMaxBulkBodyBytes);
}

TEST_F(ServiceTest, NonUtf8BytesInMessagesStillGiveJsonErrors) {
  auto r = call(signed_request("GET", "/things/%F7%FF"));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(body(r).contains("message"));  // parses: invalid bytes were replaced, nothing thrown
}

TEST_F(ServiceTest, PaginationReturnsEveryItemOnceAndNoMarkerOnLastPage) {
  for (int i = 0; i < 7; ++i) register_cert(self_signed_pem("dev" + std::to_string(i)));
  std::set<std::string> seen;
  std::string marker;
  int pages = 0;
  for (;;) {
    std::string target = "/certificates?pageSize=3" + (marker.empty() ? "" : "&marker=" + aws_uri_encode(marker, false));
    auto r = call(signed_request("GET", target));
    ASSERT_EQ(r.status, 200) << r.body;
    auto b = body(r);
    ++pages;
    for (auto& c : b["certificates"]) EXPECT_TRUE(seen.insert(c["certificateId"]).second);
    if (!b.contains("nextMarker")) break;
    marker = b["nextMarker"];
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(call(signed_request("GET", "/certificates?pageSize=0")).status, 400);
  EXPECT_EQ(call(signed_request("GET", "/certificates?pageSize=251")).status, 400);
  EXPECT_EQ(call(signed_request("GET", "/certificates?marker=%21%21")).status, 400);
}

TEST_F(ServiceTest, KnownKeyMustBeSignedWithItsSecret) {
  auto ok = call(signed_request("GET", "/certificates", "", "AKIASECRETKEY", "s3cret"));
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto bad = call(signed_request("GET", "/certificates", "", "AKIASECRETKEY", "wrong"));
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(header(bad, "x-amzn-errortype"), "InvalidSignatureException");
  // The account comes from the credentials file.
  auto arn = register_cert(self_signed_pem("k"), "AKIASECRETKEY", "s3cret");
  EXPECT_NE(arn.find(":444455556666:"), std::string::npos);
}

TEST_F(ServiceTest, KnownKeyBodyTamperingIsRejected) {
  auto r = signed_request("POST", "/policies/p", R"({"policyDocument":"{}"})", "AKIASECRETKEY", "s3cret");
  r.body = R"({"policyDocument":"{ }"})";
  auto res = call(r);
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(header(res, "x-amzn-errortype"), "InvalidSignatureException");
}

TEST_F(ServiceTest, ExpiredSignatureIsRejected) {
  auto r = call(signed_request("GET", "/certificates", "", "AKIASECRETKEY", "s3cret", "us-east-1", "20250101T000000Z"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Signature expired"), std::string::npos);
}

TEST_F(ServiceTest, StrictModeRejectsUnknownKeysAndMissingAuth) {
  make_service(true);
  auto unknown = call(signed_request("GET", "/certificates", "", "123456789012"));
  EXPECT_EQ(unknown.status, 403);
  EXPECT_EQ(header(unknown, "x-amzn-errortype"), "UnrecognizedClientException");
  HttpRequest anonymous{"GET", "/certificates", {{"host", "x"}}, ""};
  auto missing = call(anonymous);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(header(missing, "x-amzn-errortype"), "MissingAuthenticationTokenException");
  EXPECT_EQ(call(signed_request("GET", "/certificates", "", "AKIASECRETKEY", "s3cret")).status, 200);
}

TEST_F(ServiceTest, LenientModeWithoutAuthUsesDefaultAccount) {
  HttpRequest anonymous{"GET", "/endpoint?endpointType=iot%3AData-ATS", {{"host", "x"}}, ""};
  auto r = call(anonymous);
  ASSERT_EQ(r.status, 200);
  auto address = body(r)["endpointAddress"].get<std::string>();
  EXPECT_NE(address.find("-ats.iot.us-east-1.trustlane.local"), std::string::npos);
}

TEST_F(ServiceTest, WrongServiceInScopeIsRejected) {
  auto r = signed_request("GET", "/certificates");
  for (auto& [n, v] : r.headers)
    if (n == "authorization") v.replace(v.find("/iot/"), 5, "/s3/");
  EXPECT_EQ(call(r).status, 403);
}

TEST_F(ServiceTest, DescribeEndpointTypes) {
  auto ats = body(call(signed_request("GET", "/endpoint?endpointType=iot%3AData-ATS")))["endpointAddress"].get<std::string>();
  auto legacy = body(call(signed_request("GET", "/endpoint")))["endpointAddress"].get<std::string>();
  auto prefix = ats.substr(0, 14);
  EXPECT_EQ(ats, prefix + "-ats.iot.us-east-1.trustlane.local");
  EXPECT_EQ(legacy, prefix + ".iot.us-east-1.trustlane.local");
  EXPECT_EQ(body(call(signed_request("GET", "/endpoint?endpointType=iot%3ACredentialProvider")))["endpointAddress"],
            prefix + ".credentials.iot.us-east-1.trustlane.local");
  EXPECT_EQ(body(call(signed_request("GET", "/endpoint?endpointType=iot%3AJobs")))["endpointAddress"],
            prefix + ".jobs.iot.us-east-1.trustlane.local");
  EXPECT_EQ(call(signed_request("GET", "/endpoint?endpointType=bogus")).status, 400);
  // Another account gets another prefix.
  auto other = body(call(signed_request("GET", "/endpoint?endpointType=iot%3AData-ATS", "", "999999999999")))["endpointAddress"];
  EXPECT_NE(other, ats);
}

TEST_F(ServiceTest, PolicyLifecycleThroughTheApi) {
  std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})";
  auto created = call(signed_request("POST", "/policies/p1", nlohmann::json{{"policyDocument", doc}}.dump()));
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(body(created)["policyVersionId"], "1");
  auto malformed = call(signed_request("POST", "/policies/p2", R"({"policyDocument":"{\"Statement\":5}"})"));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(header(malformed, "x-amzn-errortype"), "MalformedPolicyException");
  EXPECT_EQ(call(signed_request("POST", "/policies/bad%20name", nlohmann::json{{"policyDocument", doc}}.dump())).status, 400);
  for (int v = 2; v <= 5; ++v)
    EXPECT_EQ(call(signed_request("POST", "/policies/p1/version?setAsDefault=true",
                                  nlohmann::json{{"policyDocument", doc}}.dump())).status, 200);
  auto limit = call(signed_request("POST", "/policies/p1/version", nlohmann::json{{"policyDocument", doc}}.dump()));
  EXPECT_EQ(limit.status, 409);
  EXPECT_EQ(header(limit, "x-amzn-errortype"), "VersionsLimitExceededException");
  auto got = body(call(signed_request("GET", "/policies/p1")));
  EXPECT_EQ(got["defaultVersionId"], "5");
  EXPECT_TRUE(got["creationDate"].is_number());
  auto conflict = call(signed_request("DELETE", "/policies/p1/version/5"));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(header(conflict, "x-amzn-errortype"), "DeleteConflictException");
  EXPECT_EQ(call(signed_request("DELETE", "/policies/p1")).status, 409);  // non-default versions remain
  for (int v = 1; v <= 4; ++v) EXPECT_EQ(call(signed_request("DELETE", "/policies/p1/version/" + std::to_string(v))).status, 200);
  EXPECT_EQ(call(signed_request("DELETE", "/policies/p1")).status, 200);
  EXPECT_EQ(call(signed_request("GET", "/policies/p1")).status, 404);
}

TEST_F(ServiceTest, AttachLimitIsTenPoliciesPerCertificate) {
  auto arn = register_cert(self_signed_pem("dev"));
  std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})";
  for (int i = 0; i < 11; ++i) {
    auto name = "p" + std::to_string(i);
    ASSERT_EQ(call(signed_request("POST", "/policies/" + name, nlohmann::json{{"policyDocument", doc}}.dump())).status, 200);
    auto r = call(signed_request("PUT", "/target-policies/" + name, nlohmann::json{{"target", arn}}.dump()));
    if (i < 10) {
      EXPECT_EQ(r.status, 200) << r.body;
    } else {
      EXPECT_EQ(r.status, 410);
      EXPECT_EQ(header(r, "x-amzn-errortype"), "LimitExceededException");
    }
  }
  auto listed = body(call(signed_request("POST", "/attached-policies/" + aws_uri_encode(arn, false) + "?pageSize=4")));
  EXPECT_EQ(listed["policies"].size(), 4u);
  EXPECT_TRUE(listed.contains("nextMarker"));
}

TEST_F(ServiceTest, ThingsAndPrincipals) {
  auto arn = register_cert(self_signed_pem("dev"));
  auto created = call(signed_request("POST", "/things/t1", R"({"attributePayload":{"attributes":{"a":"1"}}})"));
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(call(signed_request("POST", "/things/t1", R"({"attributePayload":{"attributes":{"a":"1"}}})")).status, 200);
  auto clash = call(signed_request("POST", "/things/t1", R"({"attributePayload":{"attributes":{"a":"2"}}})"));
  EXPECT_EQ(clash.status, 409);
  EXPECT_EQ(call(signed_request("POST", "/things/bad$name")).status, 400);
  auto attach = signed_request("PUT", "/things/t1/principals");
  attach.headers.emplace_back("x-amzn-principal", arn);
  EXPECT_EQ(call(attach).status, 200);
  auto principals = body(call(signed_request("GET", "/things/t1/principals")));
  EXPECT_EQ(principals["principals"], nlohmann::json::array({arn}));
  auto d = body(call(signed_request("GET", "/things/t1")));
  EXPECT_EQ(d["defaultClientId"], "t1");
  EXPECT_EQ(d["attributes"]["a"], "1");
  EXPECT_EQ(d["version"], 1);
  EXPECT_EQ(call(signed_request("PATCH", "/things/t1", R"({"attributePayload":{"attributes":{"b":"2"},"merge":true},"expectedVersion":1})")).status, 200);
  auto stale = call(signed_request("PATCH", "/things/t1", R"({"expectedVersion":1})"));
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(header(stale, "x-amzn-errortype"), "VersionConflictException");
  d = body(call(signed_request("GET", "/things/t1")));
  EXPECT_EQ(d["attributes"], (nlohmann::json{{"a", "1"}, {"b", "2"}}));
  auto filtered = body(call(signed_request("GET", "/things?attributeName=b&attributeValue=2")));
  EXPECT_EQ(filtered["things"].size(), 1u);
  EXPECT_TRUE(body(call(signed_request("GET", "/things?attributeName=b&attributeValue=3")))["things"].empty());
}

}  // namespace
}  // namespace trustlane::api

namespace trustlane::api {
namespace {

// GET /trustlane/stats: trustlane's own route, outside AWS IoT's paths, authenticated like the rest.
TEST_F(ServiceTest, StatsRouteServesTheBrokerJsonUnsignedInLenientMode) {
  int calls = 0;
  broker_stats_ = [&calls] {
    ++calls;
    return std::string(R"({"connections":3})");
  };
  make_service(false);
  HttpRequest anonymous{"GET", "/trustlane/stats", {{"host", "x"}}, ""};
  auto r = call(anonymous);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["connections"], 3);
  EXPECT_EQ(header(r, "content-type"), "application/json");
  EXPECT_FALSE(header(r, "x-amzn-requestid").empty());
  EXPECT_EQ(calls, 1);
  // A query string does not change the route.
  EXPECT_EQ(call(HttpRequest{"GET", "/trustlane/stats?x=1", {{"host", "x"}}, ""}).status, 200);
}

TEST_F(ServiceTest, StatsRouteNeedsAValidSignatureInStrictMode) {
  broker_stats_ = [] { return std::string(R"({"connections":0})"); };
  make_service(true);
  auto missing = call(HttpRequest{"GET", "/trustlane/stats", {{"host", "x"}}, ""});
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(header(missing, "x-amzn-errortype"), "MissingAuthenticationTokenException");
  auto unknown = call(signed_request("GET", "/trustlane/stats", "", "123456789012"));
  EXPECT_EQ(unknown.status, 403);
  auto wrong = call(signed_request("GET", "/trustlane/stats", "", "AKIASECRETKEY", "wrong"));
  EXPECT_EQ(wrong.status, 403);
  auto ok = call(signed_request("GET", "/trustlane/stats", "", "AKIASECRETKEY", "s3cret"));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(body(ok)["connections"], 0);
}

TEST_F(ServiceTest, StatsRouteOnlyAnswersGetAndNeedsABroker) {
  auto none = call(signed_request("GET", "/trustlane/stats"));  // no broker wired in
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(header(none, "x-amzn-errortype"), "ResourceNotFoundException");
  broker_stats_ = [] { return std::string("{}"); };
  make_service(false);
  auto post = call(signed_request("POST", "/trustlane/stats", "{}"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(header(post, "x-amzn-errortype"), "MethodNotAllowedException");
  // Neighbouring paths are not the stats route (and not AWS operations either).
  EXPECT_EQ(call(signed_request("GET", "/trustlane/stats/x")).status, 404);
  EXPECT_EQ(call(signed_request("GET", "/trustlane")).status, 404);
}

}  // namespace
}  // namespace trustlane::api

// ---- trustlane's bulk route: POST /trustlane/bulk/register-without-ca ----------------------

namespace trustlane::api {
namespace {

class BulkRouteTest : public ServiceTest {
 protected:
  HttpResponse bulk(const nlohmann::json& request, const std::string& key = "123456789012",
                    const std::string& secret = "x") {
    return call(signed_request("POST", "/trustlane/bulk/register-without-ca", request.dump(), key, secret));
  }
  void create_policy(const std::string& name) {
    auto doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})";
    ASSERT_EQ(call(signed_request("POST", "/policies/" + name, nlohmann::json{{"policyDocument", doc}}.dump())).status, 200);
  }
};

TEST_F(BulkRouteTest, RegistersAttachesAndLinksEveryItemAndReportsBadOnesInTheirSlot) {
  create_policy("p");
  auto existing = self_signed_pem("old");
  register_cert(existing);
  auto fresh = self_signed_pem("new");
  nlohmann::json items = nlohmann::json::array(
      {{{"certificatePem", fresh}, {"thingName", "chip-1"}},
       {{"certificatePem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}, {"thingName", "chip-2"}},
       {{"certificatePem", existing}, {"thingName", "chip-3"}},
       {{"certificatePem", self_signed_pem("x")}, {"thingName", "bad name!"}},
       42});
  auto r = bulk({{"status", "ACTIVE"}, {"policyName", "p"}, {"items", items}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto results = body(r)["results"];
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0]["created"], true);
  EXPECT_EQ(results[0]["certificateArn"].get<std::string>().rfind("arn:aws:iot:us-east-1:123456789012:cert/", 0), 0u);
  EXPECT_EQ(results[1]["errorCode"], "CertificateValidationException");
  EXPECT_EQ(results[2]["created"], false);  // already registered: idempotent, links still ensured
  EXPECT_EQ(results[3]["errorCode"], "InvalidRequestException");
  EXPECT_EQ(results[4]["errorCode"], "InvalidRequestException");
  EXPECT_EQ(body(r)["maxItems"], kMaxBulkItems);

  // The effects are those of the four AWS calls.
  for (int i : {0, 2}) {
    auto arn = results[i]["certificateArn"].get<std::string>();
    auto attached = call(signed_request("POST", "/attached-policies/" + aws_uri_encode(arn, false)));
    ASSERT_EQ(attached.status, 200) << attached.body;
    EXPECT_EQ(body(attached)["policies"][0]["policyName"], "p");
    auto thing = i == 0 ? "chip-1" : "chip-3";
    auto principals = call(signed_request("GET", std::string("/things/") + thing + "/principals"));
    ASSERT_EQ(principals.status, 200) << principals.body;
    EXPECT_EQ(body(principals)["principals"], nlohmann::json::array({arn}));
    auto cert = call(signed_request("GET", "/certificates/" + results[i]["certificateId"].get<std::string>()));
    EXPECT_EQ(body(cert)["certificateDescription"]["status"], "ACTIVE");
    EXPECT_EQ(body(cert)["certificateDescription"]["certificateMode"], "SNI_ONLY");
  }
  EXPECT_EQ(call(signed_request("GET", "/things/chip-2")).status, 404);  // the bad item left nothing behind

  // A second run changes nothing and reports every good item as already present.
  auto again = bulk({{"status", "ACTIVE"}, {"policyName", "p"}, {"items", items}});
  EXPECT_EQ(body(again)["results"][0]["created"], false);
  EXPECT_EQ(body(again)["results"][0]["certificateId"], results[0]["certificateId"]);
}

TEST_F(BulkRouteTest, MalformedBodiesAndOversizedBatchesAreAwsShaped400) {
  auto garbage = call(signed_request("POST", "/trustlane/bulk/register-without-ca", "{not json"));
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(header(garbage, "x-amzn-errortype"), "InvalidRequestException");
  EXPECT_TRUE(body(garbage).contains("message"));
  auto no_items = bulk(nlohmann::json::object());
  EXPECT_EQ(no_items.status, 400);
  EXPECT_NE(body(no_items)["message"].get<std::string>().find("'items'"), std::string::npos);
  auto not_list = bulk({{"items", "x"}});
  EXPECT_EQ(not_list.status, 400);
  nlohmann::json many = nlohmann::json::array();
  for (std::size_t i = 0; i <= kMaxBulkItems; ++i) many.push_back({{"certificatePem", "x"}});
  auto too_many = bulk({{"items", many}});
  EXPECT_EQ(too_many.status, 400);
  EXPECT_NE(body(too_many)["message"].get<std::string>().find("at most 5000"), std::string::npos);
  auto bad_status = bulk({{"status", "PENDING_TRANSFER"}, {"items", nlohmann::json::array({{{"certificatePem", self_signed_pem("s")}}})}});
  EXPECT_EQ(bad_status.status, 400);
  EXPECT_EQ(header(bad_status, "x-amzn-errortype"), "InvalidRequestException");
  auto missing_policy = bulk({{"policyName", "nope"}, {"items", nlohmann::json::array({{{"certificatePem", self_signed_pem("m")}}})}});
  EXPECT_EQ(missing_policy.status, 404);
  EXPECT_EQ(header(missing_policy, "x-amzn-errortype"), "ResourceNotFoundException");
  // Nothing of the refused requests was stored.
  EXPECT_EQ(body(call(signed_request("GET", "/certificates")))["certificates"].size(), 0u);
  // An empty batch is the importer's probe.
  auto probe = bulk({{"items", nlohmann::json::array()}});
  EXPECT_EQ(probe.status, 200);
  EXPECT_EQ(body(probe)["results"], nlohmann::json::array());
}

TEST_F(BulkRouteTest, IsSignedAndAuthorisedLikeEveryRoute) {
  make_service(true);
  HttpRequest anonymous{"POST", "/trustlane/bulk/register-without-ca", {{"host", "x"}}, R"({"items":[]})"};
  EXPECT_EQ(call(anonymous).status, 403);
  EXPECT_EQ(bulk({{"items", nlohmann::json::array()}}, "AKIASECRETKEY", "wrong").status, 403);
  auto ok = bulk({{"items", nlohmann::json::array({{{"certificatePem", self_signed_pem("a")}}})}}, "AKIASECRETKEY", "s3cret");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(body(ok)["results"][0]["certificateArn"].get<std::string>().find(":444455556666:cert/"), std::string::npos);
}

}  // namespace
}  // namespace trustlane::api
