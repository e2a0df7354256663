// Bulk registration of a verified vendor ledger into one account through the control-plane API:
// per chip RegisterCertificateWithoutCA (ACTIVE), AttachPolicy, CreateThing, AttachThingPrincipal.
// Idempotent: a certificate the account already holds counts as "already present" (its policy
// and thing links are still ensured, which changes nothing when they exist, and completes an
// import that was interrupted). One chip's failure never stops or undoes the others.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/api_client.hpp"
#include "ledger/verify.hpp"

namespace trustlane::ledger {

// How chips reach the cloud. PerCall is the AWS IoT path (4 calls per chip; works against real
// AWS). Bulk is trustlane's POST /trustlane/bulk/register-without-ca (the same effects, one
// transaction per batch). Auto asks the server once whether it offers Bulk.
enum class ImportPath { Auto, Bulk, PerCall };
std::string_view to_string(ImportPath p);  // "auto", "bulk", "aws"

inline constexpr const char* kBulkRoute = "/trustlane/bulk/register-without-ca";

struct ImportOptions {
  std::string account;  // for ARNs when the cloud does not echo one
  std::string region;
  std::string policy;
  std::string thing_prefix;                    // thing name = prefix + uniqueId
  std::optional<std::string> create_policy;    // document to create `policy` with when missing
  unsigned connections = 8;                    // parallel keep-alive connections
  ImportPath path = ImportPath::Auto;
  std::size_t batch = 2500;                    // chips per bulk request (capped by the server's maxItems)
};

struct FailedEntry {
  std::string unique_id;
  std::string step;   // "register-certificate", "attach-policy", …
  std::string error;  // "<ErrorType>: <message>" or the transport failure
};

struct ImportSummary {
  std::size_t imported = 0;
  std::size_t already_present = 0;
  std::vector<FailedEntry> failed;  // rejected by the cloud or unreachable
  std::size_t requests = 0;
  ImportPath path = ImportPath::PerCall;  // the path actually taken
};

// Checks that `options.policy` exists (creating it when `create_policy` is set). Throws
// std::runtime_error with a one-line reason otherwise, before any chip is touched.
void ensure_policy(ApiClient& client, const ImportOptions& options);

// Asks the server (one signed, empty bulk request) whether it offers the bulk route; returns
// its batch cap, or 0 when it does not (any non-200 answer, e.g. real AWS's 403/404).
std::size_t probe_bulk_route(ApiClient& client);

// Registers every entry using `options.connections` clients from `factory` in parallel.
// `progress(done)` is called now and then from worker threads (may be empty).
ImportSummary import_entries(const std::vector<VerifiedEntry>& entries, const ImportOptions& options,
                             const ApiClientFactory& factory, const std::function<void(std::size_t)>& progress = {});

}  // namespace trustlane::ledger
