// Identifiers the broker makes up: session identifiers of lifecycle events, and the JITR topic.
#pragma once
#include <string>
#include <string_view>

namespace trustlane::broker {

std::string random_uuid();  // version-4 UUID text (OpenSSL DRBG)

inline std::string jitr_topic(std::string_view ca_certificate_id) {
  return "$aws/events/certificates/registered/" + std::string(ca_certificate_id);
}

}  // namespace trustlane::broker
