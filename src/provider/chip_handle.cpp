#include "provider/chip_handle.hpp"

#include <map>
#include <stdexcept>
#include <utility>

#include "provider/chip_registry.hpp"
#include "se05x/constants.hpp"

namespace trustlane::provider {

std::shared_ptr<ChipHandle> ChipHandle::for_uri(const KeyUri& uri) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<ChipHandle>> handles;  // one connection per chip
  auto name = uri.chip_key();
  std::lock_guard lock(mutex);
  if (auto existing = handles[name].lock()) return existing;
  auto handle = std::make_shared<ChipHandle>(uri);
  handles[name] = handle;
  return handle;
}

ChipHandle::ChipHandle(KeyUri uri) : uri_(std::move(uri)), name_(uri_.chip_key()) {}

host::SecureElement& ChipHandle::connect() {
  if (se_) return *se_;
  if (const auto* inproc = std::get_if<InprocChip>(&uri_.chip)) {
    auto chip = find_inproc_chip(inproc->unique_id);
    if (!chip) throw std::runtime_error("no in-process chip " + to_hex(inproc->unique_id) + " is registered");
    // The shared_ptr keeps the chip alive while this handle talks to it.
    struct Holder : se05x::ApduChannel {
      std::shared_ptr<se05x::ApduChannel> chip;
      Bytes transceive(ByteView command) override { return chip->transceive(command); }
      Bytes reset() override { return chip->reset(); }
    };
    auto holder = std::make_unique<Holder>();
    holder->chip = std::move(chip);
    se_.emplace(std::move(holder));
  } else {
    const auto& address = std::get<link::ChannelAddress>(uri_.chip);
    try {
      se_.emplace(link::open_channel(address, std::chrono::milliseconds(10000)));
    } catch (const std::exception& e) {
      throw std::runtime_error("chip " + address.endpoint.text() + " unreachable: " + e.what());
    }
  }
  try {
    se_->select();
  } catch (...) {
    se_.reset();
    throw;
  }
  return *se_;
}

template <class F>
auto ChipHandle::with_se(const char* what, F&& f) -> decltype(f(std::declval<host::SecureElement&>())) {
  std::lock_guard lock(mutex_);
  try {
    return f(connect());
  } catch (const host::SeError& e) {
    throw std::runtime_error(std::string(what) + " on chip " + name_ + ": " + e.what());
  } catch (const std::exception& e) {
    // Transport failure: forget the connection so the next call reconnects.
    se_.reset();
    throw std::runtime_error(std::string(what) + " on chip " + name_ + ": " + e.what());
  }
}

Bytes ChipHandle::public_point(std::uint32_t key_id) {
  return with_se("reading the public key", [&](host::SecureElement& se) {
    if (se.ec_curve(key_id) != se05x::curve::kNistP256)
      throw std::runtime_error("object " + object_id_text(key_id) + " is not a NIST P-256 key");
    auto point = se.read_object(key_id);
    if (point.size() != 65 || point[0] != 0x04)
      throw std::runtime_error("object " + object_id_text(key_id) + " did not yield an uncompressed P-256 point");
    return point;
  });
}

std::string ChipHandle::object_kind(std::uint32_t id) {
  return with_se("reading the object type", [&](host::SecureElement& se) -> std::string {
    if (!se.exists(id)) return "";
    auto version = se.version();
    return host::object_type_name(se.object_type(id).code, version.major);
  });
}

Bytes ChipHandle::certificate_der(std::uint32_t id) {
  return with_se("reading the certificate", [&](host::SecureElement& se) { return se.read_certificate_der(id); });
}

Bytes ChipHandle::sign_digest(std::uint32_t key_id, ByteView digest) {
  return with_se("signing", [&](host::SecureElement& se) { return se.sign_digest(key_id, digest); });
}

Bytes ChipHandle::unique_id() {
  return with_se("reading the unique ID", [&](host::SecureElement& se) { return se.unique_id(); });
}

}  // namespace trustlane::provider
