// Ledger entries: export from real (in-memory) chips, then every way an entry can be wrong.
#include <gtest/gtest.h>

#include <sstream>

#include "chip/factory.hpp"
#include "crypto/digest.hpp"
#include "chip/store.hpp"
#include "ledger/entry.hpp"
#include "ledger/export.hpp"
#include "ledger/jws.hpp"
#include "ledger/signer.hpp"
#include "ledger/verify.hpp"

namespace trustlane::ledger {
namespace {

struct Vendor {
  chip::VendorCa ca = chip::make_vendor_ca();
  ManifestSigner signer = issue_signer(ca.key, ca.cert);
  LedgerChip chip() const {
    auto p = chip::provision_chip(ca, "DNS:batch.test");
    for (auto& o : p.objects)
      if (o.id == 0xF0000101) return {p.uid, *crypto::Certificate::from_der(o.data), "SE050C", 1700000000};
    throw std::logic_error("no certificate");
  }
  nlohmann::json entry(const LedgerChip& c) const { return make_entry(c, ca.cert, signer); }
};

Trust trust_signer(const Vendor& v) { return {v.signer.cert, std::nullopt}; }
Trust trust_ca(const Vendor& v) { return {std::nullopt, v.ca.cert}; }

TEST(LedgerJws, SignsAndVerifiesEs256) {
  auto key = crypto::Key::generate();
  auto jws = jws_sign_es256({{"alg", "ES256"}}, nlohmann::json::object(), "hello", key);
  auto parsed = jws_parse(jws.dump());
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->payload, "hello");
  EXPECT_EQ(parsed->signature.size(), 64u);
  EXPECT_TRUE(jws_verify_es256(*parsed, key));
  EXPECT_FALSE(jws_verify_es256(*parsed, crypto::Key::generate()));
  EXPECT_FALSE(jws.contains("header"));  // empty unprotected header is left out
}

TEST(LedgerJws, ParseRefusesNonJwsWithoutThrowing) {
  for (auto text : {R"(1)", R"([])", R"({})", R"({"protected":"!!","payload":"","signature":""})",
                    R"({"protected":"e30","payload":"**","signature":""})",
                    R"({"protected":"bnVsbA","payload":"","signature":""})",  // "null" is not an object
                    R"({"protected":"e30","payload":"","signature":"", "header": 3})", "not json", ""}) {
    EXPECT_FALSE(jws_parse(text)) << text;
  }
}

TEST(LedgerEntry, HasTheTrustAndGoShape) {
  Vendor v;
  auto c = v.chip();
  auto jws = jws_parse(v.entry(c).dump());
  ASSERT_TRUE(jws);
  auto payload = nlohmann::json::parse(jws->payload);
  EXPECT_EQ(payload["uniqueId"], to_hex(c.unique_id));
  EXPECT_EQ(payload["partNumber"], "SE050C");
  EXPECT_EQ(payload["provisioningTimestamp"], "2023-11-14T22:13:20.000Z");
  const auto& key = payload["publicKeySet"]["keys"][0];
  EXPECT_EQ(key["kty"], "EC");
  EXPECT_EQ(key["crv"], "P-256");
  EXPECT_EQ(key["kid"], "F0000100");
  EXPECT_EQ(key["x5c"][0], base64_encode(c.certificate.der()));
  EXPECT_EQ(key["x5c"][1], base64_encode(v.ca.cert.der()));
  EXPECT_EQ(key["x"].get<std::string>().size(), 43u);  // 32 bytes, base64url unpadded
  EXPECT_EQ(jws->protected_header["alg"], "ES256");
  EXPECT_EQ(jws->protected_header["kid"], v.signer.cert.sha256_hex());
  EXPECT_EQ(jws->protected_header["x5c"][0], base64_encode(v.signer.cert.der()));
  EXPECT_EQ(nlohmann::json::parse(jws->header_json)["uniqueId"], to_hex(c.unique_id));
}

TEST(LedgerVerify, AcceptsAGoodEntryWithEitherTrustAnchor) {
  Vendor v;
  auto c = v.chip();
  for (const auto& trust : {trust_signer(v), trust_ca(v), Trust{v.signer.cert, v.ca.cert}}) {
    auto r = Verifier(trust).verify(v.entry(c).dump(), 0);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->unique_id, to_hex(c.unique_id));
    EXPECT_EQ(r->certificate_id, c.certificate.sha256_hex());
    EXPECT_EQ(r->certificate_pem, c.certificate.pem());
  }
}

Rejection rejection(const Verifier& verifier, const nlohmann::json& entry, std::string* uid = nullptr) {
  auto r = verifier.verify(entry.dump(), 7);
  EXPECT_FALSE(r);
  if (r) return Rejection::Malformed;
  if (uid) *uid = r.error().unique_id;
  return r.error().reason;
}

TEST(LedgerVerify, TamperedPayloadIsABadSignatureNamedByItsUniqueId) {
  Vendor v;
  auto c = v.chip();
  auto entry = v.entry(c);
  auto payload = nlohmann::json::parse(trustlane::to_string(*base64url_decode(entry["payload"].get<std::string>())));
  payload["partNumber"] = "SE050E";
  entry["payload"] = base64url_encode(as_bytes(payload.dump()));
  std::string uid;
  EXPECT_EQ(rejection(Verifier(trust_ca(v)), entry, &uid), Rejection::BadSignature);
  EXPECT_EQ(uid, to_hex(c.unique_id));
}

TEST(LedgerVerify, FlippedSignatureBitIsABadSignature) {
  Vendor v;
  auto entry = v.entry(v.chip());
  auto sig = *base64url_decode(entry["signature"].get<std::string>());
  sig[5] ^= 1;
  entry["signature"] = base64url_encode(sig);
  EXPECT_EQ(rejection(Verifier(trust_signer(v)), entry), Rejection::BadSignature);
}

TEST(LedgerVerify, WrongSignerIsUntrusted) {
  Vendor v;
  auto c = v.chip();
  // Another signer of the same vendor, not the one the importer was told to trust.
  ManifestSigner other = issue_signer(v.ca.key, v.ca.cert);
  auto entry = make_entry(c, v.ca.cert, other);
  EXPECT_EQ(rejection(Verifier(trust_signer(v)), entry), Rejection::UntrustedSigner);
  // A signer of a different CA, checked against the vendor CA.
  auto foreign = chip::make_vendor_ca();
  auto entry2 = make_entry(c, v.ca.cert, issue_signer(foreign.key, foreign.cert));
  EXPECT_EQ(rejection(Verifier(trust_ca(v)), entry2), Rejection::UntrustedSigner);
  // A self-made signer whose x5c merely claims the vendor CA.
  auto forged = make_entry(c, v.ca.cert, issue_signer(foreign.key, v.ca.cert));
  EXPECT_EQ(rejection(Verifier(trust_ca(v)), forged), Rejection::UntrustedSigner);
}

TEST(LedgerVerify, ChipOfAnotherVendorIsForeign) {
  Vendor v, other;
  auto entry = make_entry(other.chip(), v.ca.cert, v.signer);  // our signer, their chip
  EXPECT_EQ(rejection(Verifier(trust_ca(v)), entry), Rejection::ForeignChip);
  EXPECT_EQ(rejection(Verifier(trust_signer(v)), entry), Rejection::ForeignChip);
}

// Rebuilds an entry's payload with `edit` applied, re-signed by the (trusted) signer: what a
// buggy vendor tool could produce.
nlohmann::json resigned(const Vendor& v, const LedgerChip& c, const std::function<void(nlohmann::json&)>& edit) {
  auto entry = v.entry(c);
  auto jws = *jws_parse(entry.dump());
  auto payload = nlohmann::json::parse(jws.payload);
  edit(payload);
  return jws_sign_es256(jws.protected_header, nlohmann::json::parse(jws.header_json), payload.dump(), v.signer.key);
}

TEST(LedgerVerify, JwkThatIsNotTheCertificateKeyIsRefused) {
  Vendor v;
  auto c = v.chip();
  auto other = v.chip();
  auto entry = resigned(v, c, [&](nlohmann::json& p) {
    auto point = other.certificate.public_key()->public_point();
    p["publicKeySet"]["keys"][0]["x"] = base64url_encode(ByteView(point.data() + 1, 32));
  });
  EXPECT_EQ(rejection(Verifier(trust_ca(v)), entry), Rejection::KeyMismatch);
}

TEST(LedgerVerify, UniqueIdThatIsNotTheSerialIsRefused) {
  Vendor v;
  auto c = v.chip();
  auto entry = resigned(v, c, [&](nlohmann::json& p) { p["uniqueId"] = to_hex(v.chip().unique_id); });
  EXPECT_EQ(rejection(Verifier(trust_ca(v)), entry), Rejection::UniqueIdMismatch);
}

TEST(LedgerVerify, MalformedPayloadsAreReportedNotThrown) {
  Vendor v;
  auto c = v.chip();
  std::vector<std::function<void(nlohmann::json&)>> edits = {
      [](nlohmann::json& p) { p = 5; },
      [](nlohmann::json& p) { p.erase("uniqueId"); },
      [](nlohmann::json& p) { p["uniqueId"] = "zz"; },
      [](nlohmann::json& p) { p["publicKeySet"] = "x"; },
      [](nlohmann::json& p) { p["publicKeySet"]["keys"] = nlohmann::json::array(); },
      [](nlohmann::json& p) { p["publicKeySet"]["keys"][0]["crv"] = "P-384"; },
      [](nlohmann::json& p) { p["publicKeySet"]["keys"][0]["x5c"] = {"AAAA"}; },
      [](nlohmann::json& p) { p["publicKeySet"]["keys"][0]["x5c"] = 1; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i)
    EXPECT_EQ(rejection(Verifier(trust_ca(v)), resigned(v, c, edits[i])), Rejection::Malformed) << "edit " << i;
  auto entry = v.entry(c);
  entry["protected"] = base64url_encode(as_bytes(R"({"alg":"none"})"));
  EXPECT_EQ(rejection(Verifier(trust_ca(v)), entry), Rejection::UnsupportedAlg);
  std::string uid;
  EXPECT_EQ(rejection(Verifier(trust_ca(v)), nlohmann::json::array(), &uid), Rejection::Malformed);
  EXPECT_EQ(uid, "#7");  // nothing names the chip: its position does
}

// simdjson would read the first of two members of the same name, where nlohmann (and most
// parsers) keep the last: an entry that two readers could read differently is refused.
TEST(LedgerVerify, DuplicateMembersAreMalformed) {
  Vendor v;
  auto c = v.chip();
  std::string good = v.entry(c).dump();
  auto with_first_member = [&](const std::string& text, const std::string& member) {
    return "{" + member + "," + text.substr(1);
  };
  auto check = [&](const std::string& text, const std::string& says) {
    auto r = Verifier(trust_ca(v)).verify(text, 0);
    ASSERT_FALSE(r) << says;
    EXPECT_EQ(r.error().reason, Rejection::Malformed) << says;
    EXPECT_NE(r.error().detail.find(says), std::string::npos) << r.error().detail;
  };
  check(with_first_member(good, R"("payload":"e30")"), R"(duplicate member "payload")");
  check(with_first_member(good, R"("signature":"AAAA")"), R"(duplicate member "signature")");
  auto header_twice = good;
  header_twice.replace(header_twice.find(R"("header":{)"), 10, R"("header":{"uniqueId":"00",)");
  check(header_twice, R"(duplicate member "uniqueId" in the header)");
  // Inside the signed payload and its key, re-signed by the trusted signer.
  auto jws = *jws_parse(good);
  auto payload = jws.payload;
  auto twice = "{\"uniqueId\":\"00\"," + payload.substr(1);
  check(jws_sign_es256(jws.protected_header, nlohmann::json::parse(jws.header_json), twice, v.signer.key).dump(),
        R"(payload has a duplicate member "uniqueId")");
  auto key_twice = payload;
  key_twice.replace(key_twice.find(R"("kty":"EC")"), 10, R"("kty":"EC","kty":"EC")");
  check(jws_sign_es256(jws.protected_header, nlohmann::json::parse(jws.header_json), key_twice, v.signer.key).dump(),
        R"(key has a duplicate member "kty")");
  EXPECT_TRUE(Verifier(trust_ca(v)).verify(good, 0));
}

TEST(LedgerVerify, TextThatIsNotJsonIsReportedNotThrown) {
  Vendor v;
  for (std::string_view text : {"", "{", "{\"header\": tru}", "[1 2]", "\"\\x\""}) {
    auto r = Verifier(trust_ca(v)).verify(text, 3);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().reason, Rejection::InvalidJson) << text;
    EXPECT_EQ(r.error().unique_id, "#3");
    EXPECT_FALSE(r.error().detail.empty());
  }
}

// One verifier decodes each distinct protected header once: good and bad headers interleaved
// keep their own verdicts however often they repeat.
TEST(LedgerVerify, CachedHeaderVerdictsStayPerHeader) {
  Vendor v;
  Verifier verifier(trust_ca(v));
  auto none_alg = base64url_encode(as_bytes(R"({"alg":"none"})"));
  for (int round = 0; round < 3; ++round) {
    auto good = v.entry(v.chip());
    EXPECT_TRUE(verifier.verify(good.dump(), 0)) << round;
    auto bad_alg = good;
    bad_alg["protected"] = none_alg;
    EXPECT_EQ(rejection(verifier, bad_alg), Rejection::UnsupportedAlg);
    auto not_b64 = good;
    not_b64["protected"] = "!!";
    EXPECT_EQ(rejection(verifier, not_b64), Rejection::Malformed);
    auto not_object = good;
    not_object["protected"] = base64url_encode(as_bytes("[1]"));
    EXPECT_EQ(rejection(verifier, not_object), Rejection::Malformed);
    auto tampered = v.entry(v.chip());
    tampered["payload"] = good["payload"];  // the same header, another entry's payload
    EXPECT_EQ(rejection(verifier, tampered), Rejection::BadSignature);
  }
  EXPECT_EQ(verifier.signer_checks(), 1u);
}

TEST(LedgerVerify, DuplicateFilterKeepsTheFirstOccurrence) {
  Vendor v;
  auto a = *Verifier(trust_ca(v)).verify(v.entry(v.chip()).dump(), 0);
  auto b = *Verifier(trust_ca(v)).verify(v.entry(v.chip()).dump(), 1);
  DuplicateFilter f;
  EXPECT_TRUE(f.first_time(a));
  EXPECT_TRUE(f.first_time(b));
  EXPECT_FALSE(f.first_time(a));
}

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("trustlane-ledger-" + to_hex(crypto::random_bytes(6)));
  ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(LedgerSigner, CreatedOnceInTheStoreWithAPrivateKeyFile) {
  TempDir dir;
  auto store = chip::Store::create(dir.path);
  auto first = load_or_create_signer(dir.path, store->vendor_ca());
  EXPECT_TRUE(first.cert.issued_by(store->vendor_ca()));
  auto perms = std::filesystem::status(dir.path / kSignerKeyFile).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto again = load_or_create_signer(dir.path, store->vendor_ca());
  EXPECT_EQ(again.cert.der(), first.cert.der());
  // A signer file of another vendor is refused, not silently used.
  auto other = chip::make_vendor_ca();
  EXPECT_THROW(load_or_create_signer(dir.path, other.cert), std::runtime_error);
}

TEST(LedgerExport, WritesOneVerifiableEntryPerChip) {
  TempDir dir;
  auto store = chip::Store::create(dir.path);
  store->mint(3, chip::Personality::Se050C);
  store->mint(1, chip::Personality::Se050E);
  auto signer = load_or_create_signer(dir.path, store->vendor_ca());
  std::ostringstream out;
  EXPECT_EQ(write_ledger(*store, signer, out), 4u);
  auto ledger = nlohmann::json::parse(out.str());
  ASSERT_TRUE(ledger.is_array());
  ASSERT_EQ(ledger.size(), 4u);
  Verifier verifier({std::nullopt, store->vendor_ca()});
  for (std::size_t i = 0; i < 4; ++i) {
    auto r = verifier.verify(ledger[i].dump(), i);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->unique_id, to_hex(store->at(i)->unique_id()));
    auto payload = nlohmann::json::parse(jws_parse(ledger[i].dump())->payload);
    EXPECT_EQ(payload["partNumber"], i < 3 ? "SE050C" : "SE050E");
  }
}

}  // namespace
}  // namespace trustlane::ledger
