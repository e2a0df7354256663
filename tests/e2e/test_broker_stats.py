"""Broker stats on demand: GET /trustlane/stats on the control-plane port (plain in lenient mode,
SigV4 in --strict-auth mode), rates computed from real traffic, `kill -USR1` toggling the
per-second stats line on stderr, `--stats`, and `trustlane cloud stats [--json]`."""
import json
import os
import signal
import time
import unittest
import urllib.error
import urllib.request
import warnings

warnings.simplefilter("ignore", ResourceWarning)

import test_broker as tb
from harness import run

ACCOUNT_A = tb.ACCOUNT_A


class StatsTest(tb.BrokerTest):
    def stat_lines(self):
        return [l for l in self.cloud.log().splitlines() if "broker stats:" in l]

    def wait_for(self, predicate, timeout=8):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return predicate()


class StatsRouteTest(StatsTest):
    def test_counts_and_rates_follow_real_traffic(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        host = self.endpoint(ACCOUNT_A)
        first = self.stats()
        for key_name in ("connections", "connectionsTotal", "messagesIn", "messagesOut", "bytesIn", "bytesOut",
                         "rates", "refusals", "accounts", "limits"):
            self.assertIn(key_name, first)
        self.assertEqual(first["limits"]["publishesPerSecondPerConnection"], 100)
        self.assertEqual(first["limits"]["accountPublishesInPerSecond"], 20000)
        self.assertEqual(first["limits"]["accountMaxConnections"], 500000)
        sub = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(tb.connack_code(sub.connect("sub")), 0)
        sub.subscribe("load/#", qos=0)
        pub = self.mqtt(cert, key, sni=host, v=4)
        self.assertEqual(tb.connack_code(pub.connect("pub")), 0)
        peak_in = peak_out = 0.0
        for i in range(40):  # ~20 messages/s for 2 s
            pub.publish("load/x", f"m{i}", qos=0)
            time.sleep(0.05)
            if i % 5 == 0:
                rates = self.stats()["rates"]
                peak_in = max(peak_in, rates["messagesInPerSecond"])
                peak_out = max(peak_out, rates["messagesOutPerSecond"])
        got = 0
        while sub.expect_publish(timeout=1) is not None:
            got += 1
        self.assertEqual(got, 40)
        s = self.stats()
        self.assertEqual(s["connections"], 2)
        self.assertEqual(s["connectionsTotal"], 2)
        self.assertEqual(s["accounts"][f"{ACCOUNT_A}/us-east-1"]["connections"], 2)
        self.assertGreaterEqual(s["messagesIn"], 40)
        self.assertGreaterEqual(s["messagesOut"], 40)
        self.assertGreater(s["bytesIn"], 40 * 10)
        # Measured, not made up: around 20/s while publishing (a loaded machine stretches it).
        self.assertGreater(peak_in, 3)
        self.assertLess(peak_in, 200)
        self.assertGreater(peak_out, 3)
        # And back to zero once the traffic stops.
        self.assertTrue(self.wait_for(lambda: self.stats()["rates"]["messagesInPerSecond"] == 0, timeout=6))

    def test_refusals_by_reason_and_cloud_stats_command(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        self.assertIsNone(self.mqtt(cert, key, sni="zzzzzzzzzzzzzz-ats.iot.us-east-1.trustlane.local").connect("x"))
        # (the harness's port probe is a counted tls_handshake refusal too)
        self.assertEqual(self.stats()["refusals"].get("unknown_endpoint"), 1)
        api = f"127.0.0.1:{self.port}"
        out = run(["cloud", "stats", "--api", api, "--json"], env=self.env).stdout
        self.assertEqual(json.loads(out)["refusals"].get("unknown_endpoint"), 1)
        text = run(["cloud", "stats", "--api", api], env=self.env).stdout
        self.assertRegex(text, r"refusals\.unknown_endpoint\s+1")
        self.assertRegex(text, r"messagesInPerSecond\s+\d")
        down = run(["cloud", "stats", "--api", f"127.0.0.1:{tb.free_port()}"], check=False, env=self.env)
        self.assertNotEqual(down.returncode, 0)
        self.assertTrue(down.stderr.startswith("trustlane: "), down.stderr)


class StatsStrictAuthTest(StatsTest):
    def start_cloud(self, extra=None):
        creds = self.path("credentials.json")
        with open(creds, "w") as f:
            json.dump({"credentials": [{"accessKeyId": "AKIAOPS", "secretAccessKey": "ops-secret",
                                        "accountId": ACCOUNT_A}]}, f)
        return super().start_cloud(["--strict-auth", "--credentials", creds, *(extra or [])])

    def test_stats_need_a_valid_signature(self):
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{self.url}/trustlane/stats", timeout=10)
        self.assertEqual(e.exception.code, 403)
        self.assertEqual(e.exception.headers["x-amzn-ErrorType"], "MissingAuthenticationTokenException")
        api = f"127.0.0.1:{self.port}"
        env = {**self.env, "AWS_ACCESS_KEY_ID": "AKIAOPS", "AWS_SECRET_ACCESS_KEY": "ops-secret"}
        signed = json.loads(run(["cloud", "stats", "--api", api, "--json"], env=env).stdout)
        self.assertEqual(signed["connections"], 0)
        bad = run(["cloud", "stats", "--api", api], check=False,
                  env={**env, "AWS_SECRET_ACCESS_KEY": "wrong"})
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("403", bad.stderr)
        self.assertIn("InvalidSignatureException", bad.stderr)


class PeriodicStatsTest(StatsTest):
    def test_usr1_toggles_the_per_second_line_on_and_off(self):
        self.assertEqual(self.stat_lines(), [])
        self.cloud.proc.send_signal(signal.SIGUSR1)
        self.assertTrue(self.wait_for(lambda: len(self.stat_lines()) >= 2), "no stats lines after SIGUSR1")
        line = self.stat_lines()[-1]
        self.assertRegex(line, r"connections=0 accepted=0 msgs_in=0 \(0/s\) msgs_out=0 \(0/s\)")
        self.cloud.proc.send_signal(signal.SIGUSR1)
        time.sleep(1.5)  # one line may still be on its way
        stopped_at = len(self.stat_lines())
        time.sleep(2.5)
        self.assertEqual(len(self.stat_lines()), stopped_at, "SIGUSR1 again stops the line")


class StatsFlagTest(StatsTest):
    def start_cloud(self, extra=None):
        return super().start_cloud(["--stats", *(extra or [])])

    def test_stats_flag_prints_from_the_start(self):
        self.assertTrue(self.wait_for(lambda: len(self.stat_lines()) >= 2), "no stats lines with --stats")
        self.assertRegex(self.stat_lines()[-1], r"connections=0 .* refusals: ")


if __name__ == "__main__":
    unittest.main()
