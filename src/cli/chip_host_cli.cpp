// `trustlane chip serve` (expose a store's chips over JRCP_V1 or T=1) and the host-side chip
// commands (info, uid, read-cert, sign, ls) that talk to any SE05x through host::SecureElement.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "chip/store.hpp"
#include "cli/commands.hpp"
#include "host/secure_element.hpp"
#include "link/chip_server.hpp"
#include "link/open_channel.hpp"
#include "util/bytes.hpp"

namespace trustlane::cli {

namespace {

std::uint32_t parse_object_id(const std::string& text) {
  auto id = link::parse_object_id(text);
  if (!id) throw UsageError("bad object id '" + text + "' (expected e.g. 0xF0000101)");
  return *id;
}

link::Transport parse_transport_option(const std::string& name) {
  auto transport = link::parse_transport(name);
  if (!transport) throw UsageError("--transport must be jrcp or t1, got '" + name + "'");
  return *transport;
}

// Where a host command finds its SE: a served chip (--connect) or a store in process.
struct TargetArgs {
  std::string connect;
  std::string transport = "jrcp";
  std::string store;
  std::string chip;
};

void add_target_options(CLI::App& cmd, TargetArgs& args) {
  cmd.add_option("--connect", args.connect, "address of a served chip: HOST:PORT, jrcp://HOST:PORT or t1://HOST:PORT");
  cmd.add_option("--transport", args.transport, "jrcp or t1 (for a plain HOST:PORT)")->capture_default_str();
  cmd.add_option("--store", args.store, "use a chip of this store in process (with --chip)");
  cmd.add_option("--chip", args.chip, "unique ID of the chip in --store (hex or base64)");
}

// Keeps whatever the SecureElement talks to alive as long as it.
struct Target {
  std::unique_ptr<chip::Store> store;
  std::shared_ptr<chip::Chip> chip;
  std::unique_ptr<host::SecureElement> se;
};

Target open_target(const TargetArgs& args) {
  Target t;
  if (!args.connect.empty() == !args.store.empty()) throw UsageError("give either --connect or --store with --chip");
  if (!args.connect.empty()) {
    auto address = link::parse_channel_address(args.connect);
    if (!address) throw UsageError("bad address '" + args.connect + "' (expected HOST:PORT)");
    if (args.connect.find("://") == std::string::npos) address->transport = parse_transport_option(args.transport);
    t.se = std::make_unique<host::SecureElement>(link::open_channel(*address));
  } else {
    if (args.chip.empty()) throw UsageError("--store needs --chip UID");
    auto uid = from_hex(args.chip);
    if (!uid || uid->size() != se05x::kUniqueIdSize) uid = base64_decode(args.chip);
    if (!uid || uid->size() != se05x::kUniqueIdSize) throw UsageError("bad chip UID '" + args.chip + "' (18 bytes, hex or base64)");
    t.store = chip::Store::open(args.store);
    t.chip = t.store->find(*uid);
    if (!t.chip) throw std::runtime_error("no chip " + to_hex(*uid) + " in " + args.store);
    t.se = std::make_unique<host::SecureElement>(*t.chip);
  }
  t.se->select();
  return t;
}

void write_file(const std::string& path, ByteView data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}

void add_serve(CLI::App& chip) {
  struct Args {
    std::string store;
    std::string listen = "127.0.0.1:8050";
    std::string transport = "jrcp";
    std::string timing = "off";
    std::size_t threads = 0;
    unsigned wtx_interval_ms = 200;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = chip.add_subcommand("serve", "serve every chip of a store over TCP, chip i on PORT+i");
  cmd->add_option("--store", args->store, "store directory (from `trustlane chip mint`)")->required();
  cmd->add_option("--listen", args->listen, "HOST:PORT of the first chip")->capture_default_str();
  cmd->add_option("--transport", args->transport, "jrcp (JRCP_V1) or t1 (T=1 over I2C frames)")->capture_default_str();
  cmd->add_option("--timing", args->timing, "off, or real: answer as slowly as a real SE050")->capture_default_str();
  cmd->add_option("--threads", args->threads, "io threads (0: one per core)")->capture_default_str();
  cmd->add_option("--wtx-interval-ms", args->wtx_interval_ms,
                  "T=1 with timing: the SE asks for more time (S(WTX)) this often during long operations")
      ->capture_default_str();
  cmd->callback([args] {
    link::ServerOptions options;
    options.transport = parse_transport_option(args->transport);
    auto listen = link::parse_endpoint(args->listen);
    if (!listen) throw UsageError("bad --listen '" + args->listen + "' (expected HOST:PORT)");
    options.host = listen->host;
    options.base_port = listen->port;
    options.threads = args->threads;
    if (args->wtx_interval_ms == 0) throw UsageError("--wtx-interval-ms must be positive");
    options.wtx_interval = std::chrono::milliseconds(args->wtx_interval_ms);
    if (args->timing != "off" && args->timing != "real") throw UsageError("--timing must be off or real");

    auto store = chip::Store::open(args->store);
    if (args->timing == "real") {
      chip::TimingModel timing;
      timing.enabled = true;
      store->set_timing(timing);
    }
    auto chips = store->chips();
    if (chips.empty()) throw std::runtime_error("store " + args->store + " has no chips (run `trustlane chip mint`)");
    std::vector<link::ServedChip> served;
    served.reserve(chips.size());
    for (auto& c : chips) {
      served.push_back({c, [c](ByteView command, ByteView response) { return c->simulated_duration(command, response); }});
    }

    // Block the stop signals before the io threads exist so only sigwait() below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    link::ChipServer server(std::move(served), options);
    server.start();
    const auto& endpoints = server.endpoints();
    for (std::size_t i = 0; i < chips.size(); ++i) {
      std::printf("%s %s\n", to_hex(chips[i]->unique_id()).c_str(), endpoints[i].text().c_str());
    }
    std::printf("ready: %zu chips over %s\n", chips.size(), args->transport.c_str());
    std::fflush(stdout);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server.stop();
    std::fprintf(stderr, "stopped on signal %d\n", signal_number);
  });
}

void add_info(CLI::App& chip) {
  auto args = std::make_shared<TargetArgs>();
  auto* cmd = chip.add_subcommand("info", "applet version, personality, unique ID and free memory of an SE05x");
  add_target_options(*cmd, *args);
  cmd->callback([args] {
    auto t = open_target(*args);
    auto version = t.se->version();
    std::printf("applet: %s (config %04X, secure box %04X)\n", version.text().c_str(), version.config, version.secure_box);
    std::printf("personality: %s\n", t.se->personality().c_str());
    std::printf("uid: %s\n", to_hex(t.se->unique_id()).c_str());
    std::printf("free persistent memory: %u\n", t.se->free_memory(host::Memory::kPersistent));
    std::printf("free transient memory: %u\n", t.se->free_memory(host::Memory::kTransientReset));
  });
}

void add_uid(CLI::App& chip) {
  auto args = std::make_shared<TargetArgs>();
  auto base64 = std::make_shared<bool>(false);
  auto* cmd = chip.add_subcommand("uid", "the 18-byte unique ID (object 0x7FFF0206)");
  add_target_options(*cmd, *args);
  cmd->add_flag("--base64", *base64, "print base64 (24 characters: the device's MQTT client ID)");
  cmd->callback([args, base64] {
    auto t = open_target(*args);
    auto uid = t.se->unique_id();
    std::printf("%s\n", *base64 ? base64_encode(uid).c_str() : to_hex(uid).c_str());
  });
}

void add_read_cert(CLI::App& chip) {
  struct Args {
    TargetArgs target;
    std::string id = "0xF0000101";
    std::string out;
    bool der = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = chip.add_subcommand("read-cert", "read a certificate object as PEM (or DER)");
  add_target_options(*cmd, args->target);
  cmd->add_option("--id", args->id, "certificate object id")->capture_default_str();
  cmd->add_option("--out", args->out, "file to write (default: PEM to stdout)");
  cmd->add_flag("--der", args->der, "write DER instead of PEM (needs --out)");
  cmd->callback([args] {
    auto id = parse_object_id(args->id);
    if (args->der && args->out.empty()) throw UsageError("--der needs --out FILE");
    auto t = open_target(args->target);
    if (args->der) {
      write_file(args->out, t.se->read_certificate_der(id));
    } else if (args->out.empty()) {
      std::fputs(t.se->read_certificate_pem(id).c_str(), stdout);
    } else {
      write_file(args->out, as_bytes(t.se->read_certificate_pem(id)));
    }
  });
}

void add_sign(CLI::App& chip) {
  struct Args {
    TargetArgs target;
    std::string id = "0xF0000100";
    std::string digest;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = chip.add_subcommand("sign", "ECDSA-sign a digest inside the SE; prints the DER signature in hex");
  add_target_options(*cmd, args->target);
  cmd->add_option("--id", args->id, "key object id")->capture_default_str();
  cmd->add_option("--digest", args->digest, "SHA-256 (32 bytes) or SHA-384 (48 bytes) digest in hex")->required();
  cmd->callback([args] {
    auto id = parse_object_id(args->id);
    auto digest = from_hex(args->digest);
    if (!digest || (digest->size() != 32 && digest->size() != 48)) {
      throw UsageError("--digest must be 32 or 48 bytes of hex");
    }
    auto algorithm = digest->size() == 32 ? se05x::kEcdsaSha256 : se05x::kEcdsaSha384;
    auto t = open_target(args->target);
    std::printf("%s\n", to_hex(t.se->sign_digest(id, *digest, algorithm)).c_str());
  });
}

void add_ls(CLI::App& chip) {
  auto args = std::make_shared<TargetArgs>();
  auto* cmd = chip.add_subcommand("ls", "list object ids with type and size");
  add_target_options(*cmd, *args);
  cmd->callback([args] {
    auto t = open_target(*args);
    auto major = t.se->version().major;
    for (auto id : t.se->list_objects()) {
      std::string type = "?", size = "-";
      bool transient = false;
      try {
        auto info = t.se->object_type(id);
        type = host::object_type_name(info.code, major);
        transient = info.transient;
      } catch (const host::SeError&) {  // reserved objects may refuse ReadType: still listed
      }
      try {
        size = std::to_string(t.se->object_size(id));
      } catch (const host::SeError&) {
      }
      std::printf("0x%08X %-16s %-10s %s\n", id, type.c_str(), transient ? "transient" : "persistent", size.c_str());
    }
  });
}

}  // namespace

void add_chip_host_commands(CLI::App& chip) {
  add_serve(chip);
  add_info(chip);
  add_uid(chip);
  add_read_cert(chip);
  add_sign(chip);
  add_ls(chip);
}

}  // namespace trustlane::cli
