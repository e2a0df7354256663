// Store: persistence across reopen, durability of acknowledged writes, factory identity,
// vendor CA files, errors, concurrency, timing model.
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "chip/personality.hpp"
#include "chip_test_util.hpp"
#include "crypto/digest.hpp"
#include "crypto/x509.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip::test {

namespace fs = std::filesystem;
using se05x::TlvWriter;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("trustlane-chip-test-" + to_hex(crypto::random_bytes(6)));
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
Bytes read_object(Chip& chip, std::uint32_t id) {
  Bytes size = tlv41(chip.transceive(case4(0x02, 0x00, 0x07, TlvWriter().u32(0x41, id).data())));
  std::size_t total = *get_u16(size);
  Bytes out;
  while (out.size() < total) {
    auto n = static_cast<std::uint16_t>(std::min<std::size_t>(500, total - out.size()));
    Bytes part = tlv41(chip.transceive(case4e(
        0x02, 0x00, 0x00,
        TlvWriter().u32(0x41, id).u16_if(0x42, static_cast<std::uint16_t>(out.size())).u16(0x43, n).data())));
    if (part.empty()) break;
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}
Bytes write_binary_cmd(std::uint32_t id, std::uint16_t total, ByteView data, std::uint8_t ins = 0x01) {
  return se05x::encode_command(0x80, ins, 0x06, 0x00,
                               TlvWriter().u32(0x41, id).u16_if(0x43, total).bytes(0x44, data).data(), false);
}
}  // namespace

TEST(Store, FactoryCertificateCarriesTheChipIdentity) {
  auto store = Store::in_memory();
  auto chips = store->mint(3);
  std::set<std::string> sans, cns;
  for (auto& chip : chips) {
    auto cert = crypto::Certificate::from_der(read_object(*chip, se05x::object::kCloudCert0));
    ASSERT_TRUE(cert);
    EXPECT_TRUE(cert->issued_by(store->vendor_ca()));
    Bytes serial = chip->unique_id();
    serial.push_back(0);
    serial.push_back(0);
    EXPECT_EQ(cert->serial(), serial);
    std::string uid_hex = to_hex(chip->unique_id());
    auto cn = *cert->subject_field("CN");
    EXPECT_EQ(from_hex(cn), chip->unique_id());
    cns.insert(cn);
    EXPECT_EQ(cert->issuer(), store->vendor_ca().subject());
    bool has_o = false, has_ou = false;
    for (const auto& [k, v] : cert->issuer()) {
      has_o |= k == "O" && v == "trustlane vendor";
      has_ou |= k == "OU" && v == "Plug and Trust";
    }
    EXPECT_TRUE(has_o && has_ou);
    ASSERT_EQ(cert->subject_alt_names().size(), 1u);
    sans.insert(cert->subject_alt_names()[0]);
    EXPECT_GT(cert->not_after() - cert->not_before(), 20LL * 365 * 24 * 3600);
    // Certificate key = the chip's key 0xF0000100.
    Bytes pub = tlv41(chip->transceive(case4e(0x02, 0x00, 0x00, TlvWriter().u32(0x41, se05x::object::kCloudKey0).data())));
    EXPECT_EQ(cert->public_key()->public_point(), pub);
    EXPECT_EQ(read_object(*chip, se05x::object::kUniqueId), chip->unique_id());
  }
  EXPECT_EQ(sans.size(), 1u);  // common to the batch
  EXPECT_EQ(cns.size(), 3u);   // unique per chip
  EXPECT_EQ(store->find(chips[1]->unique_id()), chips[1]);
  EXPECT_EQ(store->find(Bytes(18, 0)), nullptr);
  EXPECT_EQ(store->chips().size(), 3u);
}

TEST(Store, PersonalityIsKeptPerChip) {
  auto store = Store::in_memory();
  auto c = store->mint(1, Personality::Se050C).front();
  auto e = store->mint(1, Personality::Se050E).front();
  EXPECT_EQ(e->personality(), Personality::Se050E);
  EXPECT_EQ(hex(e->transceive(H("8004002000"))), "41070702003f9fffff9000");
  EXPECT_EQ(hex(c->transceive(H("8004002000"))), "41070301016fff010b9000");
}

TEST(Store, WritesSurviveReopenAndTransientDoNot) {
  TempDir dir;
  std::vector<Bytes> uids;
  Bytes pub_before;
  {
    auto store = Store::create(dir.path);
    auto chips = store->mint(3, Personality::Se050E);
    for (auto& c : chips) uids.push_back(c->unique_id());
    ASSERT_EQ(hex(chips[1]->transceive(write_binary_cmd(0x100, 6, H("010203040506")))), "9000");
    ASSERT_EQ(hex(chips[1]->transceive(write_binary_cmd(0x101, 2, H("0A0B"), 0x81))), "9000");
    ASSERT_EQ(hex(chips[1]->transceive(H("8001610009410400000010420103"))), "9000");
    ASSERT_EQ(hex(chips[1]->transceive(H("80010B0403410103"))), "9000");
    ASSERT_EQ(hex(chips[2]->transceive(H("800400280641047FFF0206"))), "6986");
    ASSERT_EQ(hex(chips[2]->transceive(H("80040028064104F0000101"))), "9000");
    pub_before = tlv41(chips[1]->transceive(case4e(0x02, 0, 0, TlvWriter().u32(0x41, 0x10).data())));
  }
  auto store = Store::open(dir.path);
  auto chips = store->chips();
  ASSERT_EQ(chips.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(chips[i]->unique_id(), uids[i]);
    EXPECT_EQ(chips[i]->personality(), Personality::Se050E);
  }
  auto& c1 = *chips[1];
  EXPECT_EQ(tlv41(c1.transceive(case4e(0x02, 0, 0, TlvWriter().u32(0x41, 0x100).data()))), H("010203040506"));
  EXPECT_EQ(hex(c1.transceive(H("8004002706410400000101"))), "4101029000");
  EXPECT_EQ(tlv41(c1.transceive(case4e(0x02, 0, 0, TlvWriter().u32(0x41, 0x10).data()))), pub_before);
  EXPECT_EQ(tlv41(c1.transceive(H("80020B2500")))[2], 0x02);
  EXPECT_EQ(hex(chips[2]->transceive(H("80040027064104F0000101"))), "4101029000");
  // The reloaded factory key still signs for its certificate.
  auto cert = crypto::Certificate::from_der(read_object(*chips[0], se05x::object::kCloudCert0));
  ASSERT_TRUE(cert && cert->issued_by(store->vendor_ca()));
  Bytes digest = crypto::sha256(as_bytes("x"));
  Bytes sig = tlv41(chips[0]->transceive(
      case4(0x03, 0x0C, 0x09, TlvWriter().u32(0x41, se05x::object::kCloudKey0).u8(0x42, 0x21).bytes(0x43, digest).data())));
  EXPECT_TRUE(cert->public_key()->verify_digest(digest, sig));
  EXPECT_EQ(store->integrity_check(), "ok");
  EXPECT_EQ(store->find(uids[2]), chips[2]);
}

TEST(Store, StreamingMintReportsCommittedBatches) {
  TempDir dir;
  std::vector<std::size_t> firsts;
  std::size_t total = 0;
  {
    auto store = Store::create(dir.path);
    store->mint_streaming(25, Personality::Se050C,
                          [&](std::size_t first, const std::vector<std::shared_ptr<Chip>>& batch) {
                            firsts.push_back(first);
                            total += batch.size();
                          },
                          10);
    EXPECT_EQ(store->size(), 25u);
  }
  EXPECT_EQ(firsts, (std::vector<std::size_t>{0, 10, 20}));
  EXPECT_EQ(total, 25u);
  EXPECT_EQ(Store::open(dir.path)->chips().size(), 25u);
}

TEST(Store, VendorCaFilesAndModes) {
  TempDir dir;
  auto store = Store::create(dir.path);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path / "vendor-ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(dir.path / "vendor-ca.pem");
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ca = crypto::Certificate::from_pem(pem);
  ASSERT_TRUE(ca);
  EXPECT_TRUE(ca->is_ca());
  EXPECT_EQ(ca->der(), store->vendor_ca().der());
  EXPECT_THROW(Store::create(dir.path), std::runtime_error);  // never overwrites a store
}

TEST(Store, OpenErrorsAreOneLineReasons) {
  TempDir dir;
  try {
    Store::open(dir.path);
    FAIL() << "opened a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no such directory"), std::string::npos) << e.what();
  }
  { Store::create(dir.path); }
  {
    std::ofstream db(dir.path / "store.db", std::ios::trunc | std::ios::binary);
    db << std::string(4096, 'x');
  }
  try {
    Store::open(dir.path);
    FAIL() << "opened a corrupt database";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("store.db"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
  {
    std::ofstream key(dir.path / "vendor-ca.key", std::ios::trunc);
    key << "junk";
  }
  EXPECT_THROW(Store::open(dir.path), std::runtime_error);
}

TEST(Chip, ConcurrentTransceiveFromThreads) {
  TempDir dir;
  auto store = Store::create(dir.path);
  auto chips = store->mint(2);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto& chip = *chips[t % 2];
      for (int i = 0; i < 50; ++i) {
        std::uint32_t id = 0x1000 + static_cast<std::uint32_t>(t * 100 + i);
        Bytes w = chip.transceive(write_binary_cmd(id, 4, be_u32(id)));
        Bytes s = chip.transceive(case4(
            0x03, 0x0C, 0x09,
            TlvWriter().u32(0x41, se05x::object::kCloudKey0).u8(0x42, 0x21).bytes(0x43, Bytes(32, 1)).data()));
        Bytes r = chip.transceive(case4e(0x02, 0, 0, TlvWriter().u32(0x41, id).data()));
        if (sw_of(w) == 0x9000 && sw_of(s) == 0x9000 && data_of(r) == cat({H("4104"), be_u32(id)})) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  // Every acknowledged write is on disk.
  auto reopened = Store::open(dir.path);
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 50; ++i) {
      std::uint32_t id = 0x1000 + static_cast<std::uint32_t>(t * 100 + i);
      auto chip = reopened->find(chips[t % 2]->unique_id());
      ASSERT_TRUE(chip);
      EXPECT_EQ(hex(chip->transceive(case4(0x04, 0, 0x27, TlvWriter().u32(0x41, id).data()))), "4101019000");
    }
}

TEST(Timing, OffByDefaultAndRealisticWhenOn) {
  auto store = Store::in_memory();
  auto chip = store->mint(1).front();
  Bytes version = H("8004002000");
  Bytes sign = case4(0x03, 0x0C, 0x09,
                     TlvWriter().u32(0x41, se05x::object::kCloudKey0).u8(0x42, 0x21).bytes(0x43, Bytes(32, 1)).data());
  Bytes sig_rsp = chip->transceive(sign);
  EXPECT_EQ(chip->simulated_duration(sign, sig_rsp).count(), 0);

  TimingModel fast;
  fast.enabled = true;
  fast.i2c_hz = 400000;
  store->set_timing(fast);
  auto v400 = chip->simulated_duration(version, chip->transceive(version));
  auto s400 = chip->simulated_duration(sign, sig_rsp);
  EXPECT_GE(v400.count(), 1000);
  EXPECT_LT(v400.count(), 3000);
  EXPECT_GE(s400.count(), 40000);  // tens of ms for a signature
  EXPECT_LT(s400.count(), 100000);
  TimingModel slow = fast;
  slow.i2c_hz = 100000;
  chip->set_timing(slow);
  auto s100 = chip->simulated_duration(sign, sig_rsp);
  EXPECT_GT(s100, s400);
  // 51 + 74 APDU bytes plus T=1 framing at 9 bits per byte: the I2C share at 100 kHz.
  EXPECT_NEAR(static_cast<double>((s100 - s400).count()), (51.0 + 8 + 74 + 8) * 9 * (10 - 2.5), 800);
  // A new chip of the store inherits the store's model.
  auto later = store->mint(1).front();
  EXPECT_GT(later->simulated_duration(version, H("9000")).count(), 0);
  // Generating a key inside costs more than importing a public key.
  Bytes gen = H("8001610009410400000010420103");
  EXPECT_EQ(later->simulated_duration(gen, H("9000")).count() > 80000, true);
}

}  // namespace trustlane::chip::test

namespace trustlane::chip::test {

TEST(Store, CreateRecoversFromAnInterruptedCreate) {
  fs::path dir = fs::temp_directory_path() / ("trustlane-chip-recover-" + to_hex(crypto::random_bytes(6)));
  Bytes ca_der;
  {
    auto store = Store::create(dir);
    ca_der = store->vendor_ca().der();
  }
  // As if the process died after writing the CA but before store.db was renamed into place.
  fs::remove(dir / "store.db");
  { std::ofstream junk(dir / "store.db.creating"); junk << "half a database"; }
  EXPECT_FALSE(Store::exists(dir));
  {
    auto store = Store::create(dir);
    EXPECT_EQ(store->vendor_ca().der(), ca_der);  // the whole CA is reused
    EXPECT_EQ(store->mint(1).size(), 1u);
  }
  EXPECT_FALSE(fs::exists(dir / "store.db.creating"));
  EXPECT_EQ(Store::open(dir)->size(), 1u);
  // Only half a CA (the key): replaced by a fresh one.
  fs::remove(dir / "store.db");
  fs::remove(dir / "vendor-ca.pem");
  {
    auto store = Store::create(dir);
    EXPECT_NE(store->vendor_ca().der(), ca_der);
    EXPECT_EQ(store->size(), 0u);
  }
  EXPECT_TRUE(Store::open(dir) != nullptr);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace trustlane::chip::test

namespace trustlane::chip::test {

TEST(Store, StreamedChipsHeldByTheCallerAreTheOnesFindReturns) {
  fs::path dir = fs::temp_directory_path() / ("trustlane-chip-stream-" + to_hex(crypto::random_bytes(6)));
  auto store = Store::create(dir);
  std::vector<std::shared_ptr<Chip>> held;
  store->mint_streaming(3, Personality::Se050C, [&](std::size_t, const std::vector<std::shared_ptr<Chip>>& b) {
    held.push_back(b.front());
  });
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(store->find(held[0]->unique_id()), held[0]);
  EXPECT_EQ(store->at(0), held[0]);
  auto others = store->chips();
  EXPECT_EQ(others[0], held[0]);
  EXPECT_NE(others[1], nullptr);
  EXPECT_EQ(store->at(3), nullptr);
  store.reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace trustlane::chip::test
