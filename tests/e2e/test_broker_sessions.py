"""Persistent MQTT sessions of `trustlane cloud serve` across kill -9 and restart: what a client
was acknowledged (its SUBACK, a publisher's PUBACK) survives in <data>/broker.db; v5 session
expiry is honoured across the restart; clean sessions leave nothing behind. Real processes:
mosquitto_sub and raw MQTT 3.1.1/5 over mutual TLS."""
import os
import sqlite3
import struct
import subprocess
import time
import unittest
import warnings

warnings.simplefilter("ignore", ResourceWarning)

from test_broker import ACCOUNT_A, BrokerTest, _packet, _varint, connack_code, require_mosquitto_clients


def expiry_prop(seconds):
    return b"\x11" + struct.pack("!I", seconds)  # Session Expiry Interval


class BrokerSessionsTest(BrokerTest):
    def restart_after_kill9(self):
        self.cloud.kill9()
        self.services.remove(self.cloud)
        self.start_cloud()

    def rows(self, table):
        db = sqlite3.connect(os.path.join(self.data, "broker.db"))
        try:
            return db.execute(f"SELECT * FROM {table}").fetchall()
        finally:
            db.close()

    def publish_qos1(self, cert, key, client_id, topic, payloads):
        pub = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(pub.connect(client_id)), 0)
        for p in payloads:
            pid = pub.publish(topic, p, qos=1)
            self.assertEqual(pub.expect_puback(pid), 0, f"no PUBACK for {p}")
        pub.disconnect()

    def test_mosquitto_sub_persistent_session_survives_kill9(self):
        require_mosquitto_clients(self)
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")

        def mosquitto_sub(*extra):
            return subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.mqtt_port), "--cafile", self.root,
                                   "--cert", cert, "--key", key, "--insecure", "-V", "mqttv311", "-c", "-i", "msub",
                                   "-q", "1", "-t", "jobs/#", *extra], capture_output=True, text=True, timeout=30)

        first = mosquitto_sub("-E")  # subscribe with a persistent session, then leave
        self.assertEqual(first.returncode, 0, first.stderr)
        time.sleep(0.3)
        payloads = [f"job-{i}" for i in range(5)]
        self.publish_qos1(cert, key, "pub", "jobs/a", payloads)
        self.restart_after_kill9()
        back = mosquitto_sub("-C", str(len(payloads)), "-W", "15")
        self.assertEqual(back.returncode, 0, back.stderr)
        self.assertEqual(back.stdout.split(), payloads)
        self.assertIn("persistent sessions restored", self.cloud.log())

    def test_session_present_and_queue_after_kill9_and_offline_routing(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        sub = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(sub.connect("persist", clean=False)), 0)
        self.assertEqual(sub.subscribe("jobs/#", qos=1)[0], 9)  # SUBACK
        sub.close()
        time.sleep(0.3)
        self.publish_qos1(cert, key, "pusher", "jobs/1", ["one", "two"])
        self.restart_after_kill9()
        # The subscription routes before the client is back: offline queueing resumes.
        self.publish_qos1(cert, key, "pusher", "jobs/2", ["three"])
        back = self.mqtt(cert, key, v=4)
        ack = back.connect("persist", clean=False)
        self.assertEqual(connack_code(ack), 0)
        self.assertEqual(ack[2][0] & 1, 1)  # sessionPresent
        got = []
        for _ in range(3):
            msg = back.expect_publish()
            self.assertIsNotNone(msg, f"only got {got}")
            got.append((msg[0], msg[1], msg[2]))
        self.assertEqual(got, [("jobs/1", b"one", 1), ("jobs/1", b"two", 1), ("jobs/2", b"three", 1)])
        time.sleep(0.3)
        self.assertEqual(self.rows("session_messages"), [])  # acknowledged: gone from the disk too

    def test_sent_but_unacknowledged_is_redelivered_with_dup_after_kill9(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        sub = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(sub.connect("inflight", clean=False, props=expiry_prop(3600))), 0)
        sub.subscribe("t", qos=1)
        self.publish_qos1(cert, key, "pusher", "t", ["unacked"])
        pkt = sub.read()
        self.assertEqual(pkt[0], 3)
        self.assertEqual(sub.parse_publish(pkt)[1], b"unacked")  # received, never acknowledged
        self.restart_after_kill9()
        sub.close()
        back = self.mqtt(cert, key, v=5)
        ack = back.connect("inflight", clean=False, props=expiry_prop(3600))
        self.assertEqual(ack[2][0] & 1, 1)
        pkt = back.read()
        self.assertEqual(pkt[0], 3)
        self.assertTrue(pkt[1] & 0x08, "DUP flag")
        self.assertEqual(back.parse_publish(pkt)[1], b"unacked")

    def test_v5_session_expiry_is_honoured_across_restart(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        for client_id, expiry in (("short", 2), ("long", 3600)):
            c = self.mqtt(cert, key, v=5)
            self.assertEqual(connack_code(c.connect(client_id, clean=False, props=expiry_prop(expiry))), 0)
            c.subscribe("x/#", qos=1)
            c.disconnect()
        time.sleep(0.5)
        self.cloud.kill9()
        self.services.remove(self.cloud)
        time.sleep(2.5)  # the short session's 2 s pass while the cloud is down
        self.start_cloud()
        self.assertIn("1 persistent sessions restored", self.cloud.log())
        self.assertEqual(sorted(r[2] for r in self.rows("sessions")), ["long"])
        self.assertEqual(sorted(r[2] for r in self.rows("session_subscriptions")), ["long"])
        for client_id, present in (("short", 0), ("long", 1)):
            c = self.mqtt(cert, key, v=5)
            ack = c.connect(client_id, clean=False, props=expiry_prop(3600))
            self.assertEqual(connack_code(ack), 0)
            self.assertEqual(ack[2][0] & 1, present, client_id)
            c.disconnect()

    def test_v5_session_expiry_is_capped_at_the_accounts_period(self):
        """AWS keeps a persistent session for the account's period (1 hour unless raised, at most
        7 days): a longer v5 request, "never" included, is capped and the CONNACK says so."""
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        cases = ((0xFFFFFFFF, 3600), (3601, 3600), (3600, None), (60, None))
        for requested, told in cases:
            c = self.mqtt(cert, key, v=5)
            ack = c.connect(f"cap{requested}", clean=False, props=expiry_prop(requested))
            self.assertEqual(connack_code(ack), 0)
            if told is None:
                self.assertNotIn(b"\x11", ack[2][3:], "no Session Expiry property when granted as asked")
            else:
                self.assertIn(expiry_prop(told), ack[2], requested)
            c.disconnect()
        self.assertEqual(sorted(r[3] for r in self.rows("sessions")), [60, 3600, 3600, 3600])

    def test_v5_disconnect_changes_the_session_expiry(self):
        """MQTT 5 §3.14.2.2.2: the DISCONNECT's Session Expiry Interval replaces the CONNECT's (0
        ends the session with the connection); from 0 to non-zero is a protocol error (0x82)."""
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")

        def disconnect_with_expiry(c, seconds):
            props = expiry_prop(seconds)
            c.send(_packet(0xE0, b"\x00" + _varint(len(props)) + props))

        for client_id, at_connect, at_disconnect in (("ends", 3600, 0), ("longer", 60, 1200)):
            c = self.mqtt(cert, key, v=5)
            self.assertEqual(connack_code(c.connect(client_id, clean=False, props=expiry_prop(at_connect))), 0)
            c.subscribe("d/#", qos=1)
            disconnect_with_expiry(c, at_disconnect)
            self.assertIsNone(c.read(timeout=5), "the broker closes after a DISCONNECT")
        time.sleep(0.3)
        self.assertEqual([(r[2], r[3]) for r in self.rows("sessions")], [("longer", 1200)])
        zero = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(zero.connect("zero", clean=True)), 0)
        disconnect_with_expiry(zero, 60)
        pkt = zero.read(timeout=5)
        self.assertIsNotNone(pkt)
        self.assertEqual((pkt[0], pkt[2][0]), (14, 0x82), "DISCONNECT Protocol error")

    def test_clean_session_leaves_nothing_in_broker_db(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        c = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(c.connect("cleanly", clean=True)), 0)
        c.subscribe("c/#", qos=1)
        pid = c.publish("c/1", "to myself", qos=1)
        self.assertEqual(c.expect_puback(pid), 0)
        c.close()
        v5 = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(v5.connect("clean5", clean=False, props=expiry_prop(0))), 0)
        v5.subscribe("c/#", qos=1)
        v5.disconnect()
        time.sleep(0.3)
        for table in ("sessions", "session_subscriptions", "session_messages"):
            self.assertEqual(self.rows(table), [], table)
        # A persistent session is recorded; reconnecting with a clean session deletes it.
        p = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(p.connect("was-persistent", clean=False)), 0)
        p.subscribe("c/#", qos=1)
        p.close()
        time.sleep(0.3)
        self.assertEqual(len(self.rows("session_subscriptions")), 1)
        time.sleep(1.0)  # CONNECT ≤ 1/s per client ID
        again = self.mqtt(cert, key, v=4)
        ack = again.connect("was-persistent", clean=True)
        self.assertEqual(ack[2][0] & 1, 0)
        again.close()
        for table in ("sessions", "session_subscriptions", "session_messages"):
            self.assertEqual(self.rows(table), [], table)


class SessionExpiryFlagTest(BrokerTest):
    serve_args = ["--session-expiry", str(7 * 24 * 3600)]

    def test_session_expiry_flag_raises_the_period_within_awss_range(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        c = self.mqtt(cert, key, v=5)
        ack = c.connect("week", clean=False, props=expiry_prop(0xFFFFFFFF))
        self.assertEqual(connack_code(ack), 0)
        self.assertIn(expiry_prop(7 * 24 * 3600), ack[2])
        c.disconnect()
        from harness import run
        p = run(["cloud", "serve", "--data", self.path("x"), "--session-expiry", str(7 * 24 * 3600 + 1)], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--session-expiry", p.stderr)


if __name__ == "__main__":
    unittest.main()
