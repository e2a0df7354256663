"""`trustlane device run` against a real Mosquitto 2.0 broker configured for mutual TLS with the
chips' vendor CA (as AWS IoT does with MAR certificates): connect, subscribe, publish QoS 0/1,
two devices hearing each other, reconnect with backoff after a broker restart, clean stop."""
import json
import os
import re
import signal
import subprocess
import time
import unittest

from harness import E2ETest, free_port, run, wait_for_port

MOSQUITTO = "/usr/sbin/mosquitto"
ENDPOINT = "broker.test"


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


@unittest.skipUnless(os.path.exists(MOSQUITTO), "mosquitto is not installed")
class DeviceAgentTest(E2ETest):
    def setUp(self):
        super().setUp()
        self.store = self.path("store")
        minted = run(["chip", "mint", "--store", self.store, "--count", "2"]).stdout
        self.uids = re.findall(r"^\d+ ([0-9a-f]{36}) (\S+)", minted, re.M)
        self.assertEqual(len(self.uids), 2, minted)
        self.chip_port = free_port(2)
        serve = self.start(["chip", "serve", "--store", self.store, "--listen", f"127.0.0.1:{self.chip_port}"],
                           name="serve")
        wait_for_port(self.chip_port, proc=serve.proc)
        wait_for_port(self.chip_port + 1, proc=serve.proc)
        self.t1_port = free_port(2)
        serve_t1 = self.start(["chip", "serve", "--store", self.store, "--listen", f"127.0.0.1:{self.t1_port}",
                               "--transport", "t1"], name="serve-t1")
        wait_for_port(self.t1_port, proc=serve_t1.proc)
        self.make_broker_pki()
        self.mqtt_port = free_port()
        self.broker = None
        self.broker_logs = []
        self.start_broker()

    def tearDown(self):
        self.stop_broker()
        super().tearDown()

    def make_broker_pki(self):
        """A test CA that issues the broker's certificate for the endpoint name."""
        ca_key, self.ca, key, csr, cert = (self.path(n) for n in ("ca.key", "ca.pem", "srv.key", "srv.csr", "srv.pem"))
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key,
                "-out", self.ca, "-subj", "/CN=Test Root CA", "-days", "2")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                "-out", csr, "-subj", f"/CN={ENDPOINT}")
        ext = self.path("srv.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=DNS:{ENDPOINT},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
                "-days", "2", "-extfile", ext)
        self.srv_key, self.srv_cert = key, cert
        # Mosquitto started as root drops to its own user: let it read what it needs.
        for path, mode in ((self.tmp, 0o755), (self.store, 0o755), (key, 0o644), (cert, 0o644)):
            os.chmod(path, mode)
        conf = self.path("mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"""per_listener_settings false
persistence false
log_dest stderr
log_type all
connection_messages true
listener {{port}} 127.0.0.1
cafile {os.path.join(self.store, 'vendor-ca.pem')}
certfile {cert}
keyfile {key}
require_certificate true
use_identity_as_username true
tls_version tlsv1.2
""")
        self.conf_template = open(conf).read()

    def start_broker(self, client_ca=None):
        conf = self.path("mosquitto.conf")
        text = self.conf_template.replace("{port}", str(self.mqtt_port))
        if client_ca:
            text = text.replace(f"cafile {os.path.join(self.store, 'vendor-ca.pem')}", f"cafile {client_ca}")
        with open(conf, "w") as f:
            f.write(text)
        log_path = self.path(f"mosquitto-{len(self.broker_logs)}.log")
        self.broker_logs.append(log_path)
        self._broker_log = open(log_path, "w")
        self.broker = subprocess.Popen([MOSQUITTO, "-c", conf], stdout=self._broker_log, stderr=self._broker_log)
        wait_for_port(self.mqtt_port, proc=self.broker)

    def stop_broker(self, sig=signal.SIGTERM):
        if self.broker and self.broker.poll() is None:
            self.broker.send_signal(sig)
            self.broker.wait(timeout=10)
        if self.broker:
            self._broker_log.close()

    def broker_log(self):
        return "".join(open(p).read() for p in self.broker_logs)

    def agent(self, index, *extra, name=None):
        args = ["device", "run", "--se", f"127.0.0.1:{self.chip_port + index}", "--endpoint", ENDPOINT,
                "--connect", f"127.0.0.1:{self.mqtt_port}", "--ca", self.ca, *extra]
        return self.start(args, name=name or f"agent{index}")

    def wait_log(self, service, pattern, timeout=30, count=1):
        deadline = time.time() + timeout
        while time.time() < deadline:
            log = service.log()
            if len(re.findall(pattern, log)) >= count:
                return log
            if service.proc.poll() is not None:
                self.fail(f"agent exited {service.proc.returncode} waiting for {pattern!r}:\n{log}")
            time.sleep(0.1)
        self.fail(f"no {pattern!r} (x{count}) after {timeout}s:\n{service.log()}\n--- broker\n{self.broker_log()}")

    def test_two_devices_hear_each_other_with_qos0_and_qos1(self):
        a = self.agent(0, "--sub", "sdk/test/#", "--pub", "sdk/test/dev0", "--interval", "300ms")
        b = self.agent(1, "--sub", "sdk/test/#", "--pub", "sdk/test/dev1", "--interval", "300ms")
        for i, agent in enumerate((a, b)):
            uid, client_id = self.uids[i]
            log = self.wait_log(agent, r"connected to broker\.test")
            self.assertIn(f"as {client_id}", log)  # client ID = base64 of the unique ID
            self.assertEqual(len(client_id), 24)
            self.wait_log(agent, r"subscribed sdk/test/# \(granted QoS 1\)")
            self.wait_log(agent, r"published sdk/test/dev\d qos=0 ")
            self.wait_log(agent, r"published sdk/test/dev\d qos=1 ")
            self.wait_log(agent, r"acknowledged packet \d+")
        for agent in (a, b):
            own_and_other = self.wait_log(agent, r"received sdk/test/dev1 ", timeout=30)
            own_and_other = self.wait_log(agent, r"received sdk/test/dev0 ", timeout=30)
            payloads = [json.loads(m) for m in re.findall(r"received sdk/test/dev\d qos=\d (\{.*\})", own_and_other)]
            self.assertEqual({p["uid"] for p in payloads}, {self.uids[0][0], self.uids[1][0]})
            self.assertTrue(any(p["qos"] == 1 for p in payloads) and any(p["qos"] == 0 for p in payloads))
        # The broker authenticated each device by its chip certificate (CN as user name).
        log = self.broker_log()
        self.assertEqual(len(re.findall(r"New client connected .* as \S+ .*u'", log)), 2, log)

    def test_reconnects_with_backoff_after_broker_restart(self):
        a = self.agent(0, "--sub", "sdk/test/#", "--pub", "sdk/test/dev0", "--interval", "300ms",
                       "--keep-alive", "5")
        self.wait_log(a, r"received sdk/test/dev0 ")
        self.stop_broker(signal.SIGKILL)
        self.wait_log(a, r"disconnected")
        self.wait_log(a, r"reconnect in \d+\.\ds")
        time.sleep(1.5)  # at least one failed attempt while the broker is down
        self.start_broker()
        log = self.wait_log(a, r"connected to broker\.test", count=2, timeout=60)
        delays = [float(d) for d in re.findall(r"reconnect in (\d+\.\d)s", log)]
        self.assertGreaterEqual(len(delays), 2, log)
        self.assertLessEqual(delays[0], 1.0)  # first retry within the first second
        self.assertGreater(delays[1], 0.0)
        before = len(re.findall(r"received sdk/test/dev0 ", a.log()))
        self.wait_log(a, r"received sdk/test/dev0 ", count=before + 2)

    def test_sigterm_disconnects_cleanly(self):
        a = self.agent(0, "--sub", "sdk/test/#", "--pub", "sdk/test/dev0", "--interval", "300ms")
        self.wait_log(a, r"received sdk/test/dev0 ")
        client_id = self.uids[0][1]
        a.proc.send_signal(signal.SIGTERM)
        self.assertEqual(a.proc.wait(timeout=10), 0)
        self.assertTrue(a.log().rstrip().endswith("stopped"), a.log())
        deadline = time.time() + 5
        while f"Client {client_id} disconnected." not in self.broker_log() and time.time() < deadline:
            time.sleep(0.1)
        self.assertIn(f"Client {client_id} disconnected.", self.broker_log())

    def test_count_publishes_then_exits(self):
        a = self.agent(0, "--pub", "sdk/test/dev0", "--interval", "100ms", "--count", "4", "--qos", "1")
        self.assertEqual(a.proc.wait(timeout=30), 0, a.log())
        self.assertEqual(len(re.findall(r"published sdk/test/dev0 qos=1", a.log())), 4, a.log())
        self.assertEqual(len(re.findall(r"acknowledged packet", a.log())), 4, a.log())

    def test_in_process_chip_from_store(self):
        uid, client_id = self.uids[1]
        args = ["device", "run", "--store", self.store, "--chip", uid, "--endpoint", ENDPOINT,
                "--connect", f"127.0.0.1:{self.mqtt_port}", "--ca", self.ca, "--pub", "sdk/test/inproc",
                "--interval", "100ms", "--count", "2", "--qos", "1"]
        a = self.start(args, name="inproc")
        self.assertEqual(a.proc.wait(timeout=30), 0, a.log())
        self.assertIn(f"as {client_id}", a.log())
        self.assertEqual(len(re.findall(r"acknowledged packet", a.log())), 2, a.log())

    def test_t1_transport_and_port_443_mode(self):
        args = ["device", "run", "--se", f"t1://127.0.0.1:{self.t1_port}", "--endpoint", ENDPOINT,
                "--connect", f"127.0.0.1:{self.mqtt_port}", "--ca", self.ca, "--port-443",
                "--sub", "sdk/test/#", "--pub", "sdk/test/t1", "--interval", "200ms"]
        a = self.start(args, name="t1")
        self.wait_log(a, r"received sdk/test/t1 qos=1 ")

    def test_mqtt5(self):
        a = self.agent(0, "--mqtt5", "--sub", "sdk/test/#", "--pub", "sdk/test/dev0", "--interval", "300ms")
        self.wait_log(a, r"received sdk/test/dev0 qos=1 ")

    def test_wrong_server_name_fails_verification_and_retries(self):
        args = ["device", "run", "--se", f"127.0.0.1:{self.chip_port}", "--endpoint", "other.example",
                "--connect", f"127.0.0.1:{self.mqtt_port}", "--ca", self.ca]
        a = self.start(args, name="wrongname")
        log = self.wait_log(a, r"reconnect in")
        self.assertIn("TLS handshake with other.example", log)
        self.assertIn("certificate verify failed", log)

    def test_broker_rejecting_chip_certificate_is_a_tls_alert(self):
        # A broker that does not trust the vendor CA refuses the chip's certificate.
        self.stop_broker()
        os.chmod(self.ca, 0o644)
        self.start_broker(client_ca=self.ca)
        a = self.agent(0)
        log = self.wait_log(a, r"reconnect in")
        self.assertIn("alert unknown ca", log)
        self.assertNotIn("connected to", log)

    def test_unreachable_broker_is_reported(self):
        dead = free_port()
        args = ["device", "run", "--se", f"127.0.0.1:{self.chip_port}", "--endpoint", ENDPOINT,
                "--connect", f"127.0.0.1:{dead}", "--ca", self.ca]
        a = self.start(args, name="dead")
        log = self.wait_log(a, r"reconnect in")
        self.assertIn(f"127.0.0.1:{dead} unreachable: Connection refused", log)

    def test_bad_arguments_are_one_line_errors(self):
        out = run(["device", "run", "--endpoint", ENDPOINT, "--ca", self.ca], check=False)
        self.assertEqual(out.returncode, 2)
        self.assertIn("give the chip", out.stderr)
        out = run(["device", "run", "--se", f"127.0.0.1:{self.chip_port}", "--endpoint", ENDPOINT, "--ca", self.ca,
                   "--interval", "soon"], check=False)
        self.assertEqual(out.returncode, 2)
        self.assertIn("--interval", out.stderr)
        out = run(["device", "run", "--se", f"127.0.0.1:{self.chip_port}", "--endpoint", ENDPOINT, "--ca", self.ca,
                   "--max-unacknowledged", "0"], check=False)
        self.assertEqual(out.returncode, 2)
        self.assertIn("--max-unacknowledged must be at least 1", out.stderr)
        self.assertEqual(len(out.stderr.strip().splitlines()), 1, out.stderr)

    def test_unacknowledged_qos1_publishes_are_resent_after_reconnect(self):
        a = self.agent(0, "--sub", "sdk/test/#", "--pub", "sdk/test/dev0", "--interval", "200ms", "--qos", "1",
                       "--keep-alive", "5")
        self.wait_log(a, r"acknowledged packet")
        self.broker.send_signal(signal.SIGSTOP)  # the broker stops reading: no more PUBACKs
        sent = len(re.findall(r"published sdk/test/dev0 qos=1", a.log()))
        self.wait_log(a, r"published sdk/test/dev0 qos=1", count=sent + 3)
        self.broker.send_signal(signal.SIGKILL)
        self.broker.wait(timeout=10)
        self._broker_log.close()
        self.wait_log(a, r"disconnected")
        self.start_broker()
        log = self.wait_log(a, r"resent sdk/test/dev0 qos=1", timeout=60)
        resent = [json.loads(m)["counter"] for m in re.findall(r"^resent sdk/test/dev0 qos=1 (\{.*\})$", log, re.M)]
        self.assertGreaterEqual(len(resent), 3, log)
        self.assertEqual(resent, sorted(resent), log)  # oldest first
        # Each resent message reaches our own subscription on the new connection.
        deadline = time.time() + 30
        while time.time() < deadline:
            received = {json.loads(m)["counter"]
                        for m in re.findall(r"^received sdk/test/dev0 qos=1 (\{.*\})$", a.log(), re.M)}
            if set(resent) <= received:
                break
            time.sleep(0.1)
        self.assertLessEqual(set(resent), received, a.log())

    def test_persistent_session_asks_the_broker_to_keep_it(self):
        a = self.agent(0, "--sub", "sdk/test/#", "--persistent-session", "--keep-alive", "5")
        self.wait_log(a, r"subscribed sdk/test/#")
        a.proc.send_signal(signal.SIGTERM)
        self.assertEqual(a.proc.wait(timeout=10), 0)
        b = self.agent(0, "--persistent-session", name="again")
        log = self.wait_log(b, r"connected to broker\.test .*\(session present\)")
        self.assertIn("(session present)", log)


if __name__ == "__main__":
    unittest.main()
