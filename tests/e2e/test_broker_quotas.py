"""Broker limits and account quotas of `trustlane cloud serve`, end to end: each quota lowered on
the command line, triggered by real TLS clients (python ssl, MQTT 3.1.1 and 5 on the wire), with
the client-visible behaviour (AWS: throttled PUBLISH dropped with the connection kept, 3.1.1 QoS 1
unacknowledged, 5 PUBACK 0x97; CONNECT quotas: 3.1.1 closed without CONNACK, 5 CONNACK 0x9F or
0x97) and the refusal counters of GET /trustlane/stats asserted."""
import time
import unittest
import warnings

warnings.simplefilter("ignore", ResourceWarning)

import test_broker as tb

ACCOUNT_A = tb.ACCOUNT_A
ACCOUNT_B = tb.ACCOUNT_B
QUOTA_EXCEEDED = 0x97
CONNECTION_RATE_EXCEEDED = 0x9F


class QuotaTest(tb.BrokerTest):
    serve_args = []

    def device(self, account=ACCOUNT_A, name="dev"):
        cert, key, _ = self.aws_device(account, name)
        return cert, key, self.endpoint(account)

    def log_lines(self, text):
        return [l for l in self.cloud.log().splitlines() if text in l]


class PublishRatePerConnectionTest(QuotaTest):
    serve_args = ["--mqtt-publishes-per-second", "5"]

    def test_v5_qos1_over_the_rate_gets_quota_exceeded_and_the_connection_stays(self):
        cert, key, host = self.device()
        sub = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(tb.connack_code(sub.connect("sub")), 0)
        sub.subscribe("rate/#", qos=0)
        pub = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(tb.connack_code(pub.connect("pub")), 0)
        pids = [pub.publish("rate/x", f"m{i}", qos=1) for i in range(20)]
        codes = [pub.expect_puback(pid) for pid in pids]
        self.assertNotIn(None, codes, "every QoS 1 PUBLISH is answered under MQTT 5")
        ok = codes.count(0)
        self.assertGreaterEqual(ok, 5)
        self.assertLessEqual(ok, 7)  # 5 in the bucket, perhaps one or two refilled meanwhile
        self.assertEqual(codes.count(QUOTA_EXCEEDED), 20 - ok)
        received = 0
        while sub.expect_publish(timeout=1) is not None:
            received += 1
        self.assertEqual(received, ok)  # the throttled ones went nowhere
        time.sleep(1.1)
        self.assertEqual(pub.expect_puback(pub.publish("rate/x", "later", qos=1)), 0)  # same connection, refilled
        refusals = self.stats()["refusals"]
        self.assertEqual(refusals.get("publish_rate"), 20 - ok)
        # Logged once per second per reason, not once per message.
        self.assertLessEqual(len(self.log_lines("throttled: publish_rate")), 3)

    def test_v311_throttled_publish_is_dropped_unacknowledged_without_disconnect(self):
        cert, key, host = self.device()
        pub = self.mqtt(cert, key, sni=host, v=4)
        self.assertEqual(tb.connack_code(pub.connect("pub311")), 0)
        pids = [pub.publish("rate/y", f"m{i}", qos=1) for i in range(15)]
        acked = set()
        deadline = time.time() + 3
        while time.time() < deadline:
            pkt = pub.read(timeout=0.5)
            if pkt is None:
                break
            if pkt[0] == 4:
                acked.add(int.from_bytes(pkt[2][:2], "big"))
        self.assertGreaterEqual(len(acked), 5)
        self.assertLess(len(acked), 15)
        self.assertTrue(acked <= set(pids))
        pub.send(b"\xc0\x00")  # PINGREQ: the connection is still served
        self.assertEqual(pub.read()[0], 13)
        self.assertGreaterEqual(self.stats()["refusals"].get("publish_rate", 0), 15 - len(acked))


class AccountPublishQuotaTest(QuotaTest):
    serve_args = ["--account-publishes-per-second", "4", "--mqtt-publishes-per-second", "0"]

    def test_inbound_quota_is_shared_by_the_accounts_connections(self):
        cert, key, host = self.device()
        a1 = self.mqtt(cert, key, sni=host, v=5)
        a2 = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(tb.connack_code(a1.connect("a1")), 0)
        self.assertEqual(tb.connack_code(a2.connect("a2")), 0)
        sent = [(a1, a1.publish("in/x", "m", qos=1)) for _ in range(10)]
        sent += [(a2, a2.publish("in/x", "m", qos=1)) for _ in range(10)]
        codes = [client.expect_puback(pid) for client, pid in sent]
        ok = codes.count(0)
        self.assertGreaterEqual(ok, 4)
        self.assertLessEqual(ok, 7)  # 4 in the bucket, a few refilled meanwhile
        self.assertEqual(codes.count(QUOTA_EXCEEDED), 20 - ok)
        # Another account has its own quota.
        cert_b, key_b, host_b = self.device(ACCOUNT_B, "devb")
        b = self.mqtt(cert_b, key_b, sni=host_b, v=5)
        self.assertEqual(tb.connack_code(b.connect("b1")), 0)
        pids = [b.publish("in/x", "m", qos=1) for _ in range(4)]
        self.assertEqual([b.expect_puback(p) for p in pids], [0] * 4)
        self.assertEqual(self.stats()["refusals"].get("account_publish_in_rate"), 20 - ok)

    def test_outbound_quota_drops_deliveries_and_keeps_subscribers(self):
        cert, key, host = self.device()
        subs = []
        for i in range(4):
            s = self.mqtt(cert, key, sni=host, v=4 if i % 2 else 5)
            self.assertEqual(tb.connack_code(s.connect(f"s{i}")), 0)
            s.subscribe("out/#", qos=0)
            subs.append(s)
        time.sleep(1.1)  # let the inbound/outbound buckets refill after the SUBACKs
        pub = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(tb.connack_code(pub.connect("p")), 0)
        pids = [pub.publish("out/x", f"m{i}", qos=1) for i in range(3)]  # 12 deliveries wanted
        self.assertEqual([pub.expect_puback(p) for p in pids], [0] * 3)
        received = 0
        for s in subs:
            while s.expect_publish(timeout=0.7) is not None:
                received += 1
        self.assertGreaterEqual(received, 4)
        self.assertLess(received, 12)
        for s in subs:
            s.send(b"\xc0\x00")
            self.assertEqual(s.read()[0], 13)  # still connected
        self.assertEqual(self.stats()["refusals"].get("account_publish_out_rate"), 12 - received)


class SeparateInOutQuotaTest(QuotaTest):
    # Inbound unlimited, outbound 4/s: every publish is acknowledged, deliveries are throttled.
    serve_args = ["--account-publishes-in-per-second", "0", "--account-publishes-out-per-second", "4",
                  "--mqtt-publishes-per-second", "0"]

    def test_inbound_and_outbound_quotas_are_set_apart(self):
        cert, key, host = self.device()
        sub = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(tb.connack_code(sub.connect("s")), 0)
        sub.subscribe("io/#", qos=0)
        time.sleep(1.1)  # a full outbound bucket
        pub = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(tb.connack_code(pub.connect("p")), 0)
        pids = [pub.publish("io/x", f"m{i}", qos=1) for i in range(20)]
        self.assertEqual([pub.expect_puback(p) for p in pids], [0] * 20)  # no inbound limit
        received = 0
        while sub.expect_publish(timeout=0.7) is not None:
            received += 1
        self.assertGreaterEqual(received, 4)
        self.assertLess(received, 20)
        refusals = self.stats()["refusals"]
        self.assertNotIn("account_publish_in_rate", refusals)
        self.assertEqual(refusals.get("account_publish_out_rate"), 20 - received)


class AccountConnectQuotaTest(QuotaTest):
    serve_args = ["--account-connects-per-second", "0.2"]  # one CONNECT every 5 s

    def test_connects_over_the_account_rate_are_refused_aws_style(self):
        cert, key, host = self.device()
        results = []
        for i in range(6):
            v = 5 if i % 2 == 0 else 4
            results.append((v, tb.connack_code(self.mqtt(cert, key, sni=host, v=v).connect(f"c{i}"))))
        admitted = [r for r in results if r[1] == 0]
        self.assertGreaterEqual(len(admitted), 1)
        self.assertLessEqual(len(admitted), 2)
        for v, code in results:
            if code != 0:
                self.assertEqual(code, CONNECTION_RATE_EXCEEDED if v == 5 else None, results)
        stats = self.stats()
        self.assertEqual(stats["refusals"].get("account_connect_rate"), 6 - len(admitted))
        self.assertEqual(stats["limits"]["accountConnectsPerSecond"], 0.2)
        # Another account is not affected.
        cert_b, key_b, host_b = self.device(ACCOUNT_B, "devb")
        self.assertEqual(tb.connack_code(self.mqtt(cert_b, key_b, sni=host_b, v=5).connect("b")), 0)


class AccountConnectionQuotaTest(QuotaTest):
    serve_args = ["--account-max-connections", "2"]

    def test_connections_over_the_account_quota_are_refused_until_one_leaves(self):
        cert, key, host = self.device()
        c1 = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(tb.connack_code(c1.connect("c1")), 0)
        c2 = self.mqtt(cert, key, sni=host, v=4)
        self.assertEqual(tb.connack_code(c2.connect("c2")), 0)
        self.assertEqual(tb.connack_code(self.mqtt(cert, key, sni=host, v=5).connect("c3")), QUOTA_EXCEEDED)
        self.assertIsNone(tb.connack_code(self.mqtt(cert, key, sni=host, v=4).connect("c4")))
        stats = self.stats()
        self.assertEqual(stats["refusals"].get("account_connections"), 2)
        self.assertEqual(stats["accounts"][f"{ACCOUNT_A}/us-east-1"]["connections"], 2)
        self.assertEqual(stats["connections"], 2)
        cert_b, key_b, host_b = self.device(ACCOUNT_B, "devb")
        self.assertEqual(tb.connack_code(self.mqtt(cert_b, key_b, sni=host_b, v=5).connect("b")), 0)
        c1.disconnect()
        deadline = time.time() + 5
        code = None
        while time.time() < deadline:
            code = tb.connack_code(self.mqtt(cert, key, sni=host, v=5).connect("c5"))
            if code == 0:
                break
            time.sleep(0.2)
        self.assertEqual(code, 0, "the slot of a closed connection is given back")


class ClientConnectRateTest(QuotaTest):
    def test_one_connect_per_second_per_client_id_by_default(self):
        cert, key, host = self.device()
        self.assertEqual(tb.connack_code(self.mqtt(cert, key, sni=host, v=5).connect("same")), 0)
        self.assertEqual(tb.connack_code(self.mqtt(cert, key, sni=host, v=5).connect("same")), CONNECTION_RATE_EXCEEDED)
        self.assertIsNone(tb.connack_code(self.mqtt(cert, key, sni=host, v=4).connect("same")))
        self.assertEqual(self.stats()["refusals"].get("connect_throttled"), 2)


class ClientConnectRateRaisedTest(QuotaTest):
    serve_args = ["--client-connects-per-second", "0"]

    def test_zero_lifts_the_per_client_rate(self):
        cert, key, host = self.device()
        for _ in range(4):
            self.assertEqual(tb.connack_code(self.mqtt(cert, key, sni=host, v=5).connect("same")), 0)
        self.assertNotIn("connect_throttled", self.stats()["refusals"])


class BadQuotaFlagTest(QuotaTest):
    def test_negative_quota_is_a_usage_error(self):
        from harness import run
        p = run(["cloud", "serve", "--data", self.path("x"), "--account-connects-per-second", "-1"], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("account-connects-per-second", p.stderr)


class InflightWindowTest(QuotaTest):
    """`--mqtt-inflight-window`: AWS's 100 unacknowledged QoS 1 per direction, lowered to 3."""
    serve_args = ["--mqtt-inflight-window", "3"]

    def test_a_subscriber_gets_no_more_than_the_window_until_it_acknowledges(self):
        cert, key, host = self.device()
        sub = self.mqtt(cert, key, sni=host, v=5)
        connack = sub.connect("slow")
        self.assertEqual(tb.connack_code(connack), 0)
        self.assertIn(b"\x21\x00\x03", connack[2][2:], "CONNACK announces Receive Maximum 3")
        sub.subscribe("win/#", qos=1)
        pub = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(tb.connack_code(pub.connect("fast")), 0)
        for i in range(8):
            self.assertEqual(pub.expect_puback(pub.publish("win/x", f"m{i}", qos=1)), 0)
        held = []  # read without acknowledging
        while (pkt := sub.read(timeout=1)) is not None:
            if pkt[0] == 3:
                held.append(sub.parse_publish(pkt))
        self.assertEqual([p[1] for p in held], [b"m0", b"m1", b"m2"])
        for p in held:
            sub.puback(p[4])
        rest = []
        while (got := sub.expect_publish(timeout=2)) is not None:  # acknowledges as it reads
            rest.append(got[1])
        self.assertEqual(rest, [f"m{i}".encode() for i in range(3, 8)], "the queued ones follow, in order")

    def test_the_window_is_checked_on_the_command_line(self):
        from harness import run
        for bad in ("0", "65536"):
            p = run(["cloud", "serve", "--data", self.path("x"), "--mqtt-inflight-window", bad], check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("mqtt-inflight-window", p.stderr)


if __name__ == "__main__":
    unittest.main()
