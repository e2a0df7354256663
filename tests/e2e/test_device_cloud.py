"""`trustlane device run` against the project's own cloud: a chip served over JRCP, its vendor
certificate registered WITHOUT CA with the AWS CLI (the seed's commands), the agent connecting by
SNI, surviving a kill -9 and restart of the cloud, and refused after its certificate is revoked."""
import json
import os
import re
import select
import subprocess
import time
import unittest

from cloud_helpers import CloudTest
from harness import TRUSTLANE, free_port, run, wait_for_port

PROVIDER_DIR = os.environ.get("TRUSTLANE_PROVIDER_DIR") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(TRUSTLANE))), "lib")

POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": ["iot:Connect", "iot:Publish", "iot:Receive", "iot:Subscribe"],
                         "Resource": "*"}]}


class DeviceOnTrustlaneCloudTest(CloudTest):
    def setUp(self):
        super().setUp()
        self.store = self.path("chips")
        run(["chip", "mint", "--store", self.store, "--count", "1"])
        self.chip_port = free_port()
        serve = self.start(["chip", "serve", "--store", self.store, "--listen", f"127.0.0.1:{self.chip_port}"],
                           name="serve")
        wait_for_port(self.chip_port, proc=serve.proc)
        run(["chip", "read-cert", "--connect", f"127.0.0.1:{self.chip_port}", "--id", "0xF0000101",
             "--out", self.path("cert.pem")])
        self.cert = self.aws("register-certificate-without-ca", "--certificate-pem", "file://cert.pem",
                             "--status", "ACTIVE")
        with open(self.path("policy.json"), "w") as f:
            json.dump(POLICY, f)
        self.aws("create-policy", "--policy-name", "wildCardPolicy", "--policy-document", "file://policy.json")
        self.aws("attach-policy", "--policy-name", "wildCardPolicy", "--target", self.cert["certificateArn"])
        self.endpoint = self.aws("describe-endpoint", "--endpoint-type", "iot:Data-ATS")["endpointAddress"]
        with open(self.path("root-ca.pem"), "w") as f:
            f.write(run(["cloud", "ca", "--data", self.data]).stdout)

    def wait_log(self, service, pattern, count=1, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            log = service.log()
            if len(re.findall(pattern, log)) >= count:
                return log
            time.sleep(0.1)
        self.fail(f"no {pattern!r} (x{count}) after {timeout}s:\n{service.log()}")

    def test_connects_by_sni_survives_cloud_restart_and_is_cut_off_when_revoked(self):
        agent = self.start(["device", "run", "--se", f"127.0.0.1:{self.chip_port}", "--endpoint", self.endpoint,
                            "--connect", f"127.0.0.1:{self.mqtt_port}", "--ca", self.path("root-ca.pem"),
                            "--sub", "test_topic/#", "--pub", "test_topic/esp32", "--interval", "300ms",
                            "--qos", "1"], name="agent")
        connected = rf"connected to {re.escape(self.endpoint)}"
        self.wait_log(agent, connected)
        self.wait_log(agent, r"received test_topic/esp32 ")

        # kill -9 the cloud: the agent backs off and reconnects once the same data dir is served again.
        self.cloud.kill9()
        self.wait_log(agent, r"reconnect in \d+\.\ds")
        self.start_cloud(["--mqtt", f"127.0.0.1:{self.mqtt_port}"])
        wait_for_port(self.mqtt_port, proc=self.cloud.proc)
        self.wait_log(agent, connected, count=2, timeout=60)
        before = len(re.findall(r"received test_topic/esp32 ", agent.log()))
        self.wait_log(agent, r"received test_topic/esp32 ", count=before + 2)

        # Revoke: the live session is cut and every reconnect is refused.
        self.aws("update-certificate", "--certificate-id", self.cert["certificateId"], "--new-status", "REVOKED")
        refusals_before = len(re.findall(r"reconnect in", agent.log()))
        self.wait_log(agent, r"reconnect in", count=refusals_before + 2, timeout=30)
        self.assertEqual(len(re.findall(connected, agent.log())), 2, agent.log())

    def test_openssl_s_client_with_the_chip_key_gets_a_connack(self):
        """Mutual TLS with the broker where the client signature is made inside the chip, through
        our OpenSSL provider, then an MQTT 3.1.1 CONNECT answered by CONNACK 0 (accepted)."""
        client_id = b"chip-via-openssl"
        variable = b"\x00\x04MQTT\x04\x02\x00\x3c"
        payload = len(client_id).to_bytes(2, "big") + client_id
        connect = bytes([0x10, len(variable) + len(payload)]) + variable + payload
        proc = subprocess.Popen(
            ["openssl", "s_client", "-provider-path", PROVIDER_DIR, "-provider", "trustlane-se05x",
             "-provider", "default", "-key", f"se05x://127.0.0.1:{self.chip_port}/0xF0000100",
             "-cert", self.path("cert.pem"), "-CAfile", self.path("root-ca.pem"), "-servername", self.endpoint,
             "-verify_return_error", "-connect", f"127.0.0.1:{self.mqtt_port}", "-quiet", "-tls1_3"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            proc.stdin.write(connect)
            proc.stdin.flush()
            answer = b""
            deadline = time.time() + 30
            while len(answer) < 4 and time.time() < deadline:
                ready, _, _ = select.select([proc.stdout], [], [], 0.5)
                if ready:
                    chunk = os.read(proc.stdout.fileno(), 4 - len(answer))
                    if not chunk:
                        break
                    answer += chunk
        finally:
            proc.kill()
            _, err = proc.communicate(timeout=10)
        self.assertEqual(answer, b"\x20\x02\x00\x00", err.decode(errors="replace"))

if __name__ == "__main__":
    unittest.main()
