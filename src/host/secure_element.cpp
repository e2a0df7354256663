#include "host/secure_element.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "crypto/x509.hpp"
#include "se05x/apdu.hpp"
#include "se05x/tlv.hpp"

namespace trustlane::host {

namespace ins = se05x::ins;
namespace p1 = se05x::p1;
namespace p2 = se05x::p2;
namespace tag = se05x::tag;
using se05x::encode_command;
using se05x::TlvWriter;

namespace {

// Reads an answer's TLVs in their documented order and insists that nothing follows.
class Answer {
 public:
  Answer(const char* operation, const Bytes& data) : operation_(operation), reader_(data) {}
  ByteView take(std::uint8_t t) {
    auto value = reader_.take(t);
    if (!value) throw SeError(operation_, 0, fmt::format("tag 0x{:02X} missing", t));
    return *value;
  }
  std::uint8_t u8(std::uint8_t t) { return exact(se05x::tlv_u8(take(t)), t); }
  std::uint16_t u16(std::uint8_t t) { return exact(se05x::tlv_u16(take(t)), t); }
  void end() {
    if (!reader_.at_end()) throw SeError(operation_, 0, "unexpected bytes after the last TLV");
  }

 private:
  template <class T>
  T exact(std::optional<T> v, std::uint8_t t) {
    if (!v) throw SeError(operation_, 0, fmt::format("tag 0x{:02X} has the wrong size", t));
    return *v;
  }
  const char* operation_;
  se05x::TlvReader reader_;
};

// Result TLV (CheckObjectExists, ECDSAVerify): 01 yes, 02 no.
bool result_flag(const char* operation, std::uint8_t value) {
  if (value == se05x::kResultSuccess) return true;
  if (value == se05x::kResultFailure) return false;
  throw SeError(operation, 0, fmt::format("result 0x{:02X} is neither success nor failure", value));
}

// Length of a DER element from its header; nullopt if the header is not a definite length.
std::optional<std::size_t> der_length(ByteView der) {
  if (der.size() < 2) return std::nullopt;
  std::size_t first = der[1];
  if (first < 0x80) return 2 + first;
  std::size_t count = first & 0x7F;
  if (count == 0 || count > 3 || der.size() < 2 + count) return std::nullopt;
  std::size_t len = 0;
  for (std::size_t i = 0; i < count; ++i) len = len << 8 | der[2 + i];
  return 2 + count + len;
}

std::uint8_t ec_p1(EcKeyPart part) { return static_cast<std::uint8_t>(static_cast<std::uint8_t>(part) | p1::kEc); }

}  // namespace

std::string AppletVersion::text() const { return fmt::format("{}.{}.{}", major, minor, patch); }

Bytes encode_policy(const std::vector<PolicyRecord>& records) {
  Bytes out;
  for (const auto& r : records) {
    out.push_back(static_cast<std::uint8_t>(8 + r.extension.size()));
    put_u32(out, r.auth_object);
    put_u32(out, r.rules);
    out.insert(out.end(), r.extension.begin(), r.extension.end());
  }
  return out;
}

std::string object_type_name(std::uint8_t code, std::uint8_t applet_major) {
  if (applet_major >= 7) {
    // Applet 7.x: curve-specific EC codes (NIST P-256 shown; others by family).
    switch (code) {
      case 0x29: return "ec-key-pair";
      case 0x2A: return "ec-private-key";
      case 0x2B: return "ec-public-key";
      default: break;
    }
  } else {
    switch (code) {
      case 0x01: return "ec-key-pair";
      case 0x02: return "ec-private-key";
      case 0x03: return "ec-public-key";
      case 0x04: return "rsa-key-pair";
      default: break;
    }
  }
  switch (code) {
    case 0x09: return "aes-key";
    case 0x0B: return "binary";
    case 0x0C: return "userid";
    case 0x0D: return "counter";
    case 0x11: return "hmac-key";
    default: return fmt::format("type-0x{:02X}", code);
  }
}

SecureElement::SecureElement(se05x::ApduChannel& channel) : channel_(&channel) {}
SecureElement::SecureElement(std::unique_ptr<se05x::ApduChannel> channel)
    : owned_(std::move(channel)), channel_(owned_.get()) {}

Bytes SecureElement::call(const char* operation, Bytes apdu) {
  auto raw = channel_->transceive(apdu);
  auto response = se05x::parse_response(raw);
  if (!response) throw SeError(operation, 0, "answer shorter than a status word");
  if (!response->ok()) throw SeError(operation, response->sw);
  return std::move(response->data);
}

AppletVersion SecureElement::select(std::uint8_t minimum_major) {
  Bytes apdu = encode_command(se05x::kClaIso, ins::kSelect, 0x04, 0x00, se05x::kAppletAid, false);
  apdu.push_back(0x00);  // Le
  auto data = call("SELECT", std::move(apdu));
  if (data.size() != 4 && data.size() != 5 && data.size() != 7) {
    throw SeError("SELECT", 0, fmt::format("{} bytes of version (expected 4, 5 or 7)", data.size()));
  }
  AppletVersion v{data[0], data[1], data[2], 0, 0};
  if (data.size() >= 5) v.config = static_cast<std::uint16_t>(data[3] << 8 | (data.size() > 4 ? data[4] : 0));
  if (data.size() == 7) v.secure_box = static_cast<std::uint16_t>(data[5] << 8 | data[6]);
  if (v.major < minimum_major) {
    throw SeError("SELECT", 0, fmt::format("applet {} is older than the required {}.x", v.text(), minimum_major));
  }
  version_ = v;
  return v;
}

AppletVersion SecureElement::version() {
  auto data = call("GetVersion", encode_command(se05x::kClaSe05x, ins::kMgmt, p1::kDefault, p2::kVersion, {}, false));
  Answer answer("GetVersion", data);
  auto blob = answer.take(tag::k1);
  answer.end();
  if (blob.size() != 7) throw SeError("GetVersion", 0, fmt::format("{} bytes of version (expected 7)", blob.size()));
  AppletVersion v{blob[0], blob[1], blob[2], static_cast<std::uint16_t>(blob[3] << 8 | blob[4]),
                  static_cast<std::uint16_t>(blob[5] << 8 | blob[6])};
  version_ = v;
  return v;
}

std::uint8_t SecureElement::applet_major() {
  if (!version_) version();
  return version_->major;
}

std::string SecureElement::personality() {
  auto v = version();
  const char* family = v.major >= 7 ? "SE051/SE050E" : "SE050";
  return fmt::format("{} (applet {})", family, v.text());
}

std::size_t SecureElement::max_response() const {
  return version_ && version_->major >= 7 ? 1024 : 892;
}

Bytes SecureElement::unique_id() {
  auto uid = read_object(se05x::object::kUniqueId, 0, static_cast<std::uint16_t>(se05x::kUniqueIdSize));
  if (uid.size() != se05x::kUniqueIdSize) {
    throw SeError("ReadObject(unique id)", 0, fmt::format("{} bytes (expected 18)", uid.size()));
  }
  return uid;
}

Bytes SecureElement::atr() { return channel_->reset(); }

std::vector<std::uint32_t> SecureElement::list_objects() {
  std::vector<std::uint32_t> ids;
  for (;;) {
    if (ids.size() > 0xFFFF) throw SeError("ReadIDList", 0, "more than 65535 objects announced");
    auto cmd = TlvWriter().u16(tag::k1, static_cast<std::uint16_t>(ids.size())).u8(tag::k2, 0xFF).data();
    auto data = call("ReadIDList", encode_command(se05x::kClaSe05x, ins::kRead, p1::kDefault, p2::kList, cmd, true));
    Answer answer("ReadIDList", data);
    auto more = answer.u8(tag::k1);
    auto list = answer.take(tag::k2);
    answer.end();
    if (list.size() % 4 != 0) throw SeError("ReadIDList", 0, "id list is not a multiple of 4 bytes");
    for (std::size_t i = 0; i < list.size(); i += 4) ids.push_back(*get_u32(list, i));
    if (more != se05x::kMore) break;
    if (list.empty()) throw SeError("ReadIDList", 0, "SE announced more ids but sent none");
  }
  return ids;
}

bool SecureElement::exists(std::uint32_t id) {
  auto cmd = TlvWriter().u32(tag::k1, id).data();
  auto data = call("CheckObjectExists", encode_command(se05x::kClaSe05x, ins::kMgmt, p1::kDefault, p2::kExist, cmd, true));
  Answer answer("CheckObjectExists", data);
  auto flag = answer.u8(tag::k1);
  answer.end();
  return result_flag("CheckObjectExists", flag);
}

std::uint16_t SecureElement::object_size(std::uint32_t id) {
  auto cmd = TlvWriter().u32(tag::k1, id).data();
  auto data = call("ReadSize", encode_command(se05x::kClaSe05x, ins::kRead, p1::kDefault, p2::kSize, cmd, true));
  Answer answer("ReadSize", data);
  auto size = answer.u16(tag::k1);
  answer.end();
  return size;
}

ObjectType SecureElement::object_type(std::uint32_t id) {
  auto cmd = TlvWriter().u32(tag::k1, id).data();
  auto data = call("ReadType", encode_command(se05x::kClaSe05x, ins::kRead, p1::kDefault, p2::kType, cmd, true));
  Answer answer("ReadType", data);
  ObjectType type;
  type.code = answer.u8(tag::k1);
  type.transient = answer.u8(tag::k2) == se05x::kTransientObject;
  answer.end();
  return type;
}

std::uint8_t SecureElement::ec_curve(std::uint32_t id) {
  auto cmd = TlvWriter().u32(tag::k1, id).data();
  auto data = call("GetECCurveId", encode_command(se05x::kClaSe05x, ins::kRead, p1::kCurve, p2::kId, cmd, true));
  Answer answer("GetECCurveId", data);
  auto curve = answer.u8(tag::k1);
  answer.end();
  return curve;
}

Bytes SecureElement::read_object(std::uint32_t id, std::uint16_t offset, std::uint16_t length) {
  // Offset 0 is omitted, as NXP's host does; the length always travels.
  auto cmd = TlvWriter().u32(tag::k1, id).u16_if(tag::k2, offset).u16(tag::k3, length).data();
  auto data = call("ReadObject", encode_command(se05x::kClaSe05x, ins::kRead, p1::kDefault, p2::kDefault, cmd, true));
  Answer answer("ReadObject", data);
  auto value = answer.take(tag::k1);
  answer.end();
  if (value.size() != length) {
    throw SeError("ReadObject", 0, fmt::format("asked for {} bytes, got {}", length, value.size()));
  }
  return Bytes(value.begin(), value.end());
}

Bytes SecureElement::read_object(std::uint32_t id) {
  std::size_t size = object_size(id);
  if (size <= kChunk) {
    auto cmd = TlvWriter().u32(tag::k1, id).data();
    auto data = call("ReadObject", encode_command(se05x::kClaSe05x, ins::kRead, p1::kDefault, p2::kDefault, cmd, true));
    Answer answer("ReadObject", data);
    auto value = answer.take(tag::k1);
    answer.end();
    return Bytes(value.begin(), value.end());
  }
  Bytes out;
  out.reserve(size);
  std::size_t chunk = std::min(kChunk, max_response() - 8);  // room for the TLV header and SW
  while (out.size() < size) {
    auto n = static_cast<std::uint16_t>(std::min(chunk, size - out.size()));
    auto part = read_object(id, static_cast<std::uint16_t>(out.size()), n);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

namespace {
// The object's bytes without the one 00 pad byte some provisioning stores after the DER.
Bytes unpadded(Bytes der) {
  auto length = der_length(der);
  if (length && der.size() == *length + 1 && der.back() == 0x00) der.pop_back();
  return der;
}
}  // namespace

crypto::Certificate SecureElement::read_certificate(std::uint32_t id) {
  auto cert = crypto::Certificate::from_der(unpadded(read_object(id)));
  if (!cert) throw SeError("read certificate", 0, fmt::format("object 0x{:08X} does not hold a DER certificate", id));
  return std::move(*cert);
}

Bytes SecureElement::read_certificate_der(std::uint32_t id) {
  auto der = unpadded(read_object(id));
  if (!crypto::Certificate::from_der(der)) {
    throw SeError("read certificate", 0, fmt::format("object 0x{:08X} does not hold a DER certificate", id));
  }
  return der;
}

std::string SecureElement::read_certificate_pem(std::uint32_t id) { return read_certificate(id).pem(); }

Bytes SecureElement::sign_digest(std::uint32_t key_id, ByteView digest, std::uint8_t algorithm) {
  auto cmd = TlvWriter().u32(tag::k1, key_id).u8(tag::k2, algorithm).bytes(tag::k3, digest).data();
  auto data = call("ECDSASign", encode_command(se05x::kClaSe05x, ins::kCrypto, p1::kSignature, p2::kSign, cmd, true));
  Answer answer("ECDSASign", data);
  auto signature = answer.take(tag::k1);
  answer.end();
  return Bytes(signature.begin(), signature.end());
}

bool SecureElement::verify_digest(std::uint32_t key_id, ByteView digest, ByteView der_signature, std::uint8_t algorithm) {
  auto cmd = TlvWriter()
                 .u32(tag::k1, key_id)
                 .u8(tag::k2, algorithm)
                 .bytes(tag::k3, digest)
                 .bytes(tag::k5, der_signature)
                 .data();
  auto data = call("ECDSAVerify", encode_command(se05x::kClaSe05x, ins::kCrypto, p1::kSignature, p2::kVerify, cmd, true));
  Answer answer("ECDSAVerify", data);
  auto flag = answer.u8(tag::k1);
  answer.end();
  return result_flag("ECDSAVerify", flag);
}

Bytes SecureElement::ecdh(std::uint32_t key_id, ByteView peer_public_point) {
  auto cmd = TlvWriter().u32(tag::k1, key_id).bytes(tag::k2, peer_public_point).data();
  auto data = call("ECDH", encode_command(se05x::kClaSe05x, ins::kCrypto, p1::kEc, p2::kDh, cmd, true));
  Answer answer("ECDH", data);
  auto shared = answer.take(tag::k1);
  answer.end();
  return Bytes(shared.begin(), shared.end());
}

Bytes SecureElement::generate_ec_key(std::uint32_t id, const KeyOptions& options) {
  import_ec_key(id, EcKeyPart::kPair, {}, {}, options);  // neither part given: generate inside
  return read_object(id);
}

void SecureElement::import_ec_key(std::uint32_t id, EcKeyPart part, ByteView private_scalar, ByteView public_point,
                                  const KeyOptions& options) {
  bool existing = exists(id);
  auto policy = encode_policy(options.policy);
  TlvWriter cmd;
  cmd.bytes_if(tag::kPolicy, policy).u32(tag::k1, id);
  if (!existing) cmd.u8(tag::k2, options.curve);  // the curve is fixed once the object exists
  cmd.bytes_if(tag::k3, private_scalar).bytes_if(tag::k4, public_point);
  std::uint8_t instruction = options.transient ? (ins::kWrite | ins::kTransient) : ins::kWrite;
  call(private_scalar.empty() && public_point.empty() ? "WriteECKey(generate)" : "WriteECKey",
       encode_command(se05x::kClaSe05x, instruction, ec_p1(part), p2::kDefault, cmd.data(), false));
}

void SecureElement::write_binary(std::uint32_t id, ByteView data, const std::vector<PolicyRecord>& policy) {
  if (data.empty() || data.size() > 0xFFFF) throw SeError("WriteBinary", se05x::sw::kWrongLength, "size must be 1..65535");
  auto encoded_policy = encode_policy(policy);
  std::size_t offset = 0;
  while (offset < data.size()) {
    std::size_t n = std::min(kChunk, data.size() - offset);
    TlvWriter cmd;
    if (offset == 0) {  // create: policy and total length travel with the first chunk only
      cmd.bytes_if(tag::kPolicy, encoded_policy).u32(tag::k1, id).u16(tag::k3, static_cast<std::uint16_t>(data.size()));
    } else {
      cmd.u32(tag::k1, id).u16(tag::k2, static_cast<std::uint16_t>(offset));
    }
    cmd.bytes(tag::k4, data.subspan(offset, n));
    call("WriteBinary", encode_command(se05x::kClaSe05x, ins::kWrite, p1::kBinary, p2::kDefault, cmd.data(), false));
    offset += n;
  }
}

void SecureElement::delete_object(std::uint32_t id) {
  auto cmd = TlvWriter().u32(tag::k1, id).data();
  call("DeleteSecureObject", encode_command(se05x::kClaSe05x, ins::kMgmt, p1::kDefault, p2::kDeleteObject, cmd, false));
}

Bytes SecureElement::random(std::uint16_t size) {
  auto cmd = TlvWriter().u16(tag::k1, size).data();
  auto data = call("GetRandom", encode_command(se05x::kClaSe05x, ins::kMgmt, p1::kDefault, p2::kRandom, cmd, true));
  Answer answer("GetRandom", data);
  auto bytes = answer.take(tag::k1);
  answer.end();
  if (bytes.size() != size) throw SeError("GetRandom", 0, fmt::format("asked for {} bytes, got {}", size, bytes.size()));
  return Bytes(bytes.begin(), bytes.end());
}

std::uint16_t SecureElement::free_memory(Memory type) {
  auto cmd = TlvWriter().u8(tag::k1, static_cast<std::uint8_t>(type)).data();
  auto data = call("GetFreeMemory", encode_command(se05x::kClaSe05x, ins::kMgmt, p1::kDefault, p2::kMemory, cmd, true));
  Answer answer("GetFreeMemory", data);
  auto free = answer.u16(tag::k1);
  answer.end();
  return free;
}

}  // namespace trustlane::host
