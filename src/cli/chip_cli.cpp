// `trustlane chip mint` and `trustlane chip check`: the vendor's factory side of the emulator.
#include <cstdio>
#include <memory>
#include <string>

#include "chip/personality.hpp"
#include "chip/store.hpp"
#include "cli/commands.hpp"
#include "crypto/digest.hpp"
#include "se05x/apdu.hpp"
#include "se05x/constants.hpp"
#include "se05x/tlv.hpp"
#include "util/bytes.hpp"

namespace trustlane::cli {

namespace {

std::unique_ptr<chip::Store> open_or_create(const std::string& dir) {
  return chip::Store::exists(dir) ? chip::Store::open(dir) : chip::Store::create(dir);
}

// Reads a whole object through the APDU interface, in chunks like NXP's host library.
std::optional<Bytes> read_object(chip::Chip& c, std::uint32_t id) {
  namespace tag = se05x::tag;
  auto size_rsp = se05x::parse_response(
      c.transceive(se05x::encode_command(0x80, 0x02, 0x00, 0x07, se05x::TlvWriter().u32(tag::k1, id).data(), false)));
  if (!size_rsp || !size_rsp->ok()) return std::nullopt;
  se05x::TlvReader sr(size_rsp->data);
  auto size_tlv = sr.take(tag::k1);
  if (!size_tlv || !se05x::tlv_u16(*size_tlv)) return std::nullopt;
  std::size_t size = *se05x::tlv_u16(*size_tlv);
  Bytes out;
  while (out.size() < size) {
    auto chunk = static_cast<std::uint16_t>(std::min<std::size_t>(500, size - out.size()));
    auto req = se05x::TlvWriter()
                   .u32(tag::k1, id)
                   .u16_if(tag::k2, static_cast<std::uint16_t>(out.size()))
                   .u16(tag::k3, chunk)
                   .data();
    auto rsp = se05x::parse_response(c.transceive(se05x::encode_command(0x80, 0x02, 0x00, 0x00, req, true)));
    if (!rsp || !rsp->ok()) return std::nullopt;
    se05x::TlvReader r(rsp->data);
    auto data = r.take(tag::k1);
    if (!data || !r.at_end() || data->size() != chunk) return std::nullopt;
    out.insert(out.end(), data->begin(), data->end());
  }
  return out;
}

// ReadObject with only the id: a key pair answers its public point.
std::optional<Bytes> read_public_key(chip::Chip& c, std::uint32_t id) {
  auto req = se05x::TlvWriter().u32(se05x::tag::k1, id).data();
  auto rsp = se05x::parse_response(c.transceive(se05x::encode_command(0x80, 0x02, 0x00, 0x00, req, true)));
  if (!rsp || !rsp->ok()) return std::nullopt;
  se05x::TlvReader r(rsp->data);
  auto data = r.take(se05x::tag::k1);
  if (!data || !r.at_end()) return std::nullopt;
  return Bytes(data->begin(), data->end());
}

// Checks one chip's factory identity through its APDU interface; empty string when sound.
std::string check_chip(chip::Chip& c, const crypto::Certificate& vendor_ca) {
  namespace obj = se05x::object;
  auto uid = read_object(c, obj::kUniqueId);
  if (!uid || *uid != c.unique_id()) return "unique ID object unreadable or wrong";
  auto der = read_object(c, obj::kCloudCert0);
  if (!der) return "certificate object unreadable";
  auto cert = crypto::Certificate::from_der(*der);
  if (!cert) return "certificate object is not a DER certificate";
  if (!cert->issued_by(vendor_ca)) return "certificate not issued by the vendor CA";
  Bytes serial = c.unique_id();
  serial.push_back(0);
  serial.push_back(0);
  if (cert->serial() != serial) return "certificate serial is not UID || 00 00";
  auto pub = read_public_key(c, obj::kCloudKey0);
  auto cert_key = cert->public_key();
  if (!pub || !cert_key || cert_key->public_point() != *pub) return "key 0xF0000100 does not match its certificate";
  Bytes digest = crypto::sha256(as_bytes("trustlane chip check"));
  auto req = se05x::TlvWriter()
                 .u32(se05x::tag::k1, obj::kCloudKey0)
                 .u8(se05x::tag::k2, se05x::kEcdsaSha256)
                 .bytes(se05x::tag::k3, digest)
                 .data();
  auto rsp = se05x::parse_response(c.transceive(se05x::encode_command(0x80, 0x03, 0x0C, 0x09, req, false)));
  if (!rsp || !rsp->ok()) return "ECDSASign with 0xF0000100 failed";
  se05x::TlvReader r(rsp->data);
  auto sig = r.take(se05x::tag::k1);
  if (!sig || !cert_key->verify_digest(digest, *sig)) return "signature of 0xF0000100 does not verify";
  return {};
}

}  // namespace

void add_chip_factory_commands(CLI::App& chip) {
  struct MintArgs {
    std::string store;
    long long count = 0;
    std::string personality = "se050c";
  };
  auto args = std::make_shared<MintArgs>();
  auto* mint = chip.add_subcommand(
      "mint", "factory-provision new chips (unique ID, key 0xF0000100, vendor certificate 0xF0000101) into a store");
  mint->add_option("--store", args->store, "store directory (created if absent)")->required();
  mint->add_option("--count", args->count, "how many chips to mint")->required();
  mint->add_option("--personality", args->personality, "se050c (applet 3.1.1) or se050e (applet 7.2.0)")
      ->capture_default_str();
  mint->callback([args] {
    if (args->count < 1 || args->count > 10'000'000)
      throw UsageError("--count must be between 1 and 10000000, got " + std::to_string(args->count));
    auto personality = chip::personality_from_name(args->personality);
    if (!personality) throw UsageError("--personality must be se050c or se050e, got '" + args->personality + "'");
    auto store = open_or_create(args->store);
    store->mint_streaming(static_cast<std::size_t>(args->count), *personality,
                          [](std::size_t first, const std::vector<std::shared_ptr<chip::Chip>>& batch) {
                            // Printed after the batch committed: every line is a durable chip.
                            for (std::size_t i = 0; i < batch.size(); ++i) {
                              const auto& uid = batch[i]->unique_id();
                              std::printf("%zu %s %s\n", first + i, to_hex(uid).c_str(), base64_encode(uid).c_str());
                            }
                            std::fflush(stdout);
                          });
    std::printf("vendor CA: %s\n", (store->directory() / "vendor-ca.pem").c_str());
  });

  auto check_store = std::make_shared<std::string>();
  auto* check = chip.add_subcommand("check", "verify a store: database integrity and every chip's factory identity");
  check->add_option("--store", *check_store, "store directory")->required();
  check->callback([check_store] {
    auto store = chip::Store::open(*check_store);
    auto integrity = store->integrity_check();
    if (integrity != "ok") throw std::runtime_error("database integrity check failed: " + integrity);
    std::size_t bad = 0;
    auto all = store->chips();
    for (std::size_t i = 0; i < all.size(); ++i) {
      auto problem = check_chip(*all[i], store->vendor_ca());
      std::printf("%zu %s %s\n", i, to_hex(all[i]->unique_id()).c_str(), problem.empty() ? "ok" : problem.c_str());
      if (!problem.empty()) ++bad;
    }
    std::printf("%zu chips, %zu bad, integrity ok\n", all.size(), bad);
    std::fflush(stdout);
    if (bad) throw std::runtime_error(std::to_string(bad) + " chip(s) failed the check");
  });
}

}  // namespace trustlane::cli
