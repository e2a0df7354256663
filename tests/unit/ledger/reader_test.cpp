// Streaming a whole ledger: element-by-element parsing, chunked verification, duplicates in order,
// and refusal of files that are not one complete JSON array.
#include <gtest/gtest.h>

#include <sstream>

#include "chip/factory.hpp"
#include "ledger/entry.hpp"
#include "ledger/reader.hpp"
#include "ledger/signer.hpp"

namespace trustlane::ledger {
namespace {

struct Ledger {
  chip::VendorCa ca = chip::make_vendor_ca();
  ManifestSigner signer = issue_signer(ca.key, ca.cert);
  nlohmann::json entry() const {
    auto p = chip::provision_chip(ca, "DNS:batch.test");
    for (auto& o : p.objects)
      if (o.id == 0xF0000101)
        return make_entry({p.uid, *crypto::Certificate::from_der(o.data), "SE050C", 0}, ca.cert, signer);
    throw std::logic_error("no certificate");
  }
  Verifier verifier() const { return Verifier({std::nullopt, ca.cert}); }
};

VerifiedLedger read(const std::string& text, const Verifier& v, unsigned threads = 2) {
  std::istringstream in(text);
  return verify_ledger(in, v, threads);
}

TEST(LedgerReader, ReadsEveryEntryAcrossChunksAndKeepsOrder) {
  Ledger l;
  nlohmann::json one = l.entry();
  std::vector<nlohmann::json> distinct;
  for (int i = 0; i < 5; ++i) distinct.push_back(l.entry());
  // 1500 entries (more than one chunk): 5 distinct chips, then the first one again and again.
  std::string text = "[";
  for (int i = 0; i < 1500; ++i) text += (i ? "," : "") + (i < 5 ? distinct[static_cast<std::size_t>(i)] : distinct[0]).dump();
  text += "]";
  auto r = read(text, l.verifier());
  EXPECT_EQ(r.total, 1500u);
  ASSERT_EQ(r.accepted.size(), 5u);
  ASSERT_EQ(r.rejected.size(), 1495u);
  EXPECT_EQ(r.rejected.front().reason, Rejection::Duplicate);
  EXPECT_EQ(r.rejected.back().reason, Rejection::Duplicate);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(r.accepted[static_cast<std::size_t>(i)].unique_id,
              distinct[static_cast<std::size_t>(i)]["header"]["uniqueId"].get<std::string>());
  (void)one;
}

TEST(LedgerReader, AFileCutInItsSecondChunkThrowsWithTheFirstInFlight) {
  // Verification of one chunk runs while the next is parsed: the parse error of a file cut in
  // its second chunk must still end in the one clear error (the workers joined, nothing leaked).
  Ledger l;
  std::string entry = l.entry().dump();
  std::string text = "[";
  for (int i = 0; i < 2100; ++i) text += (i ? "," : "") + entry;  // two full chunks and a part
  text += "]";
  EXPECT_THROW(read(text.substr(0, text.size() * 95 / 100), l.verifier()), std::runtime_error);
  auto whole = read(text, l.verifier(), 3);
  EXPECT_EQ(whole.total, 2100u);
  EXPECT_EQ(whole.accepted.size(), 1u);
  EXPECT_EQ(whole.rejected.size(), 2099u);  // the same chip again: duplicates, decided in order
}

TEST(LedgerReader, NonObjectElementsAreMalformedEntriesNamedByPosition) {
  Ledger l;
  auto r = read("[1, [2, 3], \"x\", " + l.entry().dump() + "]", l.verifier(), 1);
  EXPECT_EQ(r.total, 4u);
  EXPECT_EQ(r.accepted.size(), 1u);
  ASSERT_EQ(r.rejected.size(), 3u);
  EXPECT_EQ(r.rejected[0].unique_id, "#0");
  EXPECT_EQ(r.rejected[1].unique_id, "#1");
  EXPECT_EQ(r.rejected[2].reason, Rejection::Malformed);
}

TEST(LedgerReader, RefusesFilesThatAreNotOneCompleteArray) {
  Ledger l;
  std::string good = "[" + l.entry().dump() + "]";
  for (const std::string& text : {good.substr(0, good.size() / 2), std::string("{\"a\": 1}"), std::string(""),
                                  std::string("[] trailing"), std::string("5")}) {
    EXPECT_THROW(read(text, l.verifier()), std::runtime_error) << text.substr(0, 40);
  }
  EXPECT_EQ(read("[]", l.verifier()).total, 0u);
}

// The array is well formed but an entry in it is not JSON: the file is refused whole, by the
// entry's position, even when good entries came before it (they are not imported either).
TEST(LedgerReader, AnEntryThatIsNotJsonRefusesTheWholeFile) {
  Ledger l;
  std::string entry = l.entry().dump();
  std::string text = "[";
  for (int i = 0; i < 1100; ++i) text += entry + ",";
  text += "{\"header\": tru}]";
  try {
    read(text, l.verifier());
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON (nothing imported): entry 1100:"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace trustlane::ledger
