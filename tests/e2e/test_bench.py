"""`trustlane bench` against real brokers — Mosquitto 2.0 and `trustlane cloud serve` — for the
correctness of its counts (every message sent is accounted for as received or lost), not for
speed: short smoke runs of every mode. Mutual TLS with SNI and client certificates from a
chip store (keys through the provider), from files, and from in-process chips."""
import json
import os
import subprocess
import time
import unittest

from harness import E2ETest, free_port, run, wait_for_port

MOSQUITTO = "/usr/sbin/mosquitto"
MOSQ_SNI = "mosquitto.bench.test"
ACCOUNT = "111111111111"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


class BenchTest(E2ETest):
    def setUp(self):
        super().setUp()
        os.chmod(self.tmp, 0o755)
        self.store = self.path("store")
        run(["chip", "mint", "--store", self.store, "--count", "3"])
        os.chmod(self.store, 0o755)
        self.vendor_ca = os.path.join(self.store, "vendor-ca.pem")
        os.chmod(self.vendor_ca, 0o644)
        self.certs = self.path("certs")
        os.makedirs(self.certs)
        for i in range(2):
            key, csr, pem = (os.path.join(self.certs, f"c{i}.{x}") for x in ("key", "csr", "pem"))
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                    "-out", csr, "-subj", f"/CN=bench-{i}")
            openssl("x509", "-req", "-in", csr, "-CA", self.vendor_ca, "-CAkey",
                    os.path.join(self.store, "vendor-ca.key"), "-CAcreateserial", "-out", pem, "-days", "2")
            os.remove(csr)

    def bench(self, mode, *args, timeout=60):
        out = run(["bench", mode, "--json", *args], timeout=timeout).stdout
        return json.loads(out)

    def assert_all_accounted(self, r, expected):
        m = r["messages"]
        self.assertEqual(r["errors"], {}, r)
        self.assertEqual(m["expected"], expected, r)
        self.assertEqual(m["received"], m["expected"], r)
        self.assertEqual(m["lost"], 0, r)
        self.assertEqual(r["latency_us"]["count"], m["received"], r)


@unittest.skipUnless(os.path.exists(MOSQUITTO), "mosquitto is not installed")
class BenchMosquittoTest(BenchTest):
    def setUp(self):
        super().setUp()
        ca_key, self.ca = self.path("ca.key"), self.path("ca.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key,
                "-out", self.ca, "-subj", "/CN=Bench Test CA", "-days", "2")
        key, csr, crt, ext = (self.path(n) for n in ("srv.key", "srv.csr", "srv.pem", "srv.ext"))
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                "-out", csr, "-subj", f"/CN={MOSQ_SNI}")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=DNS:{MOSQ_SNI}\nextendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", ca_key, "-CAcreateserial", "-out", crt,
                "-days", "2", "-extfile", ext)
        for p in (key, crt):
            os.chmod(p, 0o644)
        self.port = free_port()
        conf = self.path("mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"""per_listener_settings false
persistence false
log_dest stderr
log_type error
max_queued_messages 100000
listener {self.port} 127.0.0.1
cafile {self.vendor_ca}
certfile {crt}
keyfile {key}
require_certificate true
use_identity_as_username true
tls_version tlsv1.3
""")
        self.log = open(self.path("mosquitto.log"), "w")
        self.mosq = subprocess.Popen([MOSQUITTO, "-c", conf], stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, proc=self.mosq)
        self.target = ["--target", f"127.0.0.1:{self.port}", "--sni", MOSQ_SNI, "--ca", self.ca]

    def tearDown(self):
        self.mosq.terminate()
        self.mosq.wait(timeout=10)
        self.log.close()
        super().tearDown()

    def test_pubsub_qos1_p2p_with_chip_keys_accounts_every_message(self):
        r = self.bench("pubsub", *self.target, "--store", self.store, "--topology", "p2p", "-n", "3", "--qos", "1",
                       "--count", "40", "--duration", "10", "--broker-pid", str(self.mosq.pid))
        self.assertEqual(r["connections"]["ok"], 3)
        self.assertEqual(r["messages"]["sent"], 120)
        self.assertEqual(r["messages"]["acknowledged"], 120)
        self.assert_all_accounted(r, 120)
        self.assertGreater(r["broker"]["rss_bytes"], 0)
        self.assertGreaterEqual(r["broker"]["cpu_seconds"], 0)

    def test_pubsub_fan_out_and_fan_in_count_copies(self):
        r = self.bench("pubsub", *self.target, "--cert-dir", self.certs, "--topology", "fan-out", "-n", "4",
                       "--qos", "1", "--count", "25", "--size", "4096")
        self.assertEqual(r["connections"]["ok"], 5)
        self.assertEqual(r["messages"]["sent"], 25)
        self.assert_all_accounted(r, 100)
        r = self.bench("pubsub", *self.target, "--cert-dir", self.certs, "--topology", "fan-in", "-n", "4",
                       "--qos", "1", "--count", "25")
        self.assertEqual(r["messages"]["sent"], 100)
        self.assert_all_accounted(r, 100)

    def test_pubsub_rate_limited_runs_for_its_duration(self):
        t = time.time()
        r = self.bench("pubsub", *self.target, "--cert-dir", self.certs, "--topology", "p2p", "-n", "2", "--qos", "0",
                       "--rate", "100", "--duration", "1.5")
        self.assertLess(time.time() - t, 20)
        self.assertGreaterEqual(r["messages"]["sent"], 100)   # ~150 at 100/s for 1.5 s
        self.assertLessEqual(r["messages"]["sent"], 170)
        self.assertEqual(r["messages"]["received"] + r["messages"]["lost"], r["messages"]["expected"])

    def test_connect_and_idle_count_connections_and_broker_memory(self):
        r = self.bench("connect", *self.target, "--cert", os.path.join(self.certs, "c0.pem"), "--key",
                       os.path.join(self.certs, "c0.key"), "--count", "30", "--broker-pid", str(self.mosq.pid))
        self.assertEqual(r["connections"]["attempted"], 30)
        self.assertEqual(r["connections"]["ok"], 30)
        self.assertEqual(r["latency_us"]["count"], 30)
        self.assertEqual(r["errors"], {})
        self.assertIn("cpu_us_per_connection", r["broker"])
        r = self.bench("idle", *self.target, "--cert-dir", self.certs, "--count", "40", "--hold", "0.5",
                       "--broker-pid", str(self.mosq.pid))
        self.assertEqual(r["connections"]["ok"], 40)
        self.assertEqual(r["extra"]["still_connected"], 40)
        self.assertIn("rss_loaded_bytes", r["broker"])

    def test_wrong_server_name_is_a_counted_tls_error(self):
        r = self.bench("connect", "--target", f"127.0.0.1:{self.port}", "--sni", "someone.else", "--ca", self.ca,
                       "--cert-dir", self.certs, "--count", "3")
        self.assertEqual(r["connections"]["ok"], 0)
        self.assertEqual(r["errors"], {"tls-handshake": 3})


class BenchTrustlaneTest(BenchTest):
    def setUp(self):
        super().setUp()
        self.api_port, self.mqtt_port = free_port(), free_port()
        self.api = f"http://127.0.0.1:{self.api_port}"
        data = self.path("cloud")
        cloud = self.start(["cloud", "serve", "--data", data, "--api", f"127.0.0.1:{self.api_port}", "--mqtt",
                            f"127.0.0.1:{self.mqtt_port}"], name="cloud")
        wait_for_port(self.api_port, proc=cloud.proc)
        wait_for_port(self.mqtt_port, proc=cloud.proc)
        self.cloud = cloud
        self.ca = os.path.join(data, "root-ca.pem")
        policy = self.path("allow.json")
        with open(policy, "w") as f:
            json.dump(ALLOW_ALL, f)
        ledger = self.path("ledger.json")
        run(["chip", "ledger", "--store", self.store, "--out", ledger])
        run(["cloud", "import-ledger", ledger, "--account", ACCOUNT, "--policy", "allow", "--create-policy", policy,
             "--vendor-ca", self.vendor_ca, "--endpoint-url", self.api])

    def test_pubsub_qos1_against_trustlane_accounts_every_message(self):
        # The fleet run learns the account's endpoint name; reuse it as SNI here.
        fleet = self.bench("fleet", "--target", f"127.0.0.1:{self.mqtt_port}", "--ca", self.ca, "--api", self.api,
                           "--account", ACCOUNT, "--devices", "12", "--messages", "3")
        self.assertEqual(fleet["connections"]["ok"], 12, fleet)
        self.assertEqual(fleet["extra"]["registered"], 12)
        self.assert_all_accounted(fleet, 36)
        sni = fleet["target"].split("(")[1].rstrip(")")
        self.assertIn("-ats.iot.", sni)
        r = self.bench("pubsub", "--target", f"127.0.0.1:{self.mqtt_port}", "--sni", sni, "--ca", self.ca,
                       "--store", self.store, "--topology", "p2p", "-n", "3", "--qos", "1", "--count", "30",
                       "--broker-pid", str(self.cloud.proc.pid))
        self.assertEqual(r["messages"]["acknowledged"], 90)
        self.assert_all_accounted(r, 90)
        r = self.bench("connect", "--target", f"127.0.0.1:{self.mqtt_port}", "--sni", sni, "--ca", self.ca,
                       "--store", self.store, "--count", "9")
        self.assertEqual(r["connections"]["ok"], 9, r)

    def test_registry_counts_signed_registrations(self):
        r = self.bench("registry", "--api", self.api, "--account", "222222222222", "--count", "40", "--connections", "4")
        self.assertEqual(r["requests"], 40, r)
        self.assertEqual(r["errors"], {})
        self.assertEqual(r["latency_us"]["count"], 40)


class BenchUsageTest(E2ETest):
    def test_bad_arguments_are_clear_errors(self):
        ca = self.path("none.pem")
        p = run(["bench", "pubsub", "--ca", ca, "--chips", "1", "--topology", "mesh"], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("mesh", p.stderr)
        p = run(["bench", "connect", "--ca", ca, "--chips", "1"], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("none.pem", p.stderr)

    def test_unreachable_broker_stops_by_itself_with_errors(self):
        with open(self.path("ca.pem"), "w") as f:
            f.write(run(["chip", "mint", "--store", self.path("s"), "--count", "1"]) and
                    open(os.path.join(self.path("s"), "vendor-ca.pem")).read())
        port = free_port()
        t = time.time()
        out = run(["bench", "connect", "--json", "--target", f"127.0.0.1:{port}", "--ca", self.path("ca.pem"),
                   "--store", self.path("s"), "--count", "5"], timeout=60).stdout
        r = json.loads(out)
        self.assertLess(time.time() - t, 30)
        self.assertEqual(r["connections"]["ok"], 0)
        self.assertEqual(r["errors"], {"tcp-connect": 5})


if __name__ == "__main__":
    unittest.main()
