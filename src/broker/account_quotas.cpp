#include "broker/account_quotas.hpp"

#include <algorithm>

namespace trustlane::broker {

std::string_view to_string(QuotaRefusal r) {
  switch (r) {
    case QuotaRefusal::client_connect_rate: return "connect_throttled";  // the name stats used before
    case QuotaRefusal::account_connect_rate: return "account_connect_rate";
    case QuotaRefusal::account_connections: return "account_connections";
    case QuotaRefusal::connection_publish_rate: return "publish_rate";
    case QuotaRefusal::account_publish_in_rate: return "account_publish_in_rate";
    case QuotaRefusal::account_publish_out_rate: return "account_publish_out_rate";
  }
  return "quota";
}

ConnectAdmission::Account& ConnectAdmission::account(const Scope& scope) {
  auto key = scope.key();
  auto it = accounts_.find(key);
  if (it == accounts_.end()) it = accounts_.emplace(key, Account{TokenBucket(limits_.connects_per_second), 0}).first;
  return it->second;
}

std::optional<QuotaRefusal> ConnectAdmission::admit(const Scope& scope, const std::string& client_id,
                                                    Clock::time_point now) {
  // A refused CONNECT uses up nothing: the client ID's slot and the account's token are only taken
  // when every check passes.
  // Per client ID: at most one CONNECT every 1/rate seconds (AWS: 1 per second, not adjustable).
  // An empty client ID gets one assigned by the server, so it has no rate of its own.
  bool per_client = limits_.connects_per_second_per_client > 0 && !client_id.empty();
  std::pair<std::string, std::string> key{scope.key(), client_id};
  if (per_client) {
    auto it = last_connect_.find(key);
    auto gap = std::chrono::duration<double>(1.0 / limits_.connects_per_second_per_client);
    if (it != last_connect_.end() && now - it->second < gap) return QuotaRefusal::client_connect_rate;
  }
  auto& a = account(scope);
  if (limits_.max_connections > 0 && a.connections >= limits_.max_connections) return QuotaRefusal::account_connections;
  if (!a.connects.try_take(1, now)) return QuotaRefusal::account_connect_rate;
  ++a.connections;
  if (per_client) {
    last_connect_[key] = now;
    if (last_connect_.size() >= sweep_at_) forget_old_connects(now);
  }
  return std::nullopt;
}

// Entries older than the per-client gap can no longer refuse anything. The next sweep waits until
// the map has doubled, so a burst of many distinct client IDs costs O(1) amortised per CONNECT
// instead of a full scan each time.
void ConnectAdmission::forget_old_connects(Clock::time_point now) {
  auto gap = std::chrono::duration<double>(1.0 / limits_.connects_per_second_per_client);
  std::erase_if(last_connect_, [&](const auto& entry) { return now - entry.second >= gap; });
  sweep_at_ = std::max(kMinSweepSize, 2 * last_connect_.size());
}

void ConnectAdmission::release(const Scope& scope) {
  auto it = accounts_.find(scope.key());
  if (it != accounts_.end() && it->second.connections > 0) --it->second.connections;
}

std::size_t ConnectAdmission::connections(const Scope& scope) const {
  auto it = accounts_.find(scope.key());
  return it == accounts_.end() ? 0 : it->second.connections;
}

std::map<std::string, std::size_t> ConnectAdmission::connections_by_scope() const {
  std::map<std::string, std::size_t> out;
  for (const auto& [key, a] : accounts_)
    if (a.connections) out[key] = a.connections;
  return out;
}

PublishQuotas::Account& PublishQuotas::account(const Scope& scope) {
  auto key = scope.key();
  auto it = accounts_.find(key);
  if (it == accounts_.end())
    it = accounts_
             .emplace(key, Account{TokenBucket(limits_.publishes_in_per_second),
                                   TokenBucket(limits_.publishes_out_per_second)})
             .first;
  return it->second;
}

std::optional<QuotaRefusal> PublishQuotas::admit_inbound(TokenBucket& connection_rate, const Scope& scope) {
  if (!connection_rate.try_take(1, now_)) return refused(QuotaRefusal::connection_publish_rate);
  if (limits_.publishes_in_per_second > 0 && !account(scope).in.try_take(1, now_))
    return refused(QuotaRefusal::account_publish_in_rate);
  return std::nullopt;
}

bool PublishQuotas::admit_outbound(const Scope& scope) {
  if (limits_.publishes_out_per_second <= 0 || account(scope).out.try_take(1, now_)) return true;
  refused(QuotaRefusal::account_publish_out_rate);
  return false;
}

}  // namespace trustlane::broker
