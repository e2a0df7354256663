// The importer's procedure against a scripted control plane that keeps AWS IoT's answers
// (409 ResourceAlreadyExistsException for a known certificate, idempotent attach, …). The real
// cloud is exercised end to end in tests/e2e/test_ledger.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "ledger/importer.hpp"

namespace trustlane::ledger {
namespace {

struct FakeCloud {
  std::mutex mutex;
  std::set<std::string> policies;
  std::map<std::string, std::string> certs;  // pem → arn
  std::set<std::pair<std::string, std::string>> attached;  // (policy, target)
  std::set<std::string> things;
  std::set<std::pair<std::string, std::string>> principals;  // (thing, arn)
  std::set<std::string> refuse_pems;  // answered with a CertificateValidationException
  int drop_connections = 0;           // next N requests fail at transport level
  std::size_t requests = 0;

  ApiResponse handle(const ApiRequest& r) {
    std::lock_guard lock(mutex);
    ++requests;
    if (drop_connections > 0) {
      --drop_connections;
      throw std::runtime_error("connection reset");
    }
    auto body = r.body.empty() ? nlohmann::json::object() : nlohmann::json::parse(r.body);
    if (r.method == "GET" && r.path.starts_with("/policies/")) {
      return policies.count(r.path.substr(10)) ? ApiResponse{200, "", "{}"}
                                               : ApiResponse{404, "ResourceNotFoundException", R"({"message":"no"})"};
    }
    if (r.method == "POST" && r.path.starts_with("/policies/")) {
      policies.insert(r.path.substr(10));
      return {200, "", "{}"};
    }
    if (r.path == "/certificate/register-no-ca") {
      std::string pem = body["certificatePem"];
      if (refuse_pems.count(pem)) return {400, "CertificateValidationException", R"({"message":"bad cert"})"};
      if (certs.count(pem))
        return {409, "ResourceAlreadyExistsException",
                nlohmann::json{{"message", "already"}, {"resourceArn", certs[pem]}}.dump()};
      std::string arn = "arn:aws:iot:r:a:cert/" + std::to_string(certs.size());
      certs[pem] = arn;
      return {200, "", nlohmann::json{{"certificateArn", arn}}.dump()};
    }
    if (r.method == "PUT" && r.path.starts_with("/target-policies/")) {
      auto policy = r.path.substr(17);
      if (!policies.count(policy)) return {404, "ResourceNotFoundException", "{}"};
      attached.insert({policy, body["target"]});
      return {200, "", ""};
    }
    if (r.method == "POST" && r.path.starts_with("/things/")) {
      bool fresh = things.insert(r.path.substr(8)).second;
      return fresh ? ApiResponse{200, "", "{}"} : ApiResponse{409, "ResourceAlreadyExistsException", "{}"};
    }
    if (r.method == "PUT" && r.path.ends_with("/principals")) {
      auto thing = r.path.substr(8, r.path.size() - 8 - 11);
      principals.insert({thing, r.headers.at(0).second});
      return {200, "", ""};
    }
    return {400, "InvalidRequestException", "{}"};
  }
};

struct FakeClient : ApiClient {
  explicit FakeClient(FakeCloud& c) : cloud(c) {}
  ApiResponse send(const ApiRequest& r) override { return cloud.handle(r); }
  FakeCloud& cloud;
};

std::vector<VerifiedEntry> entries(std::size_t n) {
  std::vector<VerifiedEntry> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back({"0400500" + std::to_string(100 + i), "PEM-" + std::to_string(i), std::to_string(1000 + i)});
  return out;
}

ImportOptions options() {
  ImportOptions o;
  o.account = "123456789012";
  o.region = "us-east-1";
  o.policy = "wildCardPolicy";
  o.thing_prefix = "chip-";
  o.connections = 4;
  o.path = ImportPath::PerCall;  // AWS IoT's four calls per chip; the bulk path is tested below
  return o;
}

TEST(LedgerImport, RegistersAttachesAndLinksEveryChip) {
  FakeCloud cloud;
  cloud.policies.insert("wildCardPolicy");
  auto s = import_entries(entries(50), options(), [&] { return std::make_unique<FakeClient>(cloud); });
  EXPECT_EQ(s.imported, 50u);
  EXPECT_EQ(s.already_present, 0u);
  EXPECT_TRUE(s.failed.empty());
  EXPECT_EQ(cloud.certs.size(), 50u);
  EXPECT_EQ(cloud.attached.size(), 50u);
  EXPECT_EQ(cloud.things.size(), 50u);
  EXPECT_TRUE(cloud.things.count("chip-0400500100"));
  EXPECT_EQ(cloud.principals.size(), 50u);
  EXPECT_EQ(s.requests, 200u);
}

TEST(LedgerImport, SecondRunFindsEverythingPresentAndChangesNothing) {
  FakeCloud cloud;
  cloud.policies.insert("wildCardPolicy");
  auto factory = [&] { return std::make_unique<FakeClient>(cloud); };
  import_entries(entries(20), options(), factory);
  auto certs = cloud.certs;
  auto attached = cloud.attached;
  auto principals = cloud.principals;
  auto s = import_entries(entries(20), options(), factory);
  EXPECT_EQ(s.imported, 0u);
  EXPECT_EQ(s.already_present, 20u);
  EXPECT_TRUE(s.failed.empty());
  EXPECT_EQ(cloud.certs, certs);
  EXPECT_EQ(cloud.attached, attached);
  EXPECT_EQ(cloud.principals, principals);
}

TEST(LedgerImport, ACloudRefusalIsReportedAndTheRestImported) {
  FakeCloud cloud;
  cloud.policies.insert("wildCardPolicy");
  cloud.refuse_pems.insert("PEM-3");
  auto s = import_entries(entries(10), options(), [&] { return std::make_unique<FakeClient>(cloud); });
  EXPECT_EQ(s.imported, 9u);
  ASSERT_EQ(s.failed.size(), 1u);
  EXPECT_EQ(s.failed[0].unique_id, "0400500103");
  EXPECT_EQ(s.failed[0].step, "register-certificate");
  EXPECT_EQ(s.failed[0].error, "CertificateValidationException: bad cert");
}

TEST(LedgerImport, ALostConnectionIsRetriedOnAFreshOne) {
  FakeCloud cloud;
  cloud.policies.insert("wildCardPolicy");
  cloud.drop_connections = 1;
  int connections = 0;
  auto o = options();
  o.connections = 1;
  auto s = import_entries(entries(3), o, [&] {
    ++connections;
    return std::make_unique<FakeClient>(cloud);
  });
  EXPECT_EQ(s.imported, 3u);
  EXPECT_TRUE(s.failed.empty());
  EXPECT_EQ(connections, 2);
}

TEST(LedgerImport, AnUnreachableCloudFailsEachEntryWithoutThrowing) {
  auto s = import_entries(entries(3), options(), []() -> std::unique_ptr<ApiClient> {
    throw std::runtime_error("cannot connect to 127.0.0.1:1: Connection refused");
  });
  EXPECT_EQ(s.imported, 0u);
  ASSERT_EQ(s.failed.size(), 3u);
  EXPECT_EQ(s.failed[0].step, "connection");
}

TEST(LedgerImport, MissingPolicyIsAnErrorUnlessAskedToCreateIt) {
  FakeCloud cloud;
  FakeClient client(cloud);
  auto o = options();
  EXPECT_THROW(ensure_policy(client, o), std::runtime_error);
  EXPECT_TRUE(cloud.policies.empty());
  o.create_policy = R"({"Version":"2012-10-17","Statement":[]})";
  ensure_policy(client, o);
  EXPECT_TRUE(cloud.policies.count("wildCardPolicy"));
  ensure_policy(client, o);  // present now: nothing to do
}

TEST(LedgerImportPath, AutoFallsBackToFourCallsWhenTheCloudHasNoBulkRoute) {
  FakeCloud cloud;  // answers the probe like an unknown route
  cloud.policies.insert("wildCardPolicy");
  auto o = options();
  o.path = ImportPath::Auto;
  auto s = import_entries(entries(5), o, [&] { return std::make_unique<FakeClient>(cloud); });
  EXPECT_EQ(s.path, ImportPath::PerCall);
  EXPECT_EQ(s.imported, 5u);
  EXPECT_EQ(s.requests, 1u + 5 * 4);  // the probe, then four calls per chip
}

TEST(LedgerImportPath, ForcedBulkOnACloudWithoutItIsAClearError) {
  FakeCloud cloud;
  cloud.policies.insert("wildCardPolicy");
  auto o = options();
  o.path = ImportPath::Bulk;
  try {
    import_entries(entries(2), o, [&] { return std::make_unique<FakeClient>(cloud); });
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not offer /trustlane/bulk/register-without-ca"), std::string::npos);
  }
  EXPECT_TRUE(cloud.certs.empty());
}

// A cloud offering the bulk route: one request per batch, per-item results in item order.
struct BulkCloud : ApiClient {
  std::vector<std::size_t> batch_sizes;
  ApiResponse send(const ApiRequest& r) override {
    if (r.path != kBulkRoute) return {400, "InvalidRequestException", "{}"};
    auto body = nlohmann::json::parse(r.body);
    nlohmann::json results = nlohmann::json::array();
    for (auto& item : body["items"]) {
      std::string pem = item["certificatePem"];
      if (pem == "PEM-3") results.push_back({{"errorCode", "CertificateValidationException"}, {"errorMessage", "bad"}});
      else results.push_back({{"certificateId", std::to_string(1000 + std::stoi(pem.substr(4)))},
                              {"certificateArn", "arn"}, {"created", pem != "PEM-0"}});
    }
    if (!body["items"].empty()) batch_sizes.push_back(body["items"].size());
    return {200, "", nlohmann::json{{"maxItems", 4}, {"results", results}}.dump()};
  }
};

TEST(LedgerImportPath, AutoUsesTheBulkRouteInBatchesCappedByTheServer) {
  auto cloud = std::make_shared<BulkCloud>();
  auto o = options();
  o.path = ImportPath::Auto;
  o.batch = 100;  // the server's maxItems (4) wins
  o.connections = 1;
  struct Shared : ApiClient {
    std::shared_ptr<BulkCloud> c;
    ApiResponse send(const ApiRequest& r) override { return c->send(r); }
  };
  auto s = import_entries(entries(10), o, [&] {
    auto client = std::make_unique<Shared>();
    client->c = cloud;
    return client;
  });
  EXPECT_EQ(s.path, ImportPath::Bulk);
  EXPECT_EQ(cloud->batch_sizes, (std::vector<std::size_t>{4, 4, 2}));
  EXPECT_EQ(s.imported, 8u);
  EXPECT_EQ(s.already_present, 1u);
  ASSERT_EQ(s.failed.size(), 1u);
  EXPECT_EQ(s.failed[0].unique_id, "0400500103");
  EXPECT_EQ(s.failed[0].error, "CertificateValidationException: bad");
  EXPECT_EQ(s.requests, 4u);  // probe + 3 batches
}

// Chips go out in certificate-id order, whatever the ledger's order: neighbouring ids share the
// registry's index pages. Each batch is a run of consecutive ids.
TEST(LedgerImportPath, BatchesHoldNeighbouringCertificateIds) {
  struct RecordingCloud : ApiClient {
    std::mutex mutex;
    std::vector<std::vector<std::string>> batches;  // thing names, as sent
    ApiResponse send(const ApiRequest& r) override {
      auto body = nlohmann::json::parse(r.body);
      nlohmann::json results = nlohmann::json::array();
      std::vector<std::string> things;
      for (auto& item : body["items"]) {
        things.push_back(item["thingName"]);
        results.push_back({{"created", true}});
      }
      std::lock_guard lock(mutex);
      if (!things.empty()) batches.push_back(things);
      return {200, "", nlohmann::json{{"maxItems", 3}, {"results", results}}.dump()};
    }
  };
  auto cloud = std::make_shared<RecordingCloud>();
  struct Shared : ApiClient {
    std::shared_ptr<RecordingCloud> c;
    ApiResponse send(const ApiRequest& r) override { return c->send(r); }
  };
  std::vector<VerifiedEntry> ledger;
  for (const char* id : {"e5", "0a", "c3", "7f", "12", "9b", "44", "d0"})
    ledger.push_back({std::string("uid-") + id, "PEM", id});
  auto o = options();
  o.path = ImportPath::Bulk;
  auto s = import_entries(ledger, o, [&] {
    auto client = std::make_unique<Shared>();
    client->c = cloud;
    return client;
  });
  EXPECT_EQ(s.imported, 8u);
  std::sort(cloud->batches.begin(), cloud->batches.end());  // workers finish in any order
  EXPECT_EQ(cloud->batches, (std::vector<std::vector<std::string>>{{"chip-uid-0a", "chip-uid-12", "chip-uid-44"},
                                                                   {"chip-uid-7f", "chip-uid-9b", "chip-uid-c3"},
                                                                   {"chip-uid-d0", "chip-uid-e5"}}));
}

}  // namespace
}  // namespace trustlane::ledger
