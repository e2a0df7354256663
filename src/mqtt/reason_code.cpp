#include "mqtt/reason_code.hpp"

namespace trustlane::mqtt {

std::string_view to_string(ReasonCode code) {
  switch (code) {
    case ReasonCode::success: return "SUCCESS";
    case ReasonCode::granted_qos_1: return "GRANTED_QOS_1";
    case ReasonCode::granted_qos_2: return "GRANTED_QOS_2";
    case ReasonCode::disconnect_with_will_message: return "DISCONNECT_WITH_WILL_MESSAGE";
    case ReasonCode::no_matching_subscribers: return "NO_MATCHING_SUBSCRIBERS";
    case ReasonCode::no_subscription_existed: return "NO_SUBSCRIPTION_EXISTED";
    case ReasonCode::continue_authentication: return "CONTINUE_AUTHENTICATION";
    case ReasonCode::re_authenticate: return "RE_AUTHENTICATE";
    case ReasonCode::unspecified_error: return "UNSPECIFIED_ERROR";
    case ReasonCode::malformed_packet: return "MALFORMED_PACKET";
    case ReasonCode::protocol_error: return "PROTOCOL_ERROR";
    case ReasonCode::implementation_specific_error: return "IMPLEMENTATION_SPECIFIC_ERROR";
    case ReasonCode::unsupported_protocol_version: return "UNSUPPORTED_PROTOCOL_VERSION";
    case ReasonCode::client_identifier_not_valid: return "CLIENT_IDENTIFIER_NOT_VALID";
    case ReasonCode::bad_user_name_or_password: return "BAD_USER_NAME_OR_PASSWORD";
    case ReasonCode::not_authorized: return "NOT_AUTHORIZED";
    case ReasonCode::server_unavailable: return "SERVER_UNAVAILABLE";
    case ReasonCode::server_busy: return "SERVER_BUSY";
    case ReasonCode::banned: return "BANNED";
    case ReasonCode::server_shutting_down: return "SERVER_SHUTTING_DOWN";
    case ReasonCode::bad_authentication_method: return "BAD_AUTHENTICATION_METHOD";
    case ReasonCode::keep_alive_timeout: return "KEEP_ALIVE_TIMEOUT";
    case ReasonCode::session_taken_over: return "SESSION_TAKEN_OVER";
    case ReasonCode::topic_filter_invalid: return "TOPIC_FILTER_INVALID";
    case ReasonCode::topic_name_invalid: return "TOPIC_NAME_INVALID";
    case ReasonCode::packet_identifier_in_use: return "PACKET_IDENTIFIER_IN_USE";
    case ReasonCode::packet_identifier_not_found: return "PACKET_IDENTIFIER_NOT_FOUND";
    case ReasonCode::receive_maximum_exceeded: return "RECEIVE_MAXIMUM_EXCEEDED";
    case ReasonCode::topic_alias_invalid: return "TOPIC_ALIAS_INVALID";
    case ReasonCode::packet_too_large: return "PACKET_TOO_LARGE";
    case ReasonCode::message_rate_too_high: return "MESSAGE_RATE_TOO_HIGH";
    case ReasonCode::quota_exceeded: return "QUOTA_EXCEEDED";
    case ReasonCode::administrative_action: return "ADMINISTRATIVE_ACTION";
    case ReasonCode::payload_format_invalid: return "PAYLOAD_FORMAT_INVALID";
    case ReasonCode::retain_not_supported: return "RETAIN_NOT_SUPPORTED";
    case ReasonCode::qos_not_supported: return "QOS_NOT_SUPPORTED";
    case ReasonCode::use_another_server: return "USE_ANOTHER_SERVER";
    case ReasonCode::server_moved: return "SERVER_MOVED";
    case ReasonCode::shared_subscriptions_not_supported: return "SHARED_SUBSCRIPTIONS_NOT_SUPPORTED";
    case ReasonCode::connection_rate_exceeded: return "CONNECTION_RATE_EXCEEDED";
    case ReasonCode::maximum_connect_time: return "MAXIMUM_CONNECT_TIME";
    case ReasonCode::subscription_identifiers_not_supported: return "SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED";
    case ReasonCode::wildcard_subscriptions_not_supported: return "WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED";
  }
  return "UNKNOWN";
}

std::ostream& operator<<(std::ostream& os, ReasonCode code) {
  return os << to_string(code) << " (0x" << std::hex << static_cast<int>(code) << std::dec << ")";
}

ConnectReturnCode to_v311_connect_return_code(ReasonCode code) {
  using R = ReasonCode;
  if (code == R::success) return ConnectReturnCode::accepted;
  if (code == R::unsupported_protocol_version) return ConnectReturnCode::unacceptable_protocol_version;
  if (code == R::client_identifier_not_valid) return ConnectReturnCode::identifier_rejected;
  if (code == R::bad_user_name_or_password || code == R::bad_authentication_method)
    return ConnectReturnCode::bad_user_name_or_password;
  if (code == R::not_authorized || code == R::banned) return ConnectReturnCode::not_authorized;
  return ConnectReturnCode::server_unavailable;  // 3.1.1 has nothing closer for the rest
}

}  // namespace trustlane::mqtt
