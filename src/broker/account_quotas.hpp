// AWS IoT Core account quotas per (account, region), sans-I/O: the caller passes the time.
//
// Defaults are AWS's (https://docs.aws.amazon.com/general/latest/gr/iot-core.html, "Message
// broker"): 500 CONNECT/s and 500,000 concurrent connections per account, 20,000 inbound and
// 20,000 outbound publishes/s per account, 1 CONNECT/s per client ID. A self-hosted deployment may
// raise (or lower) each one; 0 means unlimited. What a refused client sees is decided by the
// callers (TLS layer for CONNECT, Connection for PUBLISH) and documented in docs/compatibility.md.
#pragma once
#include <chrono>
#include <functional>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "broker/scope.hpp"
#include "broker/server_limits.hpp"

namespace trustlane::broker {

struct AccountLimits {
  double connects_per_second = 500;                // CONNECT requests per (account, region)
  double connects_per_second_per_client = 1;       // CONNECT per (account, region, client ID)
  std::size_t max_connections = 500'000;           // concurrent, per (account, region)
  double publishes_in_per_second = 20'000;         // inbound PUBLISH per (account, region)
  double publishes_out_per_second = 20'000;        // outbound PUBLISH per (account, region)
};

// Why a quota refused something; also the key under which stats count it.
enum class QuotaRefusal {
  client_connect_rate,    // > connects_per_second_per_client for one client ID
  account_connect_rate,   // > connects_per_second for the account
  account_connections,    // max_connections reached
  connection_publish_rate,  // > Limits::publishes_per_second on one connection
  account_publish_in_rate,  // > publishes_in_per_second for the account
  account_publish_out_rate, // > publishes_out_per_second for the account
};
std::string_view to_string(QuotaRefusal r);

// CONNECT admission: the per-client-ID rate, the account's CONNECT rate and its connection count.
// Not thread-safe (net::Core holds a mutex around it). An admitted connection holds one of its
// account's connection slots until release().
class ConnectAdmission {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ConnectAdmission(AccountLimits limits = {}) : limits_(limits) {}

  std::optional<QuotaRefusal> admit(const Scope& scope, const std::string& client_id, Clock::time_point now);
  void release(const Scope& scope);  // an admitted connection has ended (extra calls are harmless)
  std::size_t connections(const Scope& scope) const;
  std::map<std::string, std::size_t> connections_by_scope() const;  // "account/region" → open
  std::size_t tracked_client_ids() const { return last_connect_.size(); }  // for the per-client rate

 private:
  struct Account {
    TokenBucket connects;
    std::size_t connections = 0;
  };
  Account& account(const Scope& scope);
  void forget_old_connects(Clock::time_point now);

  static constexpr std::size_t kMinSweepSize = 100'000;
  AccountLimits limits_;
  std::unordered_map<std::string, Account> accounts_;
  std::map<std::pair<std::string, std::string>, Clock::time_point> last_connect_;  // (scope, client ID)
  std::size_t sweep_at_ = kMinSweepSize;  // size of last_connect_ that triggers the next sweep
};

// The publish-side quotas, shared by every Connection of one core (single-threaded). The core owns
// no clock: the I/O layer calls advance_time() before each call into it.
class PublishQuotas {
 public:
  using Clock = std::chrono::steady_clock;
  explicit PublishQuotas(AccountLimits limits = {}) : limits_(limits) {}

  void advance_time(Clock::time_point now) { now_ = now; }
  Clock::time_point now() const { return now_; }

  // An inbound PUBLISH on a connection whose own rate is `connection_rate`: that first, then the
  // account's. A refused publish takes no token from the account.
  std::optional<QuotaRefusal> admit_inbound(TokenBucket& connection_rate, const Scope& scope);
  bool admit_outbound(const Scope& scope);

  // Told of every refusal (the I/O layer counts it in the stats and logs it, at most once a second).
  std::function<void(QuotaRefusal)> report;

 private:
  std::optional<QuotaRefusal> refused(QuotaRefusal r) {
    if (report) report(r);
    return r;
  }
  struct Account {
    TokenBucket in;
    TokenBucket out;
  };
  Account& account(const Scope& scope);

  AccountLimits limits_;
  Clock::time_point now_{};
  std::unordered_map<std::string, Account> accounts_;
};

}  // namespace trustlane::broker
