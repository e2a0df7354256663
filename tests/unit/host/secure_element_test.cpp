// host::SecureElement against real chips, in process and through both TCP transports.
#include "host/secure_element.hpp"

#include <gtest/gtest.h>

#include "chip/store.hpp"
#include "crypto/digest.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "link/chip_server.hpp"

namespace trustlane::host {
namespace {
namespace obj = se05x::object;

enum class Via { kInProcess, kJrcp, kT1 };

std::string via_name(const testing::TestParamInfo<Via>& info) {
  switch (info.param) {
    case Via::kInProcess: return "InProcess";
    case Via::kJrcp: return "Jrcp";
    case Via::kT1: return "T1";
  }
  return "?";
}

class SecureElementTest : public testing::TestWithParam<Via> {
 protected:
  void SetUp() override {
    store_ = chip::Store::in_memory();
    chip_ = store_->mint(1).front();
    se_ = connect(chip_);
    se_->select();
  }

  std::unique_ptr<SecureElement> connect(std::shared_ptr<chip::Chip> c) {
    if (GetParam() == Via::kInProcess) return std::make_unique<SecureElement>(*c);
    link::ServerOptions options;
    options.base_port = 0;
    options.threads = 1;
    options.transport = GetParam() == Via::kJrcp ? link::Transport::kJrcp : link::Transport::kT1;
    servers_.push_back(std::make_unique<link::ChipServer>(std::vector<link::ServedChip>{{c, {}}}, options));
    servers_.back()->start();
    return std::make_unique<SecureElement>(
        link::open_channel(link::ChannelAddress{options.transport, servers_.back()->endpoints()[0], std::nullopt}));
  }

  std::uint16_t status_of(const std::function<void()>& call) {
    try {
      call();
    } catch (const SeError& e) {
      return e.status_word();
    }
    return 0x9000;
  }

  std::unique_ptr<chip::Store> store_;
  std::shared_ptr<chip::Chip> chip_;
  std::vector<std::unique_ptr<link::ChipServer>> servers_;
  std::unique_ptr<SecureElement> se_;  // declared last: closed before the servers stop
};

TEST_P(SecureElementTest, SelectAndVersionAgree) {
  auto selected = se_->select();
  EXPECT_EQ(selected.text(), "3.1.1");
  EXPECT_EQ(se_->version(), selected);
  EXPECT_EQ(se_->personality(), "SE050 (applet 3.1.1)");
  EXPECT_EQ(se_->max_response(), 892u);
}

TEST_P(SecureElementTest, Se050eAnnouncesApplet7) {
  auto e = store_->mint(1, chip::Personality::Se050E).front();
  auto se = connect(e);
  EXPECT_EQ(se->select().text(), "7.2.0");
  EXPECT_EQ(se->max_response(), 1024u);
  EXPECT_EQ(object_type_name(se->object_type(obj::kCloudKey0).code, 7), "ec-key-pair");
  EXPECT_THROW(se->select(8), SeError);  // an applet older than required is refused
}

TEST_P(SecureElementTest, UniqueIdIsTheChipsEighteenBytes) {
  EXPECT_EQ(se_->unique_id(), chip_->unique_id());
}

TEST_P(SecureElementTest, ListsTheFactoryObjects) {
  auto ids = se_->list_objects();
  for (auto id : {obj::kCloudKey0, obj::kCloudCert0}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << std::hex << id;
  }
  EXPECT_TRUE(se_->exists(obj::kCloudKey0));
  EXPECT_FALSE(se_->exists(0x12345678));
  auto key_type = se_->object_type(obj::kCloudKey0);
  EXPECT_EQ(object_type_name(key_type.code, 3), "ec-key-pair");
  EXPECT_FALSE(key_type.transient);
  EXPECT_EQ(object_type_name(se_->object_type(obj::kCloudCert0).code, 3), "binary");
  EXPECT_EQ(se_->ec_curve(obj::kCloudKey0), se05x::curve::kNistP256);
}

TEST_P(SecureElementTest, ListPagesThroughManyObjects) {
  for (std::uint32_t i = 0; i < 300; ++i) se_->write_binary(0x10000000 + i, Bytes{static_cast<std::uint8_t>(i)});
  auto ids = se_->list_objects();
  std::size_t ours = std::count_if(ids.begin(), ids.end(), [](std::uint32_t id) { return (id >> 24) == 0x10; });
  EXPECT_EQ(ours, 300u);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "an id was listed twice";
}

TEST_P(SecureElementTest, ReadsTheFactoryCertificate) {
  auto der = se_->read_certificate_der(obj::kCloudCert0);
  EXPECT_EQ(der.size(), se_->object_size(obj::kCloudCert0));
  auto cert = crypto::Certificate::from_der(der);
  ASSERT_TRUE(cert);
  Bytes serial = chip_->unique_id();
  serial.insert(serial.end(), {0, 0});
  EXPECT_EQ(cert->serial(), serial);
  EXPECT_TRUE(cert->issued_by(store_->vendor_ca()));
  EXPECT_EQ(se_->read_certificate_pem(obj::kCloudCert0), cert->pem());
  EXPECT_EQ(se_->read_certificate(obj::kCloudCert0).der(), der);
  // The key pair answers ReadObject with its public point, which matches the certificate.
  EXPECT_EQ(se_->read_object(obj::kCloudKey0), cert->public_key()->public_point());
}

TEST_P(SecureElementTest, ChunkedReadsAndWritesOfLargeBinaries) {
  Bytes data(1777);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
  se_->write_binary(0x20000001, data);
  EXPECT_EQ(se_->object_size(0x20000001), data.size());
  EXPECT_EQ(se_->read_object(0x20000001), data);
  EXPECT_EQ(se_->read_object(0x20000001, 1000, 300), Bytes(data.begin() + 1000, data.begin() + 1300));
}

TEST_P(SecureElementTest, SignsWithTheFactoryKey) {
  auto digest = crypto::sha256(as_bytes("hello from the device"));
  auto signature = se_->sign_digest(obj::kCloudKey0, digest);
  auto cert = crypto::Certificate::from_der(se_->read_certificate_der(obj::kCloudCert0));
  ASSERT_TRUE(cert);
  EXPECT_TRUE(cert->public_key()->verify_digest(digest, signature));
  auto other = crypto::sha256(as_bytes("something else"));
  EXPECT_FALSE(cert->public_key()->verify_digest(other, signature));
}

TEST_P(SecureElementTest, GeneratesKeysThatSignVerifyAndAgree) {
  auto point = se_->generate_ec_key(0x30000001);
  ASSERT_EQ(point.size(), 65u);
  auto pub = crypto::Key::from_public_point(crypto::Curve::P256, point);
  ASSERT_TRUE(pub);
  auto digest = crypto::sha256(as_bytes("generated"));
  auto signature = se_->sign_digest(0x30000001, digest);
  EXPECT_TRUE(pub->verify_digest(digest, signature));
  EXPECT_TRUE(se_->verify_digest(0x30000001, digest, signature));
  auto wrong = digest;
  wrong[0] ^= 1;
  EXPECT_FALSE(se_->verify_digest(0x30000001, wrong, signature));

  auto peer = crypto::Key::generate();
  auto shared = se_->ecdh(0x30000001, peer.public_point());
  EXPECT_EQ(shared.size(), 32u);
  EXPECT_EQ(shared, peer.derive_shared_x(point));
}

TEST_P(SecureElementTest, ImportsKeys) {
  auto key = crypto::Key::generate();
  se_->import_ec_key(0x30000002, EcKeyPart::kPair, key.private_scalar(), key.public_point());
  auto digest = crypto::sha256(as_bytes("imported"));
  EXPECT_TRUE(key.verify_digest(digest, se_->sign_digest(0x30000002, digest)));
  EXPECT_EQ(se_->read_object(0x30000002), key.public_point());  // never the private scalar

  se_->import_ec_key(0x30000003, EcKeyPart::kPublic, {}, key.public_point());
  EXPECT_TRUE(se_->verify_digest(0x30000003, digest, key.sign_digest(digest)));
  EXPECT_EQ(object_type_name(se_->object_type(0x30000003).code, 3), "ec-public-key");
}

TEST_P(SecureElementTest, PoliciesAreEnforcedAndReportedByStatusWord) {
  namespace pol = se05x::policy;
  KeyOptions sign_only;
  sign_only.policy = {{pol::kAnyone, pol::kSign | pol::kDelete, {}}};
  se_->generate_ec_key(0x30000004, KeyOptions{}) ;  // default policy: anything goes
  se_->delete_object(0x30000004);
  se_->import_ec_key(0x30000004, EcKeyPart::kPair, {}, {}, sign_only);
  auto digest = crypto::sha256(as_bytes("policy"));
  EXPECT_NO_THROW(se_->sign_digest(0x30000004, digest));
  try {
    se_->ecdh(0x30000004, crypto::Key::generate().public_point());
    FAIL() << "key agreement allowed by a sign-only policy";
  } catch (const SeError& e) {
    EXPECT_EQ(e.status_word(), se05x::sw::kCommandNotAllowed);
    EXPECT_EQ(e.operation(), "ECDH");
    EXPECT_NE(std::string(e.what()).find("6986"), std::string::npos) << e.what();
  }
  se_->write_binary(0x20000002, Bytes{1, 2, 3}, {{pol::kAnyone, pol::kWrite | pol::kDelete, {}}});
  EXPECT_EQ(status_of([&] { se_->read_object(0x20000002); }), se05x::sw::kCommandNotAllowed);
}

TEST_P(SecureElementTest, DeletesObjects) {
  se_->write_binary(0x20000003, Bytes{9});
  EXPECT_TRUE(se_->exists(0x20000003));
  se_->delete_object(0x20000003);
  EXPECT_FALSE(se_->exists(0x20000003));
  try {
    se_->delete_object(0x20000003);
    FAIL();
  } catch (const SeError& e) {
    EXPECT_EQ(e.status_word(), se05x::sw::kFileNotFound);
    EXPECT_EQ(e.operation(), "DeleteSecureObject");
  }
}

TEST_P(SecureElementTest, RandomAndFreeMemory) {
  auto a = se_->random(32);
  auto b = se_->random(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(status_of([&] { se_->random(0); }), se05x::sw::kConditionsNotSatisfied);
  // A real SE050 caps the answer at 0x7FFF; only "some" is guaranteed.
  EXPECT_GT(se_->free_memory(), 0);
  EXPECT_GT(se_->free_memory(Memory::kTransientReset), 0);
}

TEST_P(SecureElementTest, MissingObjectsAreNamedErrors) {
  EXPECT_EQ(status_of([&] { se_->read_object(0x0BADBEEF); }), se05x::sw::kFileNotFound);
  EXPECT_EQ(status_of([&] { se_->sign_digest(0x0BADBEEF, Bytes(32, 1)); }), se05x::sw::kFileNotFound);
}

INSTANTIATE_TEST_SUITE_P(Channels, SecureElementTest, testing::Values(Via::kInProcess, Via::kJrcp, Via::kT1), via_name);

}  // namespace
}  // namespace trustlane::host
