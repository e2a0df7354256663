// Registry rules of iot::Store, and the Registry interface the broker uses.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

#include "crypto/x509.hpp"
#include "iot/arn.hpp"
#include "iot/store.hpp"

namespace trustlane::iot {
namespace {

constexpr std::int64_t kNow = 1795000000;
const Scope kA{"111111111111", "us-east-1"};
const Scope kB{"222222222222", "us-east-1"};
const std::string kDoc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})";

struct Issued {
  crypto::Key key;
  crypto::Certificate cert;
};

Issued make_cert(const std::string& cn, const Issued* issuer = nullptr, bool is_ca = false,
                 std::int64_t not_after = kNow + 86400) {
  auto key = crypto::Key::generate();
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", cn}};
  spec.not_before = kNow - 3600;
  spec.not_after = not_after;
  spec.is_ca = is_ca;
  auto cert = crypto::issue_certificate(spec, key, issuer ? issuer->key : key, issuer ? &issuer->cert : nullptr);
  return {key, cert};
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("trustlane-iot-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ca_ = std::make_shared<const CloudCa>(CloudCa::load_or_create(dir_));
    open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void open() {
    store_.reset();
    StoreOptions o;
    o.clock = [] { return kNow; };
    store_ = std::make_unique<Store>(dir_ / "registry.db", ca_, o);
  }
  CertificateInfo register_no_ca(const Scope& s, const crypto::Certificate& c,
                                 CertificateStatus st = CertificateStatus::Active) {
    auto r = store_->register_certificate_without_ca(s, c.pem(), st);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : CertificateInfo{};
  }
  // A DEFAULT-mode CA with its proof of possession for scope s.
  Outcome<CaInfo> register_ca(const Scope& s, const Issued& ca, bool auto_reg = true,
                              CertificateMode mode = CertificateMode::Default) {
    RegisterCaRequest r;
    r.ca_pem = ca.cert.pem();
    r.mode = mode;
    if (mode == CertificateMode::Default) r.verification_pem = make_cert(store_->registration_code(s), &ca).cert.pem();
    r.set_active = true;
    r.allow_auto_registration = auto_reg;
    return store_->register_ca_certificate(s, r);
  }

  std::filesystem::path dir_;
  std::shared_ptr<const CloudCa> ca_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, RegisterWithoutCaIsSniOnlyWithDerSha256Id) {
  auto c = make_cert("dev");
  auto info = register_no_ca(kA, c.cert);
  EXPECT_EQ(info.id, c.cert.sha256_hex());
  EXPECT_EQ(info.mode, CertificateMode::SniOnly);
  EXPECT_EQ(info.status, CertificateStatus::Active);
  EXPECT_EQ(info.arn, "arn:aws:iot:us-east-1:111111111111:cert/" + info.id);
  EXPECT_TRUE(info.ca_id.empty());
}

TEST_F(StoreTest, OncePerAccountButManyAccounts) {
  auto c = make_cert("dev");
  register_no_ca(kA, c.cert);
  auto again = store_->register_certificate_without_ca(kA, c.cert.pem(), CertificateStatus::Active);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::ResourceAlreadyExists);
  EXPECT_EQ(again.error().resource_id, c.cert.sha256_hex());
  EXPECT_TRUE(store_->register_certificate_without_ca(kB, c.cert.pem(), CertificateStatus::Active));
  EXPECT_TRUE(store_->find_certificate(kA, c.cert.sha256_hex()));
  EXPECT_TRUE(store_->find_certificate(kB, c.cert.sha256_hex()));
  EXPECT_FALSE(store_->find_certificate({"333333333333", "us-east-1"}, c.cert.sha256_hex()));
}

TEST_F(StoreTest, RejectsExpiredNotYetValidAndGarbage) {
  auto expired = make_cert("old", nullptr, false, kNow - 10);
  auto r = store_->register_certificate_without_ca(kA, expired.cert.pem(), CertificateStatus::Active);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::CertificateValidation);
  EXPECT_NE(r.error().message.find("expired"), std::string::npos);
  r = store_->register_certificate_without_ca(kA, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                                              CertificateStatus::Active);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::CertificateValidation);
  r = store_->register_certificate_without_ca(kA, std::string(70000, 'x'), CertificateStatus::Active);
  ASSERT_FALSE(r);
  r = store_->register_certificate_without_ca(kA, make_cert("p").cert.pem(), CertificateStatus::PendingActivation);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
}

TEST_F(StoreTest, StatusTransitionsAndDeleteRules) {
  auto c = make_cert("dev");
  auto info = register_no_ca(kA, c.cert);
  auto r = store_->update_certificate(kA, info.id, CertificateStatus::PendingTransfer);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
  EXPECT_FALSE(store_->update_certificate(kA, info.id, CertificateStatus::PendingActivation));
  auto del = store_->delete_certificate(kA, info.id, false);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().kind, ErrorKind::CertificateState);  // ACTIVE
  ASSERT_TRUE(store_->create_policy(kA, "p", kDoc));
  ASSERT_TRUE(store_->attach_policy(kA, "p", info.arn));
  ASSERT_TRUE(store_->update_certificate(kA, info.id, CertificateStatus::Inactive));
  del = store_->delete_certificate(kA, info.id, false);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().kind, ErrorKind::DeleteConflict);  // policy attached
  ASSERT_TRUE(store_->create_thing(kA, "t", "", {}));
  ASSERT_TRUE(store_->attach_thing_principal(kA, "t", info.arn));
  del = store_->delete_certificate(kA, info.id, true);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().kind, ErrorKind::DeleteConflict);  // thing attached: force does not help
  ASSERT_TRUE(store_->detach_thing_principal(kA, "t", info.arn));
  ASSERT_TRUE(store_->delete_certificate(kA, info.id, true));  // force detaches policies
  EXPECT_FALSE(store_->find_certificate(kA, info.id));
  EXPECT_TRUE(store_->list_targets_for_policy(kA, "p", {})->items.empty());
}

TEST_F(StoreTest, CaRegistrationNeedsProofOfPossessionInDefaultMode) {
  auto ca = make_cert("Vendor CA", nullptr, true);
  RegisterCaRequest r;
  r.ca_pem = ca.cert.pem();
  auto missing = store_->register_ca_certificate(kA, r);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::InvalidRequest);
  r.verification_pem = make_cert("not-the-code", &ca).cert.pem();
  auto wrong_cn = store_->register_ca_certificate(kA, r);
  ASSERT_FALSE(wrong_cn);
  EXPECT_EQ(wrong_cn.error().kind, ErrorKind::RegistrationCodeValidation);
  auto other = make_cert("Other CA", nullptr, true);
  r.verification_pem = make_cert(store_->registration_code(kA), &other).cert.pem();
  auto wrong_signer = store_->register_ca_certificate(kA, r);
  ASSERT_FALSE(wrong_signer);
  EXPECT_EQ(wrong_signer.error().kind, ErrorKind::CertificateValidation);
  ASSERT_TRUE(register_ca(kA, ca));
  // DEFAULT mode: one account per region; SNI_ONLY: many.
  auto taken = register_ca(kB, ca);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::ResourceAlreadyExists);
  EXPECT_TRUE(register_ca(kB, ca, false, CertificateMode::SniOnly));
  EXPECT_TRUE(register_ca({"111111111111", "eu-west-1"}, ca));
  EXPECT_EQ(store_->registration_code(kA), store_->registration_code(kA));
  EXPECT_NE(store_->registration_code(kA), store_->registration_code(kB));
}

TEST_F(StoreTest, NonCaCertificateCannotBeRegisteredAsCa) {
  RegisterCaRequest r;
  r.ca_pem = make_cert("leaf").cert.pem();
  r.mode = CertificateMode::SniOnly;
  auto out = store_->register_ca_certificate(kA, r);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::CertificateValidation);
}

TEST_F(StoreTest, RegisterCertificateUnderCaInheritsModeAndMustVerify) {
  auto ca = make_cert("Vendor CA", nullptr, true);
  auto ca_info = register_ca(kA, ca);
  ASSERT_TRUE(ca_info);
  auto device = make_cert("device", &ca);
  auto r = store_->register_certificate(kA, device.cert.pem(), "", CertificateStatus::Active);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->mode, CertificateMode::Default);
  EXPECT_EQ(r->ca_id, ca_info->id);
  auto stranger = make_cert("stranger");
  auto bad = store_->register_certificate(kA, stranger.cert.pem(), "", CertificateStatus::Active);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::CertificateValidation);
  bad = store_->register_certificate(kA, stranger.cert.pem(), ca.cert.pem(), CertificateStatus::Active);
  ASSERT_FALSE(bad);
  // Listing by CA and the delete rule for CAs.
  EXPECT_EQ(store_->list_certificates(kA, {}, ca_info->id)->items.size(), 1u);
  auto del = store_->delete_ca_certificate(kA, ca_info->id);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().kind, ErrorKind::CertificateState);  // still ACTIVE
  ASSERT_TRUE(store_->update_ca_certificate(kA, ca_info->id, {CaStatus::Inactive, {}, {}, false}));
  del = store_->delete_ca_certificate(kA, ca_info->id);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().kind, ErrorKind::CertificateState);  // certificates under it
  ASSERT_TRUE(store_->update_certificate(kA, r->id, CertificateStatus::Inactive));
  ASSERT_TRUE(store_->delete_certificate(kA, r->id, false));
  EXPECT_TRUE(store_->delete_ca_certificate(kA, ca_info->id));
}

TEST_F(StoreTest, InactiveCaRefusesRegistration) {
  auto ca = make_cert("Vendor CA", nullptr, true);
  auto ca_info = register_ca(kA, ca);
  ASSERT_TRUE(store_->update_ca_certificate(kA, ca_info->id, {CaStatus::Inactive, {}, {}, false}));
  auto r = store_->register_certificate(kA, make_cert("d", &ca).cert.pem(), "", CertificateStatus::Active);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::CertificateState);
}

TEST_F(StoreTest, JitrRegistersPendingActivationAndNotifies) {
  auto ca = make_cert("Vendor CA", nullptr, true);
  auto ca_info = register_ca(kA, ca);
  auto device = make_cert("device", &ca);
  auto found = store_->find_default_issuing_ca("us-east-1", device.cert);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->first, kA);
  EXPECT_EQ(found->second.id, ca_info->id);
  EXPECT_TRUE(store_->find_issuing_ca(kA, device.cert));
  EXPECT_FALSE(store_->find_issuing_ca(kB, device.cert));
  std::string payload;
  RegistryObserver observer;
  observer.certificate_registered = [&](const Scope&, const CertificateInfo&, const std::string& p) { payload = p; };
  store_->observe(observer);
  auto r = store_->register_pending_certificate(kA, device.cert, ca_info->id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, CertificateStatus::PendingActivation);
  EXPECT_NE(payload.find("\"certificateId\":\"" + r->id + "\""), std::string::npos);
  EXPECT_NE(payload.find("\"caCertificateId\":\"" + ca_info->id + "\""), std::string::npos);
  auto again = store_->register_pending_certificate(kA, device.cert, ca_info->id);
  EXPECT_FALSE(again);
  auto by_default = store_->find_default_certificate("us-east-1", r->id);
  ASSERT_TRUE(by_default);
  EXPECT_EQ(by_default->first, kA);
}

TEST_F(StoreTest, SniOnlyCertificatesAreNotFoundWithoutSni) {
  auto info = register_no_ca(kA, make_cert("dev").cert);
  EXPECT_FALSE(store_->find_default_certificate("us-east-1", info.id));
  auto keys = store_->create_keys_and_certificate(kA, true);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->certificate.mode, CertificateMode::Default);
  EXPECT_TRUE(store_->find_default_certificate("us-east-1", keys->certificate.id));
  EXPECT_FALSE(store_->find_default_certificate("eu-west-1", keys->certificate.id));
  auto issued = crypto::Certificate::from_pem(keys->certificate.pem);
  ASSERT_TRUE(issued);
  EXPECT_TRUE(issued->issued_by(ca_->certificate()));
  EXPECT_TRUE(crypto::Key::from_pem(keys->private_key_pem));
}

TEST_F(StoreTest, EndpointPrefixIsStableAcrossRestartsAndResolvesSni) {
  auto prefix = store_->endpoint_prefix(kA);
  EXPECT_EQ(prefix.size(), 14u);
  EXPECT_NE(prefix, store_->endpoint_prefix(kB));
  open();
  EXPECT_EQ(store_->endpoint_prefix(kA), prefix);
  auto host = *store_->describe_endpoint(kA, "iot:Data-ATS");
  EXPECT_EQ(store_->resolve_endpoint(host), kA);
  EXPECT_EQ(store_->resolve_endpoint(prefix + ".iot.us-east-1.trustlane.local"), kA);
  EXPECT_EQ(store_->resolve_endpoint(prefix + "-ats.iot.US-EAST-1.Trustlane.Local"), kA);
  EXPECT_FALSE(store_->resolve_endpoint(prefix + "-ats.iot.eu-west-1.trustlane.local"));
  EXPECT_FALSE(store_->resolve_endpoint("aaaaaaaaaaaaaa-ats.iot.us-east-1.trustlane.local"));
  EXPECT_FALSE(store_->resolve_endpoint(prefix + "-ats.iot.us-east-1.amazonaws.com"));
  EXPECT_FALSE(store_->resolve_endpoint(""));
}

TEST_F(StoreTest, DataSurvivesReopen) {
  auto info = register_no_ca(kA, make_cert("dev").cert);
  ASSERT_TRUE(store_->create_policy(kA, "p", kDoc));
  ASSERT_TRUE(store_->attach_policy(kA, "p", info.arn));
  open();
  EXPECT_TRUE(store_->find_certificate(kA, info.id));
  auto policies = store_->policies_for_certificate(kA, info.id);
  ASSERT_EQ(policies.size(), 1u);
  EXPECT_EQ(policies[0].document, kDoc);
}

TEST_F(StoreTest, PoliciesForCertificateFollowDefaultVersion) {
  auto info = register_no_ca(kA, make_cert("dev").cert);
  ASSERT_TRUE(store_->create_policy(kA, "p", kDoc));
  ASSERT_TRUE(store_->attach_policy(kA, "p", info.arn));
  std::vector<std::string> changed;
  RegistryObserver observer;
  observer.policies_changed = [&](const Scope&, const std::string& cid) { changed.push_back(cid); };
  auto id = store_->observe(observer);
  std::string doc2 = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iot:*","Resource":"*"}]})";
  ASSERT_TRUE(store_->create_policy_version(kA, "p", doc2, false));
  EXPECT_TRUE(changed.empty());  // not the default: nothing changes for connections
  EXPECT_EQ(store_->policies_for_certificate(kA, info.id)[0].document, kDoc);
  ASSERT_TRUE(store_->set_default_policy_version(kA, "p", "2"));
  EXPECT_EQ(changed, std::vector<std::string>{info.id});
  EXPECT_EQ(store_->policies_for_certificate(kA, info.id)[0].document, doc2);
  EXPECT_EQ(store_->policies_for_certificate(kA, info.id)[0].version_id, "2");
  ASSERT_TRUE(store_->detach_policy(kA, "p", info.arn));
  EXPECT_EQ(changed.size(), 2u);
  EXPECT_TRUE(store_->policies_for_certificate(kA, info.id).empty());
  store_->unobserve(id);
  ASSERT_TRUE(store_->attach_policy(kA, "p", info.arn));
  EXPECT_EQ(changed.size(), 2u);
}

TEST_F(StoreTest, StatusChangeAndDeleteNotifyObservers) {
  auto info = register_no_ca(kA, make_cert("dev").cert);
  std::vector<std::optional<CertificateStatus>> seen;
  RegistryObserver observer;
  observer.certificate_changed = [&](const Scope& s, const std::string& cid, std::optional<CertificateStatus> st) {
    EXPECT_EQ(s, kA);
    EXPECT_EQ(cid, info.id);
    seen.push_back(st);
  };
  store_->observe(observer);
  ASSERT_TRUE(store_->update_certificate(kA, info.id, CertificateStatus::Revoked));
  ASSERT_TRUE(store_->delete_certificate(kA, info.id, false));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], CertificateStatus::Revoked);
  EXPECT_EQ(seen[1], std::nullopt);
}

TEST_F(StoreTest, AttachRequiresExistingCertificateInTheSameAccount) {
  auto info = register_no_ca(kA, make_cert("dev").cert);
  ASSERT_TRUE(store_->create_policy(kB, "p", kDoc));
  auto r = store_->attach_policy(kB, "p", info.arn);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
  r = store_->attach_policy(kB, "p", certificate_arn(kB, info.id));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::ResourceNotFound);
  EXPECT_FALSE(store_->attach_policy(kB, "p", "not-an-arn"));
}

TEST_F(StoreTest, ThingsForCertificateCarryTypeAndAttributes) {
  auto info = register_no_ca(kA, make_cert("dev").cert);
  ASSERT_TRUE(store_->create_thing(kA, "sensor-1", "sensor", {{"room", "kitchen"}}));
  ASSERT_TRUE(store_->attach_thing_principal(kA, "sensor-1", info.arn));
  auto things = store_->things_for_certificate(kA, info.id);
  ASSERT_EQ(things.size(), 1u);
  EXPECT_EQ(things[0].name, "sensor-1");
  EXPECT_EQ(things[0].type_name, "sensor");
  EXPECT_EQ(things[0].attributes.at("room"), "kitchen");
  EXPECT_TRUE(store_->things_for_certificate(kB, info.id).empty());
  auto del = store_->delete_thing(kA, "sensor-1", std::nullopt);
  EXPECT_FALSE(del);  // principals attached
  EXPECT_TRUE(store_->delete_thing(kA, "missing", std::nullopt));  // AWS: idempotent
}

TEST_F(StoreTest, PrincipalThingsByCertificatePagedAndKeptAcrossReopen) {
  auto mine = register_no_ca(kA, make_cert("mine").cert);
  auto other = register_no_ca(kA, make_cert("other").cert);
  for (const char* name : {"t2", "t0", "t1"}) {
    ASSERT_TRUE(store_->create_thing(kA, name, "", {}));
    ASSERT_TRUE(store_->attach_thing_principal(kA, name, mine.arn));
  }
  ASSERT_TRUE(store_->attach_thing_principal(kA, "t1", other.arn));
  // A registry written by an earlier version has the index by principal: reopening drops it.
  store_.reset();
  auto index_count = [&] {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "registry.db").c_str(), &db), SQLITE_OK);
    int n = -1;
    sqlite3_exec(
        db, "SELECT count(*) FROM sqlite_master WHERE name = 'thing_principals_by_principal'",
        [](void* out, int, char** values, char**) { return *static_cast<int*>(out) = std::atoi(values[0]), 0; }, &n,
        nullptr);
    return std::pair{db, n};
  };
  auto [old_db, before] = index_count();
  ASSERT_EQ(before, 0);
  ASSERT_EQ(sqlite3_exec(old_db, "CREATE INDEX thing_principals_by_principal ON thing_principals(account, region, principal)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(old_db);
  open();
  auto [db, after] = index_count();
  sqlite3_close(db);
  EXPECT_EQ(after, 0);
  auto all = [&](const std::string& principal) {
    PageRequest page;
    page.size = 2;
    std::vector<std::string> names;
    for (int guard = 0; guard < 10; ++guard) {
      auto p = store_->list_principal_things(kA, principal, page);
      EXPECT_TRUE(p);
      if (!p) break;
      names.insert(names.end(), p->items.begin(), p->items.end());
      if (p->next.empty()) break;
      page.marker = p->next;
    }
    return names;
  };
  EXPECT_EQ(all(mine.arn), (std::vector<std::string>{"t0", "t1", "t2"}));
  EXPECT_EQ(all(other.arn), (std::vector<std::string>{"t1"}));
  ASSERT_TRUE(store_->detach_thing_principal(kA, "t1", mine.arn));
  EXPECT_EQ(all(mine.arn), (std::vector<std::string>{"t0", "t2"}));
}

TEST_F(StoreTest, PaginationOverPoliciesAndThings) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->create_policy(kA, "p" + std::to_string(i), kDoc));
    ASSERT_TRUE(store_->create_thing(kA, "t" + std::to_string(i), "", {}));
  }
  PageRequest page;
  page.size = 2;
  std::vector<std::string> names;
  for (int guard = 0; guard < 10; ++guard) {
    auto p = store_->list_policies(kA, page);
    ASSERT_TRUE(p);
    for (auto& item : p->items) names.push_back(item.name);
    if (p->next.empty()) break;
    page.marker = p->next;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4"}));
  page = {};
  page.size = 5;
  auto exact = store_->list_things(kA, {}, page);
  EXPECT_EQ(exact->items.size(), 5u);
  EXPECT_TRUE(exact->next.empty());  // exactly one full page: no marker
  page.marker = "@@@";
  EXPECT_FALSE(store_->list_things(kA, {}, page));
}

}  // namespace
}  // namespace trustlane::iot

namespace trustlane::iot {
namespace {

TEST_F(StoreTest, BulkRegistrationRollsBackAFailingItemAloneAndNotifiesOnlyCommittedAttachments) {
  for (int i = 0; i < 11; ++i) ASSERT_TRUE(store_->create_policy(kA, "p" + std::to_string(i), kDoc));
  auto full = make_cert("full");
  auto full_info = register_no_ca(kA, full.cert);
  for (int i = 1; i < 11; ++i) ASSERT_TRUE(store_->attach_policy(kA, "p" + std::to_string(i), full_info.arn));
  std::vector<std::string> notified;
  RegistryObserver observer;
  observer.policies_changed = [&](const Scope&, const std::string& id) { notified.push_back(id); };
  store_->observe(observer);
  auto fresh = make_cert("fresh");
  auto r = store_->bulk_register_without_ca(
      kA, {{fresh.cert.pem(), "t-fresh"}, {full.cert.pem(), "t-full"}, {"junk", "t-junk"}}, CertificateStatus::Active,
      "p0");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  ASSERT_TRUE((*r)[0]);
  EXPECT_TRUE((*r)[0]->created);
  ASSERT_FALSE((*r)[1]);
  EXPECT_EQ((*r)[1].error().kind, ErrorKind::LimitExceeded);  // an 11th policy
  ASSERT_FALSE((*r)[2]);
  EXPECT_EQ((*r)[2].error().kind, ErrorKind::CertificateValidation);
  EXPECT_TRUE(store_->describe_thing(kA, "t-fresh"));
  EXPECT_FALSE(store_->describe_thing(kA, "t-full"));  // rolled back with its item
  EXPECT_EQ(notified, std::vector<std::string>{(*r)[0]->certificate.id});
  auto missing = store_->bulk_register_without_ca(kA, {{make_cert("m").cert.pem(), ""}}, CertificateStatus::Active, "none");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::ResourceNotFound);
}

// The batch that fails nowhere takes the one-savepoint path: the same effects, item by item.
TEST_F(StoreTest, BulkRegistrationOfGoodItemsStoresEveryLink) {
  ASSERT_TRUE(store_->create_policy(kA, "p", kDoc));
  auto known = make_cert("known");
  auto known_info = register_no_ca(kA, known.cert);
  ASSERT_TRUE(store_->create_thing(kA, "t-kept", "", {{"a", "1"}}));
  auto fresh = make_cert("fresh");
  auto r = store_->bulk_register_without_ca(kA, {{fresh.cert.pem(), "t-kept"}, {known.cert.pem(), "t-known"}},
                                            CertificateStatus::Active, "p");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  ASSERT_TRUE((*r)[0] && (*r)[1]);
  EXPECT_TRUE((*r)[0]->created);
  EXPECT_FALSE((*r)[1]->created);
  EXPECT_EQ((*r)[1]->certificate.id, known_info.id);
  EXPECT_EQ(store_->describe_thing(kA, "t-kept")->attributes, (Attributes{{"a", "1"}}));  // kept as it was
  EXPECT_TRUE(store_->describe_thing(kA, "t-known"));
  for (const auto* info : {&(*r)[0]->certificate, &(*r)[1]->certificate}) {
    auto policies = store_->list_attached_policies(kA, info->arn, {});
    ASSERT_TRUE(policies);
    ASSERT_EQ(policies->items.size(), 1u);
    EXPECT_EQ(policies->items[0].name, "p");
  }
  auto principals = store_->list_thing_principals(kA, "t-kept", {});
  ASSERT_TRUE(principals);
  EXPECT_EQ(principals->items, std::vector<std::string>{(*r)[0]->certificate.arn});
}

}  // namespace
}  // namespace trustlane::iot
