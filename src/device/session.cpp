#include "device/session.hpp"

// GCC 12 reports a false "may be used uninitialized" inside std::variant's move constructor
// when events holding a std::string are pushed; nothing here is (known GCC 12 false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>
#include <cstdio>

#include "mqtt/codec.hpp"
#include "mqtt/reason_code.hpp"

namespace trustlane::device {
namespace {

constexpr std::size_t kMaxPacket = 256 * 1024;  // AWS IoT's limit is 128 KiB of payload
constexpr auto kConnackTimeout = std::chrono::seconds(30);

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

std::string connack_failure_text(std::uint8_t code, mqtt::Version version) {
  char buf[80];
  if (version == mqtt::Version::v5) {
    std::snprintf(buf, sizeof buf, "%s (0x%02X)", std::string(mqtt::to_string(mqtt::ReasonCode{code})).c_str(), code);
    return buf;
  }
  const char* text = "unknown return code";
  switch (code) {
    case 1: text = "unacceptable protocol version"; break;
    case 2: text = "identifier rejected"; break;
    case 3: text = "server unavailable"; break;
    case 4: text = "bad user name or password"; break;
    case 5: text = "not authorized"; break;
    default: break;  // a raw byte from the wire, not our enum
  }
  std::snprintf(buf, sizeof buf, "%s (%u)", text, code);
  return buf;
}

Session::Session(SessionConfig config) : config_(std::move(config)), reader_(kMaxPacket) {}

Bytes Session::encode(const mqtt::Packet& packet, Clock::time_point now) {
  last_sent_ = now;
  return mqtt::encode(packet, config_.version);
}

std::uint16_t Session::next_packet_id() {
  do {
    last_packet_id_ = static_cast<std::uint16_t>(last_packet_id_ + 1);
  } while (last_packet_id_ == 0 || std::find(inflight_.begin(), inflight_.end(), last_packet_id_) != inflight_.end());
  return last_packet_id_;
}

Bytes Session::start(Clock::time_point now) {
  mqtt::Connect connect;
  connect.version = config_.version;
  connect.client_id = config_.client_id;
  connect.clean_start = config_.clean_session;
  connect.keep_alive = config_.keep_alive_seconds;
  if (!config_.clean_session && config_.version == mqtt::Version::v5)
    connect.properties.session_expiry_interval = config_.session_expiry_seconds;
  connect_sent_ = now;
  return encode(connect, now);
}

SessionOutput Session::on_bytes(ByteView data, Clock::time_point now) {
  SessionOutput out;
  if (failed_) {
    out.close = true;
    return out;
  }
  reader_.feed(data);
  while (!out.close) {
    auto frame = reader_.next();
    if (!frame) {
      out.events.push_back(event::Failed{"bad packet from the broker: " + std::string(mqtt::to_string(frame.error()))});
      out.close = failed_ = true;
      break;
    }
    if (!*frame) break;
    auto packet = mqtt::decode(**frame, config_.version);
    if (!packet) {
      out.events.push_back(event::Failed{"bad packet from the broker: " + std::string(mqtt::to_string(packet.error()))});
      out.close = failed_ = true;
      break;
    }
    handle(*packet, out, now);
  }
  return out;
}

void Session::handle(const mqtt::Packet& packet, SessionOutput& out, Clock::time_point now) {
  auto protocol_error = [&](std::string what) {
    out.events.push_back(event::Failed{std::move(what)});
    out.close = failed_ = true;
  };
  std::visit(
      Overloaded{
          [&](const mqtt::Connack& c) {
            if (connected_) return protocol_error("second CONNACK from the broker");
            if (c.reason_code != 0) {
              out.events.push_back(event::Refused{connack_failure_text(c.reason_code, config_.version)});
              out.close = failed_ = true;
              return;
            }
            connected_ = true;
            out.events.push_back(event::Connected{c.session_present});
            if (!config_.subscriptions.empty()) {
              mqtt::Subscribe s;
              s.packet_id = subscribe_id_ = next_packet_id();
              for (const auto& filter : config_.subscriptions)
                s.subscriptions.push_back(mqtt::Subscription{filter, mqtt::QoS::at_least_once});
              out.to_send.push_back(encode(s, now));
            }
          },
          [&](const mqtt::Suback& s) {
            if (!connected_ || s.packet_id != subscribe_id_ || s.reason_codes.size() != config_.subscriptions.size())
              return protocol_error("unexpected SUBACK from the broker");
            subscribe_id_ = 0;
            for (std::size_t i = 0; i < s.reason_codes.size(); ++i)
              out.events.push_back(
                  event::Subscribed{config_.subscriptions[i], s.reason_codes[i] < 0x80, s.reason_codes[i]});
          },
          [&](const mqtt::Publish& p) {
            if (!connected_) return protocol_error("PUBLISH before CONNACK");
            if (p.qos == mqtt::QoS::exactly_once) return protocol_error("QoS 2 PUBLISH (we subscribed with QoS 1)");
            if (p.qos == mqtt::QoS::at_least_once) {
              mqtt::Puback ack;
              ack.packet_id = p.packet_id;
              out.to_send.push_back(encode(ack, now));
            }
            out.events.push_back(event::Received{p.topic, p.payload, p.qos});
          },
          [&](const mqtt::Puback& a) {
            auto it = std::find(inflight_.begin(), inflight_.end(), a.packet_id);
            if (it == inflight_.end()) return;  // a late ack from before a resend: harmless
            inflight_.erase(it);
            out.events.push_back(event::Acknowledged{a.packet_id});
          },
          [&](const mqtt::Pingresp&) { ping_sent_.reset(); },
          [&](const mqtt::Disconnect& d) {
            out.events.push_back(event::Failed{"broker sent DISCONNECT " +
                                               connack_failure_text(d.reason_code, mqtt::Version::v5)});
            out.close = failed_ = true;
          },
          [&](const auto& other) {
            protocol_error("unexpected " + std::string(mqtt::to_string(mqtt::type_of(mqtt::Packet{other}))) +
                           " from the broker");
          },
      },
      packet);
}

SessionOutput Session::on_tick(Clock::time_point now) {
  SessionOutput out;
  if (failed_) {
    out.close = true;
    return out;
  }
  if (!connected_) {
    if (now - connect_sent_ > kConnackTimeout) {
      out.events.push_back(event::Failed{"no CONNACK within 30 s"});
      out.close = failed_ = true;
    }
    return out;
  }
  if (config_.keep_alive_seconds == 0) return out;
  const auto keep_alive = std::chrono::seconds(config_.keep_alive_seconds);
  if (ping_sent_ && now - *ping_sent_ > keep_alive) {
    out.events.push_back(event::Failed{"no PINGRESP within the keep-alive interval: broker unresponsive"});
    out.close = failed_ = true;
    return out;
  }
  if (!ping_sent_ && now - last_sent_ >= keep_alive) {
    ping_sent_ = now;
    out.to_send.push_back(encode(mqtt::Pingreq{}, now));
  }
  return out;
}

std::pair<Bytes, std::uint16_t> Session::publish(std::string topic, Bytes payload, mqtt::QoS qos,
                                                 Clock::time_point now) {
  mqtt::Publish p;
  p.topic = std::move(topic);
  p.payload = std::move(payload);
  p.qos = qos;
  if (qos != mqtt::QoS::at_most_once) {
    p.packet_id = next_packet_id();
    inflight_.push_back(p.packet_id);
  }
  return {encode(p, now), p.packet_id};
}

Bytes Session::resend(std::uint16_t packet_id, std::string topic, Bytes payload, Clock::time_point now) {
  mqtt::Publish p;
  p.dup = true;
  p.qos = mqtt::QoS::at_least_once;
  p.packet_id = packet_id;
  p.topic = std::move(topic);
  p.payload = std::move(payload);
  if (std::find(inflight_.begin(), inflight_.end(), packet_id) == inflight_.end()) inflight_.push_back(packet_id);
  return encode(p, now);
}

Bytes Session::disconnect() { return mqtt::encode(mqtt::Disconnect{}, config_.version); }

}  // namespace trustlane::device
