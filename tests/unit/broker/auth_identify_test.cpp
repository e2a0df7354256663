// MAR identification against a real registry (iot::Store in a temporary directory).
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <random>

#include "broker/auth_identify.hpp"
#include "crypto/key.hpp"
#include "iot/store.hpp"

namespace trustlane::broker {
namespace {

namespace fs = std::filesystem;

class IdentifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("broker-auth-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    ca_ = std::make_shared<const iot::CloudCa>(iot::CloudCa::load_or_create(dir_));
    store_ = std::make_unique<iot::Store>(dir_ / "registry.db", ca_);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string host(const iot::Scope& s) { return *store_->describe_endpoint(s, "iot:Data-ATS"); }

  static crypto::Certificate self_signed(const std::string& cn) {
    auto key = crypto::Key::generate();
    crypto::CertificateSpec spec;
    spec.subject = {{"CN", cn}};
    return crypto::issue_certificate(spec, key, key, nullptr);
  }

  IdentifyOutcome run(std::optional<std::string> sni, const crypto::Certificate& cert, std::int64_t now = time(nullptr)) {
    IdentifyInput in{std::move(sni), cert, "trustlane.local", {"us-east-1", "eu-west-1"}, now};
    return identify(*store_, in);
  }
  static Refusal refusal(const IdentifyOutcome& o) {
    EXPECT_TRUE(std::holds_alternative<Refused>(o));
    return std::holds_alternative<Refused>(o) ? std::get<Refused>(o).reason : Refusal::server_busy;
  }

  fs::path dir_;
  std::shared_ptr<const iot::CloudCa> ca_;
  std::unique_ptr<iot::Store> store_;
  iot::Scope a_{"111111111111", "us-east-1"};
  iot::Scope b_{"222222222222", "us-east-1"};
};

TEST_F(IdentifyTest, SniOnlyCertificateNeedsItsAccountsSni) {
  auto cert = self_signed("vendor");
  ASSERT_TRUE(store_->register_certificate_without_ca(a_, cert.pem(), iot::CertificateStatus::Active));
  auto ok = run(host(a_), cert);
  ASSERT_TRUE(std::holds_alternative<Identity>(ok));
  EXPECT_EQ(std::get<Identity>(ok).scope, a_);
  EXPECT_EQ(std::get<Identity>(ok).certificate.id, cert.sha256_hex());
  EXPECT_EQ(refusal(run(std::nullopt, cert)), Refusal::unknown_certificate);
  EXPECT_EQ(refusal(run(host(b_), cert)), Refusal::unknown_certificate);
  EXPECT_EQ(refusal(run(std::string("localhost"), cert)), Refusal::unknown_certificate);  // not our domain = no SNI
  EXPECT_EQ(refusal(run(std::string("abcdefghijklmn-ats.iot.us-east-1.trustlane.local"), cert)),
            Refusal::unknown_endpoint);
}

TEST_F(IdentifyTest, SameCertificateInTwoAccountsRoutedBySni) {
  auto cert = self_signed("shared");
  ASSERT_TRUE(store_->register_certificate_without_ca(a_, cert.pem(), iot::CertificateStatus::Active));
  ASSERT_TRUE(store_->register_certificate_without_ca(b_, cert.pem(), iot::CertificateStatus::Active));
  EXPECT_EQ(std::get<Identity>(run(host(a_), cert)).scope, a_);
  EXPECT_EQ(std::get<Identity>(run(host(b_), cert)).scope, b_);
}

TEST_F(IdentifyTest, OnlyActiveCertificatesConnect) {
  auto cert = self_signed("dev");
  auto info = store_->register_certificate_without_ca(a_, cert.pem(), iot::CertificateStatus::Inactive);
  ASSERT_TRUE(info);
  EXPECT_EQ(refusal(run(host(a_), cert)), Refusal::certificate_not_active);
  ASSERT_TRUE(store_->update_certificate(a_, info->id, iot::CertificateStatus::Active));
  EXPECT_TRUE(std::holds_alternative<Identity>(run(host(a_), cert)));
  ASSERT_TRUE(store_->update_certificate(a_, info->id, iot::CertificateStatus::Revoked));
  EXPECT_EQ(refusal(run(host(a_), cert)), Refusal::certificate_not_active);
}

TEST_F(IdentifyTest, DefaultModeCertificateFoundWithoutSni) {
  auto made = store_->create_keys_and_certificate(iot::Scope{"333333333333", "eu-west-1"}, true);
  ASSERT_TRUE(made);
  auto cert = *crypto::Certificate::from_pem(made->certificate.pem);
  auto ok = run(std::nullopt, cert);
  ASSERT_TRUE(std::holds_alternative<Identity>(ok));
  EXPECT_EQ(std::get<Identity>(ok).scope, (iot::Scope{"333333333333", "eu-west-1"}));
}

TEST_F(IdentifyTest, CertificateOutsideItsValidityWindowIsRefusedBeforeAnyLookup) {
  auto cert = self_signed("dev");
  ASSERT_TRUE(store_->register_certificate_without_ca(a_, cert.pem(), iot::CertificateStatus::Active));
  EXPECT_TRUE(std::holds_alternative<Identity>(run(host(a_), cert, cert.not_after())));  // last valid second
  EXPECT_EQ(refusal(run(host(a_), cert, cert.not_after() + 1)), Refusal::certificate_expired);
  EXPECT_EQ(refusal(run(host(a_), cert, cert.not_before() - 1)), Refusal::certificate_expired);
  // Even one nobody registered: refused for its dates, not looked up (and never JITR'd).
  EXPECT_EQ(refusal(run(host(a_), self_signed("other"), 0)), Refusal::certificate_expired);
}

TEST_F(IdentifyTest, NoCertificateRefused) {
  IdentifyInput in{std::nullopt, std::nullopt, "trustlane.local", {"us-east-1"}};
  EXPECT_EQ(refusal(identify(*store_, in)), Refusal::no_certificate);
}

TEST_F(IdentifyTest, JitrRegistersPendingActivationAndNotifies) {
  auto ca_key = crypto::Key::generate();
  crypto::CertificateSpec ca_spec;
  ca_spec.subject = {{"CN", "Vendor CA"}};
  ca_spec.is_ca = true;
  auto ca_cert = crypto::issue_certificate(ca_spec, ca_key, ca_key, nullptr);
  iot::RegisterCaRequest req;
  req.ca_pem = ca_cert.pem();
  req.mode = iot::CertificateMode::SniOnly;
  req.set_active = true;
  req.allow_auto_registration = true;
  auto ca = store_->register_ca_certificate(a_, req);
  ASSERT_TRUE(ca) << ca.error().message;

  std::string event;
  iot::RegistryObserver o;
  o.certificate_registered = [&](const iot::Scope&, const iot::CertificateInfo&, const std::string& p) { event = p; };
  store_->observe(o);

  auto dev_key = crypto::Key::generate();
  crypto::CertificateSpec dev_spec;
  dev_spec.subject = {{"CN", "device-1"}};
  auto dev = crypto::issue_certificate(dev_spec, dev_key, ca_key, &ca_cert);
  EXPECT_EQ(refusal(run(host(a_), dev)), Refusal::jitr_registered);
  auto stored = store_->find_certificate(a_, dev.sha256_hex());
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, iot::CertificateStatus::PendingActivation);
  EXPECT_NE(event.find(ca->id), std::string::npos);
  // Second attempt: known now, but not ACTIVE.
  EXPECT_EQ(refusal(run(host(a_), dev)), Refusal::certificate_not_active);
  // Another account's SNI does not know the CA.
  EXPECT_EQ(refusal(run(host(b_), dev)), Refusal::unknown_certificate);

  // An ACTIVE certificate under a CA that becomes INACTIVE is refused.
  ASSERT_TRUE(store_->update_certificate(a_, stored->id, iot::CertificateStatus::Active));
  EXPECT_TRUE(std::holds_alternative<Identity>(run(host(a_), dev)));
  iot::UpdateCaRequest off;
  off.new_status = iot::CaStatus::Inactive;
  ASSERT_TRUE(store_->update_ca_certificate(a_, ca->id, off));
  EXPECT_EQ(refusal(run(host(a_), dev)), Refusal::ca_not_active);
}

TEST_F(IdentifyTest, JitrNeedsAutoRegistration) {
  auto ca_key = crypto::Key::generate();
  crypto::CertificateSpec ca_spec;
  ca_spec.subject = {{"CN", "Quiet CA"}};
  ca_spec.is_ca = true;
  auto ca_cert = crypto::issue_certificate(ca_spec, ca_key, ca_key, nullptr);
  iot::RegisterCaRequest req;
  req.ca_pem = ca_cert.pem();
  req.mode = iot::CertificateMode::SniOnly;
  req.set_active = true;
  ASSERT_TRUE(store_->register_ca_certificate(a_, req));
  auto dev_key = crypto::Key::generate();
  crypto::CertificateSpec dev_spec;
  dev_spec.subject = {{"CN", "device-2"}};
  auto dev = crypto::issue_certificate(dev_spec, dev_key, ca_key, &ca_cert);
  EXPECT_EQ(refusal(run(host(a_), dev)), Refusal::unknown_certificate);
  EXPECT_FALSE(store_->find_certificate(a_, dev.sha256_hex()));
}

}  // namespace
}  // namespace trustlane::broker
