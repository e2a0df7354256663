// host::SecureElement: an SSS-like client for any SE05x behind an ApduChannel (an in-process
// chip, JRCP_V1 or T=1 over TCP). Encodes commands the way NXP's host library does and checks
// answers strictly (TLVs in the documented order, nothing after them).
//
// Every failure throws: SeError (status word + operation) for the SE's refusals and malformed
// answers, std::runtime_error from the channel for transport failures. Not thread-safe: one
// APDU at a time, like the chip.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/x509.hpp"
#include "host/se_error.hpp"
#include "se05x/channel.hpp"
#include "se05x/constants.hpp"
#include "util/bytes.hpp"

namespace trustlane::host {

struct AppletVersion {
  std::uint8_t major = 0, minor = 0, patch = 0;
  std::uint16_t config = 0;      // AppletConfig (feature bits); 0 when the SE sent fewer bytes
  std::uint16_t secure_box = 0;
  std::string text() const;      // "3.1.1"
  bool operator==(const AppletVersion&) const = default;
};

// One object-policy record: who (auth object id, 0 = anyone) may do what (se05x::policy bits).
struct PolicyRecord {
  std::uint32_t auth_object = se05x::policy::kAnyone;
  std::uint32_t rules = 0;
  Bytes extension;
};
Bytes encode_policy(const std::vector<PolicyRecord>& records);

struct ObjectType {
  std::uint8_t code = 0;   // as ReadType answers (numbering depends on the applet generation)
  bool transient = false;
};
// "ec-key-pair", "binary", … for ReadType codes of the given applet major version.
std::string object_type_name(std::uint8_t code, std::uint8_t applet_major);

enum class Memory : std::uint8_t {
  kPersistent = se05x::kMemPersistent,
  kTransientReset = se05x::kMemTransientReset,
  kTransientDeselect = se05x::kMemTransientDeselect,
};

enum class EcKeyPart : std::uint8_t {
  kPair = se05x::p1::kKeyPair,
  kPrivate = se05x::p1::kPrivate,
  kPublic = se05x::p1::kPublic,
};

struct KeyOptions {
  std::vector<PolicyRecord> policy;  // empty: the SE's default policy
  bool transient = false;
  std::uint8_t curve = se05x::curve::kNistP256;
};

class SecureElement {
 public:
  // Uses `channel` without owning it (it must outlive this object).
  explicit SecureElement(se05x::ApduChannel& channel);
  // Owns the channel (e.g. from link::open_channel).
  explicit SecureElement(std::unique_ptr<se05x::ApduChannel> channel);

  // SELECT the SE05x applet. Accepts 4, 5 or 7 bytes of version like NXP's host and refuses an
  // applet older than `minimum_major`. Remembers the version (it sets the response size limit).
  AppletVersion select(std::uint8_t minimum_major = 3);
  AppletVersion version();                 // GetVersion
  std::string personality();               // e.g. "SE050 (applet 3.1.1)"
  Bytes unique_id();                       // 18 bytes from 0x7FFF0206
  Bytes atr();                             // resets the SE (cold start) and returns the ATR

  std::vector<std::uint32_t> list_objects();      // every object id (ReadIDList paging)
  bool exists(std::uint32_t id);
  std::uint16_t object_size(std::uint32_t id);
  ObjectType object_type(std::uint32_t id);
  std::uint8_t ec_curve(std::uint32_t id);
  Bytes read_object(std::uint32_t id);            // whole object, in chunks when large
  Bytes read_object(std::uint32_t id, std::uint16_t offset, std::uint16_t length);
  Bytes read_certificate_der(std::uint32_t id);   // drops the one 00 pad byte some SEs store
  // The same, parsed (once: with OpenSSL 3.0 a certificate parse costs more than a signature).
  crypto::Certificate read_certificate(std::uint32_t id);
  std::string read_certificate_pem(std::uint32_t id);

  Bytes sign_digest(std::uint32_t key_id, ByteView digest, std::uint8_t algorithm = se05x::kEcdsaSha256);
  bool verify_digest(std::uint32_t key_id, ByteView digest, ByteView der_signature,
                     std::uint8_t algorithm = se05x::kEcdsaSha256);
  Bytes ecdh(std::uint32_t key_id, ByteView peer_public_point);  // shared X coordinate

  // Generates a key pair inside the SE; returns its public point (04‖X‖Y).
  Bytes generate_ec_key(std::uint32_t id, const KeyOptions& options = {});
  // Imports key material (private scalar and/or public point, per `part`).
  void import_ec_key(std::uint32_t id, EcKeyPart part, ByteView private_scalar, ByteView public_point,
                     const KeyOptions& options = {});
  void write_binary(std::uint32_t id, ByteView data, const std::vector<PolicyRecord>& policy = {});
  void delete_object(std::uint32_t id);

  Bytes random(std::uint16_t size);
  std::uint16_t free_memory(Memory type = Memory::kPersistent);

  // Largest data part of one response the applet sends (892 bytes for 3.x, 1024 for 7.x).
  std::size_t max_response() const;
  static constexpr std::size_t kChunk = 500;  // read/write chunk, as NXP's host uses

 private:
  Bytes call(const char* operation, Bytes apdu);  // returns data; throws SeError unless 90 00
  std::uint8_t applet_major();

  std::unique_ptr<se05x::ApduChannel> owned_;
  se05x::ApduChannel* channel_;
  std::optional<AppletVersion> version_;
};

}  // namespace trustlane::host
