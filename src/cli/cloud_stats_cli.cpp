// `trustlane cloud stats --api HOST:PORT [--json]`: the broker's stats from a running `cloud serve`
// (GET /trustlane/stats on the control-plane port), signed with SigV4 like the other client commands.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "ledger/api_client.hpp"

namespace trustlane::cli {

namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::move(fallback);
}

struct StatsArgs {
  std::string api = "127.0.0.1:8080";
  std::string region, access_key, secret_key;
  bool json = false;
};

// The readable form: one "name value" line per counter, rates, then refusals and accounts.
void print_readable(const nlohmann::json& j) {
  auto number = [](const nlohmann::json& v) { return v.is_number_float() ? fmt::format("{:.1f}", v.get<double>())
                                                                        : v.dump(); };
  for (const char* key : {"connections", "connectionsTotal", "messagesIn", "messagesOut", "bytesIn", "bytesOut",
                          "dropped", "tlsAccepted"})
    if (j.contains(key)) std::printf("%-28s %s\n", key, number(j[key]).c_str());
  if (j.contains("rates"))
    for (const auto& [k, v] : j["rates"].items()) std::printf("%-28s %s\n", k.c_str(), number(v).c_str());
  if (j.contains("refusals"))
    for (const auto& [k, v] : j["refusals"].items())
      std::printf("%-28s %s\n", ("refusals." + k).c_str(), number(v).c_str());
  if (j.contains("accounts"))
    for (const auto& [k, v] : j["accounts"].items())
      std::printf("%-28s %s\n", ("connections." + k).c_str(), number(v.value("connections", nlohmann::json(0))).c_str());
}

void run_stats(const StatsArgs& a) {
  ledger::ApiEndpoint endpoint;
  ledger::apply_endpoint_url(endpoint, "http://" + a.api);
  endpoint.region = !a.region.empty() ? a.region : env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1"));
  endpoint.access_key = !a.access_key.empty() ? a.access_key : env_or("AWS_ACCESS_KEY_ID", "123456789012");
  endpoint.secret_key = !a.secret_key.empty() ? a.secret_key : env_or("AWS_SECRET_ACCESS_KEY", "trustlane");
  endpoint.session_token = env_or("AWS_SESSION_TOKEN", "");
  auto client = ledger::make_http_client(endpoint);
  auto response = client->send({"GET", "/trustlane/stats", "", "", {}});
  if (response.status != 200) {
    std::string message = response.body;
    auto parsed = nlohmann::json::parse(response.body, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("message"))
      message = parsed["message"].get<std::string>();
    throw std::runtime_error(fmt::format("GET /trustlane/stats on {}: HTTP {} {}: {}", a.api, response.status,
                                         response.error_type, message));
  }
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error("GET /trustlane/stats on " + a.api + ": not JSON");
  if (a.json) std::printf("%s\n", j.dump(2).c_str());
  else print_readable(j);
}

}  // namespace

void add_cloud_stats_command(CLI::App& cloud) {
  auto args = std::make_shared<StatsArgs>();
  auto* cmd = cloud.add_subcommand("stats", "print the MQTT broker's stats of a running `cloud serve` (its API port)");
  cmd->add_option("--api", args->api, "control plane address HOST:PORT")->capture_default_str();
  cmd->add_flag("--json", args->json, "print the JSON document as served");
  cmd->add_option("--region", args->region, "signing region (default: $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1)");
  cmd->add_option("--access-key", args->access_key, "access key id (default: $AWS_ACCESS_KEY_ID)");
  cmd->add_option("--secret-key", args->secret_key, "secret access key (default: $AWS_SECRET_ACCESS_KEY)");
  cmd->callback([args] { run_stats(*args); });
}

}  // namespace trustlane::cli
