// Applet: the SE05x applet as an engine. One C-APDU in, one R-APDU out; no I/O, no clock.
// Handlers follow validate → authorise (object policy) → act → reply, and return a Reply
// whose Status is mapped to the status word in exactly one place (status_word).
#pragma once
#include <cstdint>
#include <map>

#include "chip/chip.hpp"
#include "chip/object_store.hpp"
#include "chip/status.hpp"
#include "se05x/apdu.hpp"
#include "se05x/tlv.hpp"

namespace trustlane::chip {

class Applet {
 public:
  Applet(ObjectStore& objects, Personality personality);

  Bytes process(ByteView apdu);
  void reset();  // sessions vanish (the chip drops transient objects)

 private:
  struct Session {
    std::uint32_t auth_id = 0;
    bool verified = false;
  };
  // The caller of the command being processed (0 = no authenticated session).
  struct Caller {
    const Bytes* session_id = nullptr;
    std::uint32_t auth_id = 0;
  };

  Bytes respond(const Reply& reply) const;
  Reply dispatch(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply select(const se05x::CommandApdu& cmd);
  Reply process_session(const se05x::CommandApdu& cmd);

  Reply write(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply write_ec_key(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply write_binary(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply write_user_id(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply write_counter(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply write_curve(const se05x::CommandApdu& cmd);

  Reply read(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply read_object(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply read_size(const se05x::CommandApdu& cmd);
  Reply read_type(const se05x::CommandApdu& cmd);
  Reply read_id_list(const se05x::CommandApdu& cmd);
  Reply get_curve_id(const se05x::CommandApdu& cmd);
  Reply read_curve_list(const se05x::CommandApdu& cmd);

  Reply crypto(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply ecdsa_sign(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply ecdsa_verify(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply ecdh(const se05x::CommandApdu& cmd, const Caller& caller);

  Reply mgmt(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply get_version(const se05x::CommandApdu& cmd);
  Reply get_random(const se05x::CommandApdu& cmd);
  Reply get_free_memory(const se05x::CommandApdu& cmd);
  Reply check_exists(const se05x::CommandApdu& cmd);
  Reply delete_object(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply delete_all(const se05x::CommandApdu& cmd);
  Reply create_session(const se05x::CommandApdu& cmd);
  Reply close_session(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply verify_user_id(const se05x::CommandApdu& cmd, const Caller& caller);
  Reply delete_curve(const se05x::CommandApdu& cmd);

  std::size_t max_response_data() const;  // data bytes that fit in front of SW1 SW2

  ObjectStore& objects_;
  Personality personality_;
  std::map<Bytes, Session> sessions_;
};

}  // namespace trustlane::chip
