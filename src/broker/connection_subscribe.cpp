// Connection, subscription side: SUBSCRIBE (limits, policy, retained replay) and UNSUBSCRIBE.
// GCC 12 reports false -Wmaybe-uninitialized on moves of std::variant<…, std::vector, std::string>
// inside std::vector<Event> growth (inlining-dependent, a known GCC 12 false positive). Silenced for this
// file only; ASan/UBSan runs cover the real thing.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <algorithm>

#include "broker/connection.hpp"
#include "mqtt/topic.hpp"

namespace trustlane::broker {

using mqtt::ReasonCode;

void Connection::on_subscribe(const mqtt::Subscribe& s) {
  using namespace mqtt;
  bool v5 = version_ == Version::v5;
  std::uint32_t subscription_id =
      s.properties.subscription_identifiers.empty() ? 0 : s.properties.subscription_identifiers.front();
  Suback ack;
  ack.packet_id = s.packet_id;
  std::vector<std::pair<std::string, QoS>> replay;  // filters whose retained messages to send, granted QoS
  SubscriptionChange change{true, {}};
  for (std::size_t i = 0; i < s.subscriptions.size(); ++i) {
    const Subscription& sub = s.subscriptions[i];
    auto reject = [&](ReasonCode why) {
      ack.reason_codes.push_back(v5 ? static_cast<std::uint8_t>(why) : 0x80);
    };
    bool shared = parse_shared(sub.filter).has_value();
    if (shared && sub.no_local) return fail(ReasonCode::protocol_error);  // v5 §3.8.3.1
    if (i >= limits_.max_filters_per_subscribe) {
      reject(ReasonCode::quota_exceeded);
      continue;
    }
    if (validate_topic_filter(sub.filter)) {
      reject(ReasonCode::topic_filter_invalid);
      continue;
    }
    if (!allowed("iot:Subscribe", "topicfilter", sub.filter)) {
      if (!v5) return fail(ReasonCode::not_authorized);  // AWS drops 3.1.1 clients
      reject(ReasonCode::not_authorized);
      continue;
    }
    if (!hub_.subscribed(session_, sub.filter) && hub_.subscription_count(session_) >= limits_.max_subscriptions) {
      reject(ReasonCode::quota_exceeded);
      continue;
    }
    auto granted = std::min(sub.qos, QoS::at_least_once);
    bool is_new = hub_.subscribe(session_, sub.filter,
                                 Subscriber{session_, granted, sub.no_local, sub.retain_as_published, subscription_id});
    ack.reason_codes.push_back(static_cast<std::uint8_t>(granted));
    change.topics.push_back(sub.filter);
    if (!shared && (sub.retain_handling == 0 || (sub.retain_handling == 1 && is_new)))
      replay.emplace_back(sub.filter, granted);
  }
  send(ack);
  if (!change.topics.empty()) events_.emplace_back(std::in_place_type<SubscriptionChange>, std::move(change));
  for (const auto& [filter, granted] : replay) {
    std::vector<RetainedMessage> retained;
    hub_.retained_for(identity_.scope, filter, retained);
    for (auto& r : retained) {
      Message m{r.topic, std::move(r.payload), r.qos, true, r.properties};
      m.expires_at = r.expires_at;
      // Retained messages are sent with RETAIN = 1 at min(stored QoS, granted QoS).
      deliver(m, std::min(r.qos, granted), Subscriber{session_, granted, false, true, subscription_id}, true);
    }
  }
}

void Connection::on_unsubscribe(const mqtt::Unsubscribe& u) {
  mqtt::Unsuback ack;
  ack.packet_id = u.packet_id;
  SubscriptionChange change{false, {}};
  for (std::size_t i = 0; i < u.filters.size(); ++i) {
    const std::string& filter = u.filters[i];
    // At most 8 filters per UNSUBSCRIBE, as per SUBSCRIBE; the rest stay subscribed (v5: 0x83;
    // a 3.1.1 UNSUBACK has no per-filter result).
    if (i >= limits_.max_filters_per_subscribe) {
      if (version_ == mqtt::Version::v5)
        ack.reason_codes.push_back(static_cast<std::uint8_t>(ReasonCode::implementation_specific_error));
      continue;
    }
    bool removed = hub_.unsubscribe(session_, filter);
    if (removed) change.topics.push_back(filter);
    if (version_ == mqtt::Version::v5)
      ack.reason_codes.push_back(static_cast<std::uint8_t>(removed ? ReasonCode::success : ReasonCode::no_subscription_existed));
  }
  send(ack);
  if (!change.topics.empty()) events_.emplace_back(std::in_place_type<SubscriptionChange>, std::move(change));
}

}  // namespace trustlane::broker
