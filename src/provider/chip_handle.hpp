// ChipHandle: one connection to one chip, shared by every key object that names it, used by one
// APDU exchange at a time (a chip serves one APDU at a time; the host client keeps state).
// A transport failure drops the connection; the next call opens a new one, so a restarted chip
// server does not wedge keys loaded earlier. Nothing here can read a private key: the chip
// only offers public halves, certificates and signatures.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "host/secure_element.hpp"
#include "provider/uri.hpp"

namespace trustlane::provider {

class ChipHandle {
 public:
  // The shared handle for the chip `uri` names (created on first use). Does not connect yet.
  static std::shared_ptr<ChipHandle> for_uri(const KeyUri& uri);

  // Each call throws std::runtime_error with a one-line reason (unreachable, SE refusal…).
  Bytes public_point(std::uint32_t key_id);          // 04‖X‖Y of an EC key (P-256 only)
  std::string object_kind(std::uint32_t id);         // "ec-key-pair", "binary", … ("" if absent)
  Bytes certificate_der(std::uint32_t id);
  Bytes sign_digest(std::uint32_t key_id, ByteView digest);  // ECDSASign inside the chip, DER out
  Bytes unique_id();

  const std::string& name() const { return name_; }
  explicit ChipHandle(KeyUri uri);

 private:
  template <class F>
  auto with_se(const char* what, F&& f) -> decltype(f(std::declval<host::SecureElement&>()));
  host::SecureElement& connect();

  std::mutex mutex_;
  KeyUri uri_;
  std::string name_;
  std::optional<host::SecureElement> se_;
};

}  // namespace trustlane::provider
