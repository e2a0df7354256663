#include "demo/demo.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "chip/store.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "demo/child_process.hpp"
#include "demo/chip_csr.hpp"
#include "demo/cloud_calls.hpp"
#include "demo/narrator.hpp"
#include "device/agent.hpp"
#include "host/secure_element.hpp"
#include "util/files.hpp"
#include "link/chip_server.hpp"
#include "link/open_channel.hpp"

namespace trustlane::demo {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kTestAccount = "111111111111";
constexpr const char* kProductionAccount = "222222222222";
constexpr const char* kTopic = "test_topic/esp32";
constexpr const char* kPolicyName = "wildCardPolicy";
constexpr const char* kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iot:Connect","iot:Publish","iot:Receive","iot:Subscribe"],"Resource":"*"}]})";

struct Device {
  std::string chip_address;  // JRCP
  std::string uid_hex;
  std::string certificate_pem;
  Registered test, production;
};

// What the agents report, gathered from their threads.
struct Traffic {
  std::mutex mutex;
  std::map<int, std::set<std::pair<std::string, int>>> received;  // device → (sender uid, qos)
  std::map<int, int> connected, disconnected, errors;
  std::map<int, std::string> last_error;
  std::map<int, int> subscribed;
  std::vector<std::string> registered_ids;  // certificateId of each JITR registration event heard
  void on(int device, const device::AgentEvent& e) {
    std::lock_guard lock(mutex);
    switch (e.kind) {
      case device::AgentEvent::Kind::received: {
        auto j = nlohmann::json::parse(e.payload.begin(), e.payload.end(), nullptr, false);
        if (j.is_object() && j.contains("uid") && j["uid"].is_string())
          received[device].insert({j["uid"].get<std::string>(), j.value("qos", -1)});
        if (e.topic.rfind("$aws/events/certificates/registered/", 0) == 0 && j.is_object() &&
            j.contains("certificateId") && j["certificateId"].is_string() &&
            j.value("certificateStatus", "") == "PENDING_ACTIVATION")
          registered_ids.push_back(j["certificateId"].get<std::string>());
        break;
      }
      case device::AgentEvent::Kind::connected: ++connected[device]; break;
      case device::AgentEvent::Kind::disconnected:
        ++disconnected[device];
        last_error[device] = e.text;
        break;
      case device::AgentEvent::Kind::error:
        ++errors[device];
        last_error[device] = e.text;
        break;
      case device::AgentEvent::Kind::subscribed: ++subscribed[device]; break;
      case device::AgentEvent::Kind::published:
      case device::AgentEvent::Kind::resent:
      case device::AgentEvent::Kind::acknowledged:
      case device::AgentEvent::Kind::reconnecting:
      case device::AgentEvent::Kind::stopped: break;
    }
  }
  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex);
        if (pred()) return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    std::lock_guard lock(mutex);
    return pred();
  }
};

struct Run {
  DemoOptions options;
  Narrator say{stdout};
  fs::path dir;
  std::uint16_t api_port = 0, mqtt_port = 0;
  bool mqtt_up = false;
  std::unique_ptr<ChildProcess> cloud;
  std::unique_ptr<chip::Store> store;
  std::unique_ptr<link::ChipServer> chips;
  std::vector<Device> devices;
  std::string root_ca_pem;
  std::string test_endpoint, production_endpoint;
  boost::asio::io_context io;
  std::vector<std::unique_ptr<device::Agent>> agents;
  Traffic traffic;
  std::thread io_thread;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> io_guard;

  void start_io() {
    io_guard.emplace(io.get_executor());
    io_thread = std::thread([this] { io.run(); });
  }
  // Also the way out when a step throws: agents say goodbye, the thread is joined, never leaked.
  void stop_io() {
    for (auto& a : agents) a->stop();
    agents.clear();
    io_guard.reset();
    io.stop();
    if (io_thread.joinable()) io_thread.join();
  }
  ~Run() { stop_io(); }

  device::AgentConfig agent_config(const Device& d, const std::string& endpoint) {
    device::AgentConfig c;
    c.chip_address = d.chip_address;
    c.endpoint = endpoint;
    c.connect_host = "127.0.0.1";
    c.connect_port = mqtt_port;
    c.root_ca_pem = root_ca_pem;
    c.subscriptions = {kTopic};
    c.publish_topic = kTopic;
    c.publish_interval = 400ms;
    c.publish_count = 0;  // keep publishing (QoS 0, 1, 0, …) so devices that connect later hear everyone
    c.backoff_first = 300ms;
    c.backoff_cap = 1000ms;
    return c;
  }
  std::unique_ptr<device::Agent> start_agent(int index, const std::string& endpoint) {
    auto agent = std::make_unique<device::Agent>(io, agent_config(devices[static_cast<std::size_t>(index)], endpoint),
                                                 [this, index](const device::AgentEvent& e) { traffic.on(index, e); });
    agent->start();
    return agent;
  }

  bool start_everything() {
    say.step("start the cloud and the chips");
    api_port = free_loopback_port();
    mqtt_port = free_loopback_port();
    cloud = std::make_unique<ChildProcess>(
        std::vector<std::string>{self_executable(), "cloud", "serve", "--data", (dir / "cloud").string(), "--api",
                                 "127.0.0.1:" + std::to_string(api_port), "--mqtt",
                                 "127.0.0.1:" + std::to_string(mqtt_port)},
        dir / "cloud.log");
    bool api_up = cloud->wait_for_port(api_port, 20s);
    say.expect("cloud API on http://127.0.0.1:" + std::to_string(api_port), api_up);
    if (!api_up) return false;
    mqtt_up = cloud->wait_for_port(mqtt_port, 5s);
    say.expect("cloud MQTT (mutual TLS) on 127.0.0.1:" + std::to_string(mqtt_port), mqtt_up);
    store = chip::Store::create(dir / "chips");
    auto minted = store->mint(static_cast<std::size_t>(options.devices));
    std::vector<link::ServedChip> served;
    for (auto& c : minted) served.push_back({c, {}});
    link::ServerOptions server_options;
    server_options.base_port = 0;
    chips = std::make_unique<link::ChipServer>(std::move(served), server_options);
    chips->start();
    for (const auto& e : chips->endpoints()) {
      devices.push_back({e.text(), {}, {}, {}, {}});
      say.detail("chip served over JRCP on " + e.text());
    }
    say.expect(std::to_string(options.devices) + " chips minted and served over JRCP", devices.size() == minted.size());
    root_ca_pem = read_text_file(dir / "cloud" / "root-ca.pem");
    return true;
  }

  bool read_identities() {
    say.step("read each chip's certificate and unique ID through the host API");
    bool all = true;
    for (auto& d : devices) {
      host::SecureElement se(link::open_channel(d.chip_address));
      se.select();
      Bytes uid = se.unique_id();
      d.uid_hex = to_hex(uid);
      d.certificate_pem = se.read_certificate_pem(se05x::object::kCloudCert0);
      auto cert = crypto::Certificate::from_pem(d.certificate_pem);
      Bytes serial = uid;
      serial.push_back(0);
      serial.push_back(0);
      bool ok = cert && cert->serial() == serial && cert->issued_by(store->vendor_ca());
      say.expect("chip " + d.uid_hex.substr(0, 12) + "...: vendor certificate, serial = UID || 0000", ok,
                 cert ? cert->subject_field("CN").value_or("") : "");
      all = all && ok;
    }
    return all;
  }

  bool register_account(const char* account, bool production) {
    CloudCalls cloud_api("127.0.0.1", api_port, account);
    cloud_api.create_policy(kPolicyName, kPolicy);
    say.detail(std::string("create-policy ") + kPolicyName + " (iot:Connect/Publish/Receive/Subscribe on *)");
    bool all = true;
    for (auto& d : devices) {
      auto r = cloud_api.register_without_ca(d.certificate_pem);
      cloud_api.attach_policy(kPolicyName, r.certificate_arn);
      auto cert = crypto::Certificate::from_pem(d.certificate_pem);
      bool ok = cert && cert->sha256_hex() == r.certificate_id;
      say.expect("register-certificate-without-ca " + r.certificate_id.substr(0, 16) + "... ACTIVE + policy", ok);
      (production ? d.production : d.test) = r;
      all = all && ok;
    }
    auto endpoint = cloud_api.describe_endpoint();
    say.expect("describe-endpoint iot:Data-ATS → " + endpoint, endpoint.find("-ats.iot.") != std::string::npos);
    (production ? production_endpoint : test_endpoint) = endpoint;
    return all;
  }

  bool talk() {
    say.step("devices connect to " + test_endpoint + " (SNI) and talk on " + kTopic);
    start_io();
    for (int i = 0; i < options.devices; ++i) agents.push_back(start_agent(i, test_endpoint));
    std::set<std::pair<std::string, int>> everything;
    for (const auto& d : devices)
      for (int q : {0, 1}) everything.insert({d.uid_hex, q});
    bool all = true;
    for (int i = 0; i < options.devices; ++i) {
      bool got = traffic.wait(
          [&] {
            const auto& r = traffic.received[i];
            return std::includes(r.begin(), r.end(), everything.begin(), everything.end());
          },
          15s);
      say.expect("device " + std::to_string(i) + " received every device's QoS 0 and QoS 1 message", got);
      all = all && got;
    }
    all = console_publishes() && all;
    if (options.devices >= 2) {
      move_to_production();
      revoke_one();
    }
    stop_io();
    return all;
  }

  // The console is one more MQTT client with a cloud-issued identity (CreateKeysAndCertificate).
  // Its key goes into an in-process chip of its own so the same agent and provider code can use
  // it; the devices' keys are never involved.
  static constexpr int kConsoleKey = 2000;
  static constexpr std::uint32_t kConsoleKeyId = 0xF0000200;  // certificate next to it, in 0xF0000201
  // Starts the console's agent (publishing on the demo topic, subscribed to `subscriptions`).
  std::unique_ptr<device::Agent> start_console(const crypto::Key& key, const crypto::Certificate& cert,
                                               const std::string& endpoint, std::vector<std::string> subscriptions) {
    try {
      std::shared_ptr<se05x::ApduChannel> console_chip = store->mint(1).front();
      {
        host::SecureElement se(*console_chip);
        se.select();
        se.import_ec_key(kConsoleKeyId, host::EcKeyPart::kPair, key.private_scalar(), key.public_point());
        se.write_binary(kConsoleKeyId + 1, cert.der());
      }
      auto config = agent_config(devices[0], endpoint);
      config.chip = console_chip;
      config.chip_address.clear();
      config.key_id = kConsoleKeyId;
      config.subscriptions = std::move(subscriptions);
      auto console = std::make_unique<device::Agent>(io, config,
                                                     [this](const device::AgentEvent& e) { traffic.on(kConsoleKey, e); });
      console->start();
      return console;
    } catch (const std::exception& e) {
      say.expect("the console client starts", false, e.what());
      return nullptr;
    }
  }

  bool console_publishes() {
    say.step("a console client (CreateKeysAndCertificate + policy, SNI " + test_endpoint + ") publishes to all");
    CloudCalls cloud_api("127.0.0.1", api_port, kTestAccount);
    auto created = cloud_api.create_keys_and_certificate();
    cloud_api.attach_policy(kPolicyName, created.certificate.certificate_arn);
    say.detail("create-keys-and-certificate --set-as-active → " + created.certificate.certificate_id.substr(0, 16) +
               "..., attach-policy " + kPolicyName);
    auto key = crypto::Key::from_pem(created.private_key_pem);
    auto cert = crypto::Certificate::from_pem(created.certificate_pem);
    if (!key || !cert) {
      say.expect("the console's certificate and key parse", false);
      return false;
    }
    auto console = start_console(*key, *cert, test_endpoint, {});
    if (!console) return false;
    std::string console_uid = console->unique_id_hex();
    bool up = traffic.wait([&] { return traffic.connected[kConsoleKey] > 0; }, 10s);
    say.expect("console connected with the cloud-issued certificate", up, up ? "" : traffic.last_error[kConsoleKey]);
    bool all = up;
    for (int i = 0; i < options.devices; ++i) {
      bool got = up && heard_all_qos(i, console_uid, 10s);
      say.expect("device " + std::to_string(i) + " received the console's QoS 0 and QoS 1 messages", got);
      all = all && got;
    }
    console->stop();
    return all;
  }

  // JITR: the fleet's own CA, registered with proof of possession and auto-registration; each
  // chip gets a certificate from it for its own key, from a CSR it signed itself.
  static constexpr std::uint32_t kDeviceKeyId = 0xF0000100;
  bool jitr() {
    say.step("JITR: the fleet's own CA, registered in account \"test\" (" + std::string(kTestAccount) + ")");
    CloudCalls api("127.0.0.1", api_port, kTestAccount);
    api.create_policy(kPolicyName, kPolicy);
    auto ca_key = crypto::Key::generate();
    crypto::CertificateSpec ca_spec;
    ca_spec.subject = {{"O", "trustlane demo"}, {"CN", "Demo Fleet CA"}};
    ca_spec.is_ca = true;
    ca_spec.path_length = 0;
    auto ca_cert = crypto::issue_certificate(ca_spec, ca_key, ca_key, nullptr);
    auto code = api.registration_code();
    crypto::CertificateSpec verification_spec;
    verification_spec.subject = {{"CN", code}};
    auto verification = crypto::issue_certificate(verification_spec, crypto::Key::generate(), ca_key, &ca_cert);
    say.detail("get-registration-code → " + code.substr(0, 16) + "...; verification certificate CN = that code");
    auto ca = api.register_ca_for_jitr(ca_cert.pem(), verification.pem());
    say.expect("register-ca-certificate " + ca.certificate_id.substr(0, 16) + "... ACTIVE, auto-registration",
               ca.certificate_id == ca_cert.sha256_hex());
    test_endpoint = api.describe_endpoint();

    say.step("each chip signs a CSR; the CA issues its certificate; it goes back into the chip");
    std::set<std::string> expected_ids;
    bool all = true;
    for (auto& d : devices) {
      bool ok = false;
      std::string why;
      try {
        auto csr = chip_signed_csr(d.chip_address, kDeviceKeyId, {{"O", "trustlane demo"}, {"CN", "device-" + d.uid_hex}});
        auto public_key = csr.public_key();
        if (!public_key) throw std::runtime_error("the CSR carries no usable public key");
        crypto::CertificateSpec spec;
        spec.subject = csr.subject();
        spec.client_auth = true;
        auto cert = crypto::issue_certificate(spec, *public_key, ca_key, &ca_cert);
        host::SecureElement se(link::open_channel(d.chip_address));
        se.select();
        se.delete_object(se05x::object::kCloudCert0);
        se.write_binary(se05x::object::kCloudCert0, cert.der());
        auto back = crypto::Certificate::from_pem(se.read_certificate_pem(se05x::object::kCloudCert0));
        ok = back && back->der() == cert.der() && back->issued_by(ca_cert);
        d.certificate_pem = cert.pem();
        expected_ids.insert(cert.sha256_hex());
      } catch (const std::exception& e) {
        why = e.what();
      }
      say.expect("chip " + d.uid_hex.substr(0, 12) + "...: chip-signed CSR → CA certificate in 0xF0000101", ok, why);
      all = all && ok;
    }
    if (!all || !mqtt_up) return false;

    say.step("first connection → PENDING_ACTIVATION + event; a handler activates and attaches the policy");
    start_io();
    auto created = api.create_keys_and_certificate();
    api.attach_policy(kPolicyName, created.certificate.certificate_arn);
    auto key = crypto::Key::from_pem(created.private_key_pem);
    auto cert = crypto::Certificate::from_pem(created.certificate_pem);
    std::unique_ptr<device::Agent> console;
    if (key && cert) console = start_console(*key, *cert, test_endpoint, {"$aws/events/certificates/registered/" + ca.certificate_id});
    bool listening = console && traffic.wait([&] { return traffic.subscribed[kConsoleKey] > 0; }, 10s);
    say.expect("console subscribed to $aws/events/certificates/registered/" + ca.certificate_id.substr(0, 8) + "...",
               listening);
    for (int i = 0; i < options.devices; ++i) agents.push_back(start_agent(i, test_endpoint));
    // The handler: every registration event heard gets the policy, then ACTIVE.
    std::set<std::string> handled;
    std::string arn_prefix = ca.certificate_arn.substr(0, ca.certificate_arn.find(":cacert/")) + ":cert/";
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (listening && handled.size() < expected_ids.size() && std::chrono::steady_clock::now() < deadline) {
      std::vector<std::string> heard;
      {
        std::lock_guard lock(traffic.mutex);
        heard = traffic.registered_ids;
      }
      for (const auto& id : heard) {
        if (!handled.insert(id).second) continue;
        api.attach_policy(kPolicyName, arn_prefix + id);
        api.update_certificate(id, "ACTIVE");
        say.detail("event for " + id.substr(0, 16) + "... → attach-policy, update-certificate ACTIVE");
      }
      std::this_thread::sleep_for(50ms);
    }
    say.expect("a registration event for every device certificate", handled == expected_ids);
    std::set<std::pair<std::string, int>> everything;
    for (const auto& d : devices)
      for (int q : {0, 1}) everything.insert({d.uid_hex, q});
    for (int i = 0; i < options.devices; ++i) {
      bool got = traffic.wait(
          [&] {
            const auto& r = traffic.received[i];
            return std::includes(r.begin(), r.end(), everything.begin(), everything.end());
          },
          15s);
      int refusals = 0;
      {
        std::lock_guard lock(traffic.mutex);
        refusals = traffic.errors[i] + traffic.disconnected[i];
      }
      say.expect("device " + std::to_string(i) + " refused first, then reconnected and heard everyone",
                 got && refusals > 0);
      all = all && got && refusals > 0;
    }
    if (console) console->stop();
    stop_io();
    return all;
  }

  // Forgets what the given agents have heard so far (the next check starts from silence).
  void forget(const std::vector<int>& keys) {
    std::lock_guard lock(traffic.mutex);
    for (int k : keys) traffic.received[k].clear();
  }
  std::set<std::string> senders(int key) {
    std::lock_guard lock(traffic.mutex);
    std::set<std::string> out;
    for (const auto& [uid, qos] : traffic.received[key]) out.insert(uid);
    return out;
  }
  bool heard_all_qos(int key, const std::string& uid, std::chrono::milliseconds timeout) {
    return traffic.wait(
        [&] {
          const auto& r = traffic.received[key];
          return r.count({uid, 0}) && r.count({uid, 1});
        },
        timeout);
  }

  // Step 5: only the endpoint changes; the certificate is the same, registered in both accounts.
  static constexpr int kMovedKey = 1000;  // the moved device's new agent reports under its own key
  void move_to_production() {
    say.step("MAR: move device 0 to production by changing only its endpoint (" + production_endpoint + ")");
    agents[0]->stop();
    std::this_thread::sleep_for(500ms);  // let its last messages drain before listening afresh
    auto moved = std::make_unique<device::Agent>(io, agent_config(devices[0], production_endpoint),
                                                 [this](const device::AgentEvent& e) { traffic.on(kMovedKey, e); });
    moved->start();
    agents[0] = std::move(moved);
    bool up = traffic.wait([&] { return traffic.connected[kMovedKey] > 0; }, 10s);
    say.expect("device 0 reconnected with SNI " + production_endpoint, up, up ? "" : traffic.last_error[kMovedKey]);
    std::vector<int> test_keys;
    for (int i = 1; i < options.devices; ++i) test_keys.push_back(i);
    forget(test_keys);
    forget({kMovedKey});
    bool own = heard_all_qos(kMovedKey, devices[0].uid_hex, 10s);
    say.expect("device 0 hears its own messages in production", own);
    bool others = true;
    for (int i : test_keys)
      others = heard_all_qos(i, devices[static_cast<std::size_t>(i)].uid_hex, 10s) && others;
    std::this_thread::sleep_for(1500ms);  // several publish intervals: time for a leak to show
    bool isolated_in = true, isolated_out = true;
    for (const auto& uid : senders(kMovedKey)) isolated_in = isolated_in && uid == devices[0].uid_hex;
    for (int i : test_keys) isolated_out = isolated_out && !senders(i).count(devices[0].uid_hex);
    say.expect("test devices keep talking in test", others);
    say.expect("test devices no longer receive device 0's messages", isolated_out);
    say.expect("device 0 no longer receives the test devices' messages", isolated_in);
  }

  // Step 6: the last device's certificate is revoked in test; the broker cuts it off for good.
  void revoke_one() {
    int victim = options.devices - 1;
    auto& d = devices[static_cast<std::size_t>(victim)];
    say.step("revoke device " + std::to_string(victim) + "'s certificate in test (UpdateCertificate REVOKED)");
    int connects_before = 0, errors_before = 0, drops_before = 0;
    {
      std::lock_guard lock(traffic.mutex);
      connects_before = traffic.connected[victim];
      errors_before = traffic.errors[victim];
      drops_before = traffic.disconnected[victim];
    }
    CloudCalls cloud_api("127.0.0.1", api_port, kTestAccount);
    cloud_api.update_certificate(d.test.certificate_id, "REVOKED");
    say.detail("update-certificate " + d.test.certificate_id.substr(0, 16) + "... --new-status REVOKED");
    bool cut = traffic.wait([&] { return traffic.disconnected[victim] > drops_before || traffic.errors[victim] > errors_before; }, 5s);
    say.expect("device " + std::to_string(victim) + "'s live connection is cut", cut);
    std::vector<int> keys;
    for (int i = 1; i < options.devices; ++i) keys.push_back(i);
    keys.push_back(kMovedKey);
    std::this_thread::sleep_for(300ms);
    forget(keys);
    // Each refused attempt ends as an error or a disconnect; three in a row is no accident.
    bool refused = traffic.wait(
        [&] { return traffic.errors[victim] + traffic.disconnected[victim] >= errors_before + drops_before + 3; }, 10s);
    std::string why;
    int reconnects = 0;
    {
      std::lock_guard lock(traffic.mutex);
      why = traffic.last_error[victim];
      reconnects = traffic.connected[victim] - connects_before;
    }
    say.expect("it cannot reconnect: the agent reports refusals", refused && reconnects == 0, why);
    bool others = true;
    for (int i = 1; i < victim; ++i) others = heard_all_qos(i, devices[static_cast<std::size_t>(i)].uid_hex, 10s) && others;
    others = heard_all_qos(kMovedKey, devices[0].uid_hex, 10s) && others;
    say.expect("the other devices keep working (test and production)", others);
    bool silent = true;
    for (int k : keys) silent = silent && !senders(k).count(d.uid_hex);
    say.expect("nobody hears the revoked device any more", silent);
  }
};

}  // namespace

int run_demo(const DemoOptions& options) {
  Run run;
  run.options = options;
  char tmpl[] = "/tmp/trustlane-demo-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    std::fprintf(stderr, "trustlane demo: cannot create a temporary directory\n");
    return 1;
  }
  run.dir = tmpl;
  std::printf("trustlane demo: %d devices, flow %s, working in %s\n", options.devices,
              options.flow == Flow::Mar ? "mar" : "jitr", run.dir.c_str());
  try {
    if (options.flow == Flow::Jitr) {
      if (run.start_everything() && run.read_identities()) run.jitr();
    } else if (run.start_everything() && run.read_identities()) {
      run.say.step(std::string("register the certificates WITHOUT CA in account \"test\" (") + kTestAccount + ")");
      bool registered = run.register_account(kTestAccount, false);
      run.say.step(std::string("MAR: register the same certificates in account \"production\" (") + kProductionAccount +
                   ")");
      registered = run.register_account(kProductionAccount, true) && registered;
      run.say.expect("the two accounts have different endpoints", run.test_endpoint != run.production_endpoint);
      if (registered && run.mqtt_up) {
        run.talk();
      } else {
        run.say.step("devices connect and talk");
        run.say.expect("devices can reach the MQTT broker", false,
                       run.mqtt_up ? "registration failed" : "cloud serve has no MQTT listener in this build");
      }
    }
  } catch (const std::exception& e) {
    run.say.expect("step completed", false, e.what());
  }
  run.stop_io();
  run.chips.reset();
  if (run.cloud) run.cloud->stop();
  run.say.summary();
  bool ok = run.say.all_held();
  if (!ok) std::printf("FAILED at %s (logs in %s)\n", run.say.first_failed_step().c_str(), run.dir.c_str());
  if (options.keep || !ok) {
    std::printf("kept %s\n", run.dir.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(run.dir, ec);
  }
  return ok ? 0 : 1;
}

}  // namespace trustlane::demo
