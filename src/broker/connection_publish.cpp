// Connection, publish side: inbound PUBLISH/PUBACK and outbound delivery with the QoS 1 window.
// GCC 12 reports false -Wmaybe-uninitialized on moves of std::variant<…, std::vector, std::string>
// inside std::vector<Event> growth (inlining-dependent, a known GCC 12 false positive). Silenced for this
// file only; ASan/UBSan runs cover the real thing.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <algorithm>

#include "broker/connection.hpp"
#include "broker/message_expiry.hpp"
#include "broker/publish_rules.hpp"

namespace trustlane::broker {

using mqtt::ReasonCode;

void Connection::on_publish(mqtt::Publish&& p) {
  using namespace mqtt;
  if (p.qos == QoS::exactly_once) return fail(ReasonCode::qos_not_supported);
  // AWS disconnects (CLIENT_ERROR, PAYLOAD_LIMIT_EXCEEDED) a payload over 128 KB.
  if (p.payload.size() > limits_.max_payload) return fail(ReasonCode::packet_too_large);
  if (auto alias = p.properties.topic_alias) {
    if (*alias > limits_.topic_alias_maximum) return fail(ReasonCode::topic_alias_invalid);
    if (p.topic.empty()) {
      auto it = inbound_aliases_.find(*alias);
      if (it == inbound_aliases_.end()) return fail(ReasonCode::protocol_error);
      p.topic = it->second;
    } else {
      inbound_aliases_[*alias] = p.topic;
    }
  }
  TopicVerdict verdict = check_client_publish(p.topic, p.retain);
  if (verdict == TopicVerdict::invalid) return fail(ReasonCode::topic_name_invalid);
  if (quotas_ && quotas_->admit_inbound(publish_rate_, identity_.scope)) return throttled(p);

  // A reserved `$` topic is refused like a policy denial.
  if (verdict != TopicVerdict::ok || !may_publish(p.topic, p.retain)) {
    if (version_ == Version::v3_1_1) return fail(ReasonCode::not_authorized);
    if (p.qos == QoS::at_least_once) send(Puback{{p.packet_id, static_cast<std::uint8_t>(ReasonCode::not_authorized), {}}});
    return;
  }
  route(Message{p.topic, std::move(p.payload), p.qos, p.retain, forwarded_properties(p.properties)});
  if (p.qos == QoS::at_least_once) send(Puback{{p.packet_id, 0, {}}});
}

bool Connection::may_publish(std::string_view topic, bool retain) {
  return allowed("iot:Publish", "topic", topic) && (!retain || allowed("iot:RetainPublish", "topic", topic));
}

void Connection::route(Message m) {
  m.expires_at = expiry_time(m.properties, hub_.now());  // the interval starts when the broker has it
  if (m.retain) hub_.retain(identity_.scope, m);
  if (delivered_to_subscribers(m.topic)) hub_.publish(identity_.scope, m, session_);
}

// A PUBLISH over the connection's rate (100/s) or its account's inbound quota. AWS IoT Core keeps
// the connection and drops the message: a QoS 1 publish gets no PUBACK under MQTT 3.1.1, which
// has no way to say "not done" (AWS SDK maintainers, aws-iot-device-sdk-python-v2#257; AWS
// support via dev.classmethod.jp "behavior of MQTT messages when throttling occurs in AWS IoT
// Core": connection not cut, QoS 0 lost, QoS 1 unacknowledged). For MQTT 5, where AWS documents
// no specific code, we answer QoS 1 with PUBACK 0x97 Quota exceeded — the only MQTT 5 PUBACK
// code for "an implementation or administrative imposed limit has been exceeded" (0x96 Message
// rate too high is a DISCONNECT-only code, MQTT 5 §3.14.2.1).
void Connection::throttled(const mqtt::Publish& p) {
  if (version_ == mqtt::Version::v5 && p.qos == mqtt::QoS::at_least_once)
    send(mqtt::Puback{{p.packet_id, static_cast<std::uint8_t>(ReasonCode::quota_exceeded), {}}});
}

void Connection::on_puback(std::uint16_t packet_id) {
  auto it = inflight_.find(packet_id);  // an unknown id is harmless (e.g. acked after a resend)
  if (it != inflight_.end()) {
    hub_.acknowledged(session_, it->second.seq);
    inflight_.erase(it);
  }
  drain_pending();
}

std::uint16_t Connection::next_packet_id() {
  do {
    last_packet_id_ = static_cast<std::uint16_t>(last_packet_id_ + 1);
  } while (last_packet_id_ == 0 || inflight_.count(last_packet_id_));
  return last_packet_id_;
}

void Connection::deliver(const Message& message, mqtt::QoS qos, const Subscriber& subscriber, bool retain_flag) {
  // iot:Receive is checked on every delivery, so a policy change stops live delivery.
  if (state_ != State::connected || !allowed("iot:Receive", "topic", message.topic)) {
    hub_.acknowledged(session_, message.seq);  // dropped: a stored copy must not come back later
    return;
  }
  // Over the account's outbound quota the delivery is dropped (AWS throttles, the subscriber's
  // connection stays up); counted by the quotas' reporter.
  if (quotas_ && !quotas_->admit_outbound(identity_.scope)) {
    hub_.acknowledged(session_, message.seq);
    return;
  }
  if (qos == mqtt::QoS::at_least_once && inflight_.size() >= send_window_) {
    // A subscriber that never acknowledges must not grow the broker's memory without bound.
    if (!pending_.fits(message, limits_.queue_budget())) {
      hub_.acknowledged(session_, message.seq);
      return;
    }
    pending_.push_back({message, subscriber.subscription_id, retain_flag});
    return;
  }
  send_publish(message, qos, subscriber.subscription_id, retain_flag);
}

void Connection::send_publish(const Message& message, mqtt::QoS qos, std::uint32_t subscription_id, bool retain_flag) {
  // Encoded from views of the message: one copy of the payload per receiver, into its frame.
  mqtt::PublishParts p{message.topic, message.payload, qos, retain_flag};
  mqtt::Properties properties;
  if (version_ == mqtt::Version::v5) {
    properties = message.properties;
    set_remaining_interval(properties, message.expires_at, hub_.now());  // minus the time it waited
    if (subscription_id) properties.subscription_identifiers = {subscription_id};
    p.properties = &properties;
  }
  if (qos == mqtt::QoS::at_least_once) {
    p.packet_id = next_packet_id();
    p.dup = message.redelivery;
  }
  Bytes bytes = mqtt::encode_publish(p, version_);
  if (client_max_packet_ && bytes.size() > client_max_packet_) {  // v5 §3.1.2.11.4: drop
    if (qos == mqtt::QoS::at_least_once) hub_.acknowledged(session_, message.seq);
    return;
  }
  if (qos == mqtt::QoS::at_least_once) {
    Message kept = message;
    kept.qos = qos;
    inflight_.emplace(p.packet_id, std::move(kept));
  }
  events_.emplace_back(std::in_place_type<SendBytes>, SendBytes{std::move(bytes)});
}

void Connection::drain_pending() {
  while (!pending_.empty() && inflight_.size() < send_window_ && state_ == State::connected) {
    PendingDelivery next = pending_.pop_front();
    if (has_expired(next.message.expires_at, hub_.now())) {  // expired while waiting for the window
      hub_.acknowledged(session_, next.message.seq);
      continue;
    }
    send_publish(next.message, mqtt::QoS::at_least_once, next.subscription_id, next.retain_flag);
  }
}

}  // namespace trustlane::broker
