// `trustlane chip ledger` (the vendor exports its signed list of chips) and
// `trustlane cloud import-ledger` (a customer bulk-registers that list into an account).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "chip/store.hpp"
#include "cli/commands.hpp"
#include "ledger/api_client.hpp"
#include "ledger/export.hpp"
#include "util/files.hpp"
#include "ledger/importer.hpp"
#include "ledger/reader.hpp"
#include "ledger/signer.hpp"

namespace trustlane::cli {

namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::move(fallback);
}

crypto::Certificate load_certificate(const std::string& path, const char* option) {
  auto cert = crypto::Certificate::from_pem(read_text_file(path));
  if (!cert) throw UsageError(std::string(option) + " " + path + ": not a PEM certificate");
  return std::move(*cert);
}

void add_chip_ledger(CLI::App& chip) {
  struct Args {
    std::string store, out;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = chip.add_subcommand("ledger", "export the vendor's signed ledger of a store's chips (JWS ES256 entries)");
  cmd->add_option("--store", args->store, "chip store directory")->required();
  cmd->add_option("--out", args->out, "ledger file to write (JSON array of flattened JWS), or - for standard output")
      ->required();
  cmd->callback([args] {
    auto store = chip::Store::open(args->store);
    auto signer = ledger::load_or_create_signer(args->store, store->vendor_ca());
    std::ostringstream out;
    std::size_t n = ledger::write_ledger(*store, signer, out);
    const std::string text = out.str();  // one copy: str() copies, and a ledger can be half a gigabyte
    // To standard output the ledger alone, so it can be piped into `cloud import-ledger -`; the
    // summary then goes to standard error.
    const bool to_stdout = args->out == "-";
    if (to_stdout) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      if (std::fflush(stdout) != 0) throw std::runtime_error("cannot write the ledger to standard output");
    } else {
      write_file_atomically(args->out, text, 0644);
    }
    std::filesystem::path dir(args->store);
    std::fprintf(to_stdout ? stderr : stdout, "%zu entries written to %s\nsigner:    %s\nvendor CA: %s\n", n,
                 to_stdout ? "standard output" : args->out.c_str(), (dir / ledger::kSignerCertFile).c_str(),
                 (dir / "vendor-ca.pem").c_str());
  });
}

void print_summary(const ledger::VerifiedLedger& verified, const ledger::ImportSummary& s, double verify_seconds,
                   double seconds) {
  std::map<std::string, std::size_t> by_reason;
  for (const auto& r : verified.rejected) {
    ++by_reason[std::string(ledger::to_string(r.reason))];
    std::printf("rejected  %s  %s: %s\n", r.unique_id.c_str(), std::string(ledger::to_string(r.reason)).c_str(),
                r.detail.c_str());
  }
  for (const auto& f : s.failed) {
    ++by_reason["cloud-error"];
    std::printf("failed    %s  %s: %s\n", f.unique_id.c_str(), f.step.c_str(), f.error.c_str());
  }
  std::printf("entries:          %zu\n", verified.total);
  std::printf("imported:         %zu\n", s.imported);
  std::printf("already present:  %zu\n", s.already_present);
  std::printf("rejected:         %zu\n", verified.rejected.size() + s.failed.size());
  for (const auto& [reason, count] : by_reason) std::printf("  %-16s %zu\n", (reason + ":").c_str(), count);
  std::printf("time:             %.2f s (%zu requests, %.0f chips/s)\n", seconds, s.requests,
              seconds > 0 ? static_cast<double>(verified.accepted.size()) / seconds : 0.0);
  std::printf("  verify:         %.2f s\n", verify_seconds);
  std::printf("  register:       %.2f s\n", seconds - verify_seconds);
  std::printf("api path:         %s\n", std::string(ledger::to_string(s.path)).c_str());
  std::fflush(stdout);
}

void add_cloud_import_ledger(CLI::App& cloud) {
  struct Args {
    std::string ledger, account, policy, thing_prefix, verify_with, vendor_ca, endpoint_url, region, create_policy;
    std::string access_key, secret_key;
    unsigned connections = 8;
    std::string api_path = "auto";
    std::size_t batch = 2500;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = cloud.add_subcommand(
      "import-ledger", "verify a vendor ledger and register every chip's certificate without CA (MAR) in an account");
  cmd->add_option("ledger", args->ledger, "ledger file (from `trustlane chip ledger`), or - for standard input")
      ->required();
  cmd->add_option("--account", args->account, "12-digit account id to register into")->required();
  cmd->add_option("--policy", args->policy, "policy to attach to every certificate")->required();
  cmd->add_option("--thing-prefix", args->thing_prefix, "things are named <prefix><uniqueId>")->capture_default_str();
  cmd->add_option("--verify-with", args->verify_with, "the manifest signer's certificate (PEM) to trust");
  cmd->add_option("--vendor-ca", args->vendor_ca, "the vendor CA (PEM): signer and chip certificates must chain to it");
  cmd->add_option("--create-policy", args->create_policy, "policy document (JSON file) to create --policy with if missing");
  cmd->add_option("--endpoint-url", args->endpoint_url, "control plane URL (default: $AWS_ENDPOINT_URL or http://127.0.0.1:8080)");
  cmd->add_option("--region", args->region, "region (default: $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1)");
  cmd->add_option("--access-key", args->access_key, "access key id (default: $AWS_ACCESS_KEY_ID, else the account id)");
  cmd->add_option("--secret-key", args->secret_key, "secret access key (default: $AWS_SECRET_ACCESS_KEY)");
  cmd->add_option("--connections", args->connections, "parallel keep-alive connections")->capture_default_str();
  cmd->add_option("--api-path", args->api_path,
                  "auto: trustlane's bulk route when the cloud offers it, else aws; bulk: only the bulk route; "
                  "aws: AWS IoT's 4 calls per chip (works against real AWS)")
      ->check(CLI::IsMember({"auto", "bulk", "aws"}))
      ->capture_default_str();
  cmd->add_option("--batch", args->batch, "chips per bulk request (1..5000; the server may cap it lower)")->capture_default_str();
  cmd->callback([args] {
    if (args->verify_with.empty() && args->vendor_ca.empty())
      throw UsageError("give --verify-with SIGNER.pem and/or --vendor-ca CA.pem: an unverified ledger is never imported");
    if (args->account.size() != 12 || !std::all_of(args->account.begin(), args->account.end(), ::isdigit))
      throw UsageError("--account must be a 12-digit account id, got '" + args->account + "'");
    if (args->connections < 1 || args->connections > 256) throw UsageError("--connections must be 1..256");
    if (args->batch < 1 || args->batch > 5000) throw UsageError("--batch must be 1..5000");
    ledger::Trust trust;
    if (!args->verify_with.empty()) trust.signer = load_certificate(args->verify_with, "--verify-with");
    if (!args->vendor_ca.empty()) trust.vendor_ca = load_certificate(args->vendor_ca, "--vendor-ca");

    ledger::ApiEndpoint endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = "8080";
    std::string url = args->endpoint_url.empty() ? env_or("AWS_ENDPOINT_URL", "") : args->endpoint_url;
    if (!url.empty()) ledger::apply_endpoint_url(endpoint, url);
    endpoint.region = !args->region.empty() ? args->region : env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1"));
    endpoint.access_key = !args->access_key.empty() ? args->access_key : env_or("AWS_ACCESS_KEY_ID", args->account);
    endpoint.secret_key = !args->secret_key.empty() ? args->secret_key : env_or("AWS_SECRET_ACCESS_KEY", "trustlane");
    endpoint.session_token = env_or("AWS_SESSION_TOKEN", "");

    ledger::ImportOptions options;
    options.account = args->account;
    options.region = endpoint.region;
    options.policy = args->policy;
    options.thing_prefix = args->thing_prefix;
    options.connections = args->connections;
    options.batch = args->batch;
    options.path = args->api_path == "bulk" ? ledger::ImportPath::Bulk
                   : args->api_path == "aws" ? ledger::ImportPath::PerCall
                                             : ledger::ImportPath::Auto;
    if (!args->create_policy.empty()) options.create_policy = read_text_file(args->create_policy);

    auto start = std::chrono::steady_clock::now();
    // Standard input through /dev/stdin: a buffered file stream, where std::cin synchronised with
    // stdio would read the half gigabyte of a 100,000-chip ledger a character at a time.
    const bool from_stdin = args->ledger == "-";
    std::ifstream in(from_stdin ? "/dev/stdin" : args->ledger, std::ios::binary);
    if (!in) throw UsageError("cannot read " + (from_stdin ? std::string("standard input") : args->ledger));
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    auto verified = ledger::verify_ledger(in, ledger::Verifier(trust), threads);
    double verify_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    ledger::ApiClientFactory factory = [endpoint] { return ledger::make_http_client(endpoint); };
    ledger::ImportSummary summary;
    if (!verified.accepted.empty()) {
      auto client = factory();
      ledger::ensure_policy(*client, options);
      summary = ledger::import_entries(verified.accepted, options, factory);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    print_summary(verified, summary, verify_seconds, seconds);
    if (!verified.rejected.empty() || !summary.failed.empty())
      throw std::runtime_error(std::to_string(verified.rejected.size() + summary.failed.size()) +
                               " entr(y/ies) not imported (listed above); the others are");
  });
}

}  // namespace

void add_chip_ledger_command(CLI::App& chip) { add_chip_ledger(chip); }
void add_cloud_ledger_commands(CLI::App& cloud) { add_cloud_import_ledger(cloud); }

}  // namespace trustlane::cli
