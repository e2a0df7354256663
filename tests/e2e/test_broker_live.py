"""Live behaviour of the `trustlane cloud serve` broker, end to end over mutual TLS with raw MQTT
3.1.1/5 packets: shared subscriptions, registry changes that reach live connections (DeleteCertificate,
a CA deactivated, policy versions), iot:RetainPublish, Will messages, payload and UNSUBSCRIBE limits,
MQTT 5 message expiry and user properties, and the keep-alive timeout (≈ 45 s: 1.5 × the 30 s floor)."""
import hashlib
import json
import socket
import ssl
import struct
import time
import unittest
import warnings

warnings.simplefilter("ignore", ResourceWarning)

import test_broker as tb
from test_broker import ACCOUNT_A, ACCOUNT_B, BrokerTest, connack_code
from test_broker_sessions import expiry_prop

REGION = "us-east-1"
NOT_AUTHORIZED = 0x87
TOPIC_NAME_INVALID = 0x90
PACKET_TOO_LARGE = 0x95
KEEP_ALIVE_TIMEOUT = 0x8D
IMPLEMENTATION_SPECIFIC_ERROR = 0x83
MESSAGE_EXPIRY, CORRELATION_DATA, RESPONSE_TOPIC = 0x02, 0x09, 0x08
SERVER_KEEP_ALIVE, USER_PROPERTY = 0x13, 0x26


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resource="*"):
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


# Everything a device does, except iot:RetainPublish.
NO_RETAIN = policy(allow(["iot:Connect", "iot:Subscribe", "iot:Receive", "iot:Publish"]))
# The same, with iot:Publish narrowed to ok/*.
ONLY_OK = policy(allow(["iot:Connect", "iot:Subscribe", "iot:Receive"]),
                 allow("iot:Publish", "arn:aws:iot:*:*:topic/ok/*"))


# ---- MQTT 5 properties on the wire ---------------------------------------------------------

_FIXED_WIDTH = {0x01: 1, 0x02: 4, 0x11: 4, 0x13: 2, 0x17: 1, 0x18: 4, 0x19: 1, 0x21: 2, 0x22: 2, 0x23: 2,
                0x24: 1, 0x25: 1, 0x27: 4, 0x28: 1, 0x29: 1, 0x2A: 1}
_BINARY = {0x09, 0x16}  # correlation data, authentication data; the other length-prefixed ones are UTF-8


def _bytes_at(data, i):
    n = struct.unpack("!H", data[i:i + 2])[0]
    return bytes(data[i + 2:i + 2 + n]), i + 2 + n


def properties_at(data, i):
    """The properties starting at data[i] as [(id, value)] in wire order, and the index after them."""
    length, i = tb.varint_at(data, i)
    end, out = i + length, []
    while i < end:
        pid = data[i]
        i += 1
        if pid in _FIXED_WIDTH:
            n = _FIXED_WIDTH[pid]
            out.append((pid, int.from_bytes(data[i:i + n], "big")))
            i += n
        elif pid == 0x0B:  # subscription identifier
            value, i = tb.varint_at(data, i)
            out.append((pid, value))
        elif pid == USER_PROPERTY:
            k, i = _bytes_at(data, i)
            v, i = _bytes_at(data, i)
            out.append((pid, (k.decode(), v.decode())))
        else:
            raw, i = _bytes_at(data, i)
            out.append((pid, raw if pid in _BINARY else raw.decode()))
    return out, end


def prop(props, pid):
    """Values of one property id, in order."""
    return [v for k, v in props if k == pid]


def message_expiry(seconds):
    return bytes([MESSAGE_EXPIRY]) + struct.pack("!I", seconds)


def user_property(key, value):
    return bytes([USER_PROPERTY]) + tb._str(key) + tb._str(value)


def take_publish(c, pkt):
    """A received PUBLISH as (topic, payload, properties), acknowledged when QoS 1."""
    topic, payload, qos, _, pid = c.parse_publish(pkt)
    if qos:
        c.puback(pid)
    _, flags, body = pkt
    start = 2 + struct.unpack("!H", body[:2])[0] + (2 if flags & 0x06 else 0)
    return topic, payload, properties_at(body, start)[0] if c.v == 5 else []


def receive(c, timeout=5):
    """The next PUBLISH as (topic, payload, properties), skipping other packets; None if none came."""
    deadline = time.time() + timeout
    while (left := deadline - time.time()) > 0:
        pkt = c.read(timeout=left)
        if pkt is None:
            return None
        if pkt[0] == 3:
            return take_publish(c, pkt)
    return None


def payloads(c, timeout=0.7):
    """Every message that arrives until `timeout` passes without one: [(topic, payload)]."""
    out = []
    while (msg := c.expect_publish(timeout=timeout)) is not None:
        out.append(msg[:2])
    return out


def closed_within(c, timeout):
    """Seconds until the broker closes the connection, or None if it is still open after `timeout`.
    What arrived meanwhile stays buffered: packets_left() reads it."""
    start = time.time()
    while (left := timeout - (time.time() - start)) > 0:
        c.sock.settimeout(left)
        try:
            chunk = c.sock.recv(65536)
        except TimeoutError:
            return None
        except (ConnectionError, ssl.SSLError, OSError):
            return time.time() - start
        if not chunk:
            return time.time() - start
        c.buf += chunk
    return None


def packets_left(c):
    """The packets still buffered on a connection the broker has closed."""
    out = []
    while (pkt := c.read(timeout=0.2)) is not None:
        out.append(pkt)
    return out


def pong(c):
    """PINGREQ, then read up to its PINGRESP: the messages that came first, [(topic, payload)]."""
    c.ping()
    before = []
    while (pkt := c.read()) is not None and pkt[0] != 13:
        if pkt[0] == 3:
            before.append(take_publish(c, pkt)[:2])
    assert pkt is not None, "no PINGRESP: the connection closed"
    return before


def certificate_id(pem_path):
    with open(pem_path) as f:
        return hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()


class BrokerLiveTest(BrokerTest):
    def connected(self, cert, key, client_id, v=5, sni=None, **kw):
        c = self.mqtt(cert, key, sni=sni, v=v)
        self.assertEqual(connack_code(c.connect(client_id, **kw)), 0, client_id)
        return c

    def assert_cut(self, c, within=2.0):
        elapsed = closed_within(c, 5)
        self.assertIsNotNone(elapsed, "the live connection was not closed")
        self.assertLess(elapsed, within)

    def aws_error(self, *args, account=ACCOUNT_A):
        proc = self.aws(*args, account=account, check=False)
        self.assertNotEqual(proc.returncode, 0, f"{args} succeeded")
        return proc.stderr

    # ---- shared subscriptions ----

    def test_shared_subscription_gives_each_message_to_one_member(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        members = []
        for name in ("member1", "member2"):
            m = self.connected(cert, key, name)
            suback = m.subscribe("$share/g/sensor/+", qos=1)
            self.assertEqual((suback[0], suback[2][-1]), (9, 1))
            members.append(m)
        plain = self.connected(cert, key, "plain")
        plain.subscribe("sensor/+", qos=1)
        pub = self.connected(cert, key, "pub")
        sent = [(f"sensor/{i % 3}", f"m{i}".encode()) for i in range(20)]
        for topic, payload in sent:
            self.assertEqual(pub.expect_puback(pub.publish(topic, payload, qos=1)), 0)
        got = [payloads(m) for m in members]
        self.assertTrue(got[0] and got[1], f"both members get some: {got}")
        self.assertCountEqual(got[0] + got[1], sent)  # each message exactly once in the group
        self.assertEqual(payloads(plain), sent)  # a non-shared subscriber gets all, in order
        # A member that leaves stops taking a share: the other one gets everything.
        members[0].disconnect()
        time.sleep(0.3)
        later = [("sensor/9", f"later{i}".encode()) for i in range(4)]
        for topic, payload in later:
            self.assertEqual(pub.expect_puback(pub.publish(topic, payload, qos=1)), 0)
        self.assertEqual(payloads(members[1]), later)

    # ---- registry changes reaching live connections ----

    def test_delete_certificate_rules_and_live_connections_in_both_accounts(self):
        # One certificate registered in two accounts (MAR); A deactivates and deletes it, B keeps it.
        cert, key, cid = self.vendor_device("doomed", [ACCOUNT_A, ACCOUNT_B])
        host_a, host_b = self.endpoint(ACCOUNT_A), self.endpoint(ACCOUNT_B)
        live_a = self.connected(cert, key, "doomed", sni=host_a)
        live_b = self.connected(cert, key, "doomed", sni=host_b)
        live_b.subscribe("fleet/#")
        # AWS refuses to delete an ACTIVE certificate (CertificateStateException); nothing is cut.
        self.assertIn("CertificateStateException", self.aws_error("delete-certificate", "--certificate-id", cid))
        self.assertIsNone(closed_within(live_a, 0.3))
        self.assertEqual(live_a.expect_puback(live_a.publish("fleet/a", "still here", qos=1)), 0)
        # Deletion needs it deactivated first: that cuts its live connection in A only.
        self.aws("update-certificate", "--certificate-id", cid, "--new-status", "INACTIVE", account=ACCOUNT_A)
        self.assert_cut(live_a)
        self.assertIsNone(closed_within(live_b, 0.3))
        # A policy still attached: DeleteConflictException until it is detached.
        self.assertIn("DeleteConflictException", self.aws_error("delete-certificate", "--certificate-id", cid))
        self.aws("detach-policy", "--policy-name", "p-doomed", "--target",
                 f"arn:aws:iot:{REGION}:{ACCOUNT_A}:cert/{cid}", account=ACCOUNT_A)
        self.aws("delete-certificate", "--certificate-id", cid, account=ACCOUNT_A)
        self.assertIn("ResourceNotFoundException", self.aws_error("describe-certificate", "--certificate-id", cid))
        self.assertIsNone(self.mqtt(cert, key, sni=host_a, v=4).connect("doomed-again"))
        self.assertEqual(connack_code(self.mqtt(cert, key, sni=host_a, v=5).connect("doomed-again5")), NOT_AUTHORIZED)
        # Account B's registration of the same certificate is untouched: live and new connections work.
        pub_b = self.connected(cert, key, "doomed-pub", v=4, sni=host_b)
        self.assertEqual(pub_b.expect_puback(pub_b.publish("fleet/b", "B lives", qos=1)), 0)
        self.assertEqual(live_b.expect_publish()[:2], ("fleet/b", b"B lives"))

    def test_deactivated_ca_cuts_connections_of_certificates_it_issued(self):
        ca = self.make_ca("FleetCA")
        code = self.aws("get-registration-code", account=ACCOUNT_A)["registrationCode"]
        verification = self.make_cert("verification", ca=ca, cn=code)
        ca_id = self.aws("register-ca-certificate", "--ca-certificate", f"file://{ca[0]}", "--verification-cert",
                         f"file://{verification}", "--set-as-active", "--allow-auto-registration",
                         account=ACCOUNT_A)["certificateId"]
        host = self.endpoint(ACCOUNT_A)
        # A device certificate registered under the DEFAULT-mode CA: it connects without SNI.
        registered = self.make_cert("registered", ca=ca)
        reg_key = self.path("registered.key")
        out = self.aws("register-certificate", "--certificate-pem", f"file://{registered}", "--status", "ACTIVE",
                       account=ACCOUNT_A)
        self.allow_all(ACCOUNT_A, out["certificateArn"])
        # Another registered just in time (JITR), then activated with a policy, as a handler would.
        jitr = self.make_cert("jitr", ca=ca)
        jitr_key, jitr_id = self.path("jitr.key"), certificate_id(jitr)
        self.assertIsNone(self.mqtt(jitr, jitr_key, sni=host).connect("jitr-first"))
        self.aws("update-certificate", "--certificate-id", jitr_id, "--new-status", "ACTIVE", account=ACCOUNT_A)
        self.allow_all(ACCOUNT_A, f"arn:aws:iot:{REGION}:{ACCOUNT_A}:cert/{jitr_id}")
        other_cert, other_key, _ = self.aws_device(ACCOUNT_A, "aws-issued")  # not under the CA
        reg_c = self.connected(registered, reg_key, "registered", v=4)
        jitr_c = self.connected(jitr, jitr_key, "jitr", sni=host)
        other_c = self.connected(other_cert, other_key, "other")
        self.aws("update-ca-certificate", "--certificate-id", ca_id, "--new-status", "INACTIVE", account=ACCOUNT_A)
        self.assert_cut(reg_c)
        self.assert_cut(jitr_c)
        self.assertIsNone(closed_within(other_c, 0.3))
        self.assertEqual(other_c.expect_puback(other_c.publish("x/y", "unaffected", qos=1)), 0)
        # The certificates stay ACTIVE, but cannot connect while their CA is INACTIVE ...
        desc = self.aws("describe-certificate", "--certificate-id", jitr_id, account=ACCOUNT_A)["certificateDescription"]
        self.assertEqual((desc["status"], desc["caCertificateId"]), ("ACTIVE", ca_id))
        self.assertIsNone(self.mqtt(registered, reg_key, v=4).connect("registered-2"))
        self.assertEqual(connack_code(self.mqtt(jitr, jitr_key, sni=host, v=5).connect("jitr-2")), NOT_AUTHORIZED)
        # ... and can again once it is reactivated.
        self.aws("update-ca-certificate", "--certificate-id", ca_id, "--new-status", "ACTIVE", account=ACCOUNT_A)
        self.connected(registered, reg_key, "registered-3", v=4)
        self.connected(jitr, jitr_key, "jitr-3", sni=host)

    def test_policy_version_switch_applies_to_live_connections(self):
        cert, key, _ = self.vendor_device("versioned", [ACCOUNT_A], policy=NO_RETAIN)
        host = self.endpoint(ACCOUNT_A)
        watcher = self.connected(cert, key, "pv-watcher", sni=host)
        watcher.subscribe("t/#")
        v5 = self.connected(cert, key, "pv5", sni=host)
        v3 = self.connected(cert, key, "pv3", v=4, sni=host)
        self.assertEqual(v5.expect_puback(v5.publish("t/1", "v1", qos=1)), 0)
        out = self.aws("create-policy-version", "--policy-name", "p-versioned", "--policy-document", ONLY_OK,
                       "--set-as-default", account=ACCOUNT_A)
        self.assertEqual((out["policyVersionId"], out["isDefaultVersion"]), ("2", True))
        time.sleep(0.2)
        # Version 2 allows publishing to ok/* only: MQTT 5 gets PUBACK 0x87 and stays, 3.1.1 is dropped.
        self.assertEqual(v5.expect_puback(v5.publish("t/1", "v2", qos=1)), NOT_AUTHORIZED)
        self.assertEqual(v5.expect_puback(v5.publish("ok/1", "allowed", qos=1)), 0)
        v3.publish("t/1", "v2 from 3.1.1", qos=1)
        self.assert_cut(v3)
        self.assertEqual(packets_left(v3), [])  # no PUBACK before the close
        self.assertEqual(payloads(watcher), [("t/1", b"v1")])  # the refused ones went nowhere
        # Back to version 1: the same live connection may publish to t/1 again, and new ones too.
        self.aws("set-default-policy-version", "--policy-name", "p-versioned", "--policy-version-id", "1",
                 account=ACCOUNT_A)
        time.sleep(0.2)
        self.assertEqual(v5.expect_puback(v5.publish("t/1", "v1 again", qos=1)), 0)
        v3b = self.connected(cert, key, "pv3b", v=4, sni=host)
        self.assertEqual(v3b.expect_puback(v3b.publish("t/1", "3.1.1 again", qos=1)), 0)
        self.assertEqual(payloads(watcher), [("t/1", b"v1 again"), ("t/1", b"3.1.1 again")])

    # ---- iot:RetainPublish ----

    def test_retained_publish_needs_iot_retain_publish(self):
        cert, key, _ = self.vendor_device("noretain", [ACCOUNT_A], policy=NO_RETAIN)
        host = self.endpoint(ACCOUNT_A)
        full_cert, full_key, _ = self.aws_device(ACCOUNT_A, "full")
        full = self.connected(full_cert, full_key, "full")
        self.assertEqual(full.expect_puback(full.publish("cfg/ok", "kept", qos=1, retain=True)), 0)
        watcher = self.connected(full_cert, full_key, "watcher")
        watcher.subscribe("cfg/denied")
        v5 = self.connected(cert, key, "nr5", sni=host)
        self.assertEqual(v5.expect_puback(v5.publish("cfg/denied", "retained", qos=1, retain=True)), NOT_AUTHORIZED)
        self.assertEqual(v5.expect_puback(v5.publish("cfg/denied", "plain", qos=1)), 0)  # not retained: fine
        self.assertEqual(payloads(watcher), [("cfg/denied", b"plain")])
        v3 = self.connected(cert, key, "nr3", v=4, sni=host)
        v3.publish("cfg/denied", "retained by 3.1.1", qos=1, retain=True)
        self.assert_cut(v3)
        # Nothing was stored for cfg/denied: a new subscriber gets only the allowed retained message.
        late = self.connected(full_cert, full_key, "late")
        late.subscribe("cfg/#")
        got = []
        while (msg := late.expect_publish(timeout=0.7)) is not None:
            got.append(msg)
        self.assertEqual(got, [("cfg/ok", b"kept", 1, True)])

    # ---- Will messages ----

    def test_will_on_abrupt_close_not_on_clean_disconnect(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        obs = self.connected(cert, key, "will-observer")
        obs.subscribe("wills/#")
        for v in (5, 4):  # a clean DISCONNECT discards the Will
            self.connected(cert, key, f"clean{v}", v=v, will=(f"wills/clean{v}", "unexpected", False)).disconnect()
        abrupt = self.connected(cert, key, "abrupt5", will=("wills/abrupt5", "gone", False))
        abrupt.sock.shutdown(socket.SHUT_RDWR)
        abrupt.close()
        self.assertEqual(obs.expect_publish()[:2], ("wills/abrupt5", b"gone"))
        # MQTT 5 DISCONNECT 0x04 "Disconnect with Will Message": published although clean.
        asked = self.connected(cert, key, "asked5", will=("wills/asked5", "as asked", False))
        asked.send(tb._packet(0xE0, b"\x04\x00"))
        asked.close()
        self.assertEqual(obs.expect_publish()[:2], ("wills/asked5", b"as asked"))
        self.assertIsNone(obs.expect_publish(timeout=0.5))

    def test_will_on_reserved_topic_refused_at_connect(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        obs = self.connected(cert, key, "observer")
        obs.subscribe("$aws/events/presence/connected/+")
        refused = (("$aws/events/presence/connected/fake", False),  # broker-only topic
                   ("$aws/things/t1/shadow/update", True))  # no retained publish to $ topics
        for i, (topic, retain) in enumerate(refused):
            c5 = self.mqtt(cert, key, v=5)
            self.assertEqual(connack_code(c5.connect(f"w5-{i}", will=(topic, "x", retain))), TOPIC_NAME_INVALID, topic)
            self.assertIsNotNone(closed_within(c5, 2))
        # A documented $ topic without retain is a valid Will.
        ok = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(ok.connect("w5-ok", will=("$aws/things/t1/shadow/update", "{}", False))), 0)
        # MQTT 3.1.1 has no return code for this: closed without a CONNACK (MQTT-3.2.2-6), as AWS does
        # for every refused CONNECT.
        answers = [self.mqtt(cert, key, v=4).connect(f"w3-{i}", will=(topic, "x", retain))
                   for i, (topic, retain) in enumerate(refused)]
        connected = [t for t, _ in payloads(obs)]
        self.assertEqual(connected, ["$aws/events/presence/connected/w5-ok"])  # the refused never connected
        self.assertEqual(answers, [None, None])

    # ---- limits ----

    def test_payload_of_128_kib_passes_one_byte_more_disconnects(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        sub = self.connected(cert, key, "big-sub")
        sub.subscribe(["big/#", "$aws/events/presence/disconnected/+"])
        pub = self.connected(cert, key, "big-pub")
        self.assertEqual(pub.expect_puback(pub.publish("big/1", b"x" * 131072, qos=1)), 0)
        self.assertEqual(sub.expect_publish(), ("big/1", b"x" * 131072, 1, False))
        pub.publish("big/2", b"y" * 131073, qos=1)
        self.assert_cut(pub)
        self.assertEqual([(p[0], p[2][:1]) for p in packets_left(pub)], [(14, bytes([PACKET_TOO_LARGE]))])
        topic, payload, _, _ = sub.expect_publish()  # not big/2: the lifecycle event of the cut
        self.assertEqual(topic, "$aws/events/presence/disconnected/big-pub")
        event = json.loads(payload)
        self.assertEqual((event["disconnectReason"], event["clientInitiatedDisconnect"]), ("CLIENT_ERROR", False))
        v3 = self.connected(cert, key, "big-pub3", v=4)
        v3.publish("big/3", b"z" * 131073, qos=1)
        self.assert_cut(v3)
        self.assertEqual(packets_left(v3), [])  # no PUBACK
        self.assertEqual([t for t, _ in payloads(sub)], ["$aws/events/presence/disconnected/big-pub3"])

    def test_unsubscribe_with_nine_filters(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        pub = self.connected(cert, key, "pub")
        filters = [f"u/{i}" for i in range(1, 10)]
        for v in (5, 4):
            c = self.connected(cert, key, f"unsub{v}", v=v)
            self.assertEqual(c.subscribe(filters[:8], qos=0)[2][2 if v == 4 else 3:], b"\x00" * 8)
            self.assertEqual(c.subscribe(filters[8], qos=0)[2][-1], 0)
            unsuback = c.unsubscribe(filters)
            self.assertEqual(unsuback[0], 11)
            if v == 5:
                _, end = properties_at(unsuback[2], 2)
                self.assertEqual(list(unsuback[2][end:]), [0] * 8 + [IMPLEMENTATION_SPECIFIC_ERROR])
            else:
                self.assertEqual(len(unsuback[2]), 2)  # 3.1.1: packet id only
            # The first 8 are gone; the 9th is still subscribed.
            for topic, payload in (("u/1", "gone"), ("u/9", "kept")):
                self.assertEqual(pub.expect_puback(pub.publish(topic, payload, qos=1)), 0)
            self.assertEqual(payloads(c), [("u/9", b"kept")])
            c.disconnect()

    # ---- MQTT 5 properties ----

    def test_message_expiry_in_an_offline_session(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        sub = self.connected(cert, key, "expiring", clean=False, props=expiry_prop(3600))
        sub.subscribe("exp/#", qos=1)
        sub.disconnect()
        time.sleep(0.3)
        pub = self.connected(cert, key, "pub")
        for topic, props in (("exp/short", message_expiry(1)), ("exp/long", message_expiry(60)), ("exp/none", b"")):
            self.assertEqual(pub.expect_puback(pub.publish(topic, topic, qos=1, props=props)), 0, topic)
        time.sleep(2.2)
        back = self.mqtt(cert, key, v=5)
        ack = back.connect("expiring", clean=False, props=expiry_prop(3600))
        self.assertEqual((connack_code(ack), ack[2][0] & 1), (0, 1))  # session present
        got = []
        while (msg := receive(back, timeout=1)) is not None:
            got.append(msg)
        self.assertEqual([t for t, _, _ in got], ["exp/long", "exp/none"])  # exp/short expired in the queue
        remaining = prop(got[0][2], MESSAGE_EXPIRY)
        self.assertEqual(len(remaining), 1)
        self.assertTrue(55 <= remaining[0] <= 58, remaining)  # what is left of 60 s after 2.2 s offline
        self.assertEqual(prop(got[1][2], MESSAGE_EXPIRY), [])

    def test_user_properties_pass_through_in_order(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        sub = self.connected(cert, key, "props-sub")
        sub.subscribe("props/#", qos=1)
        pub = self.connected(cert, key, "props-pub")
        pairs = [("a", "1"), ("b", "2"), ("a", "3"), ("ünï", "çødé ✓")]
        props = b"".join(user_property(k, v) for k, v in pairs)
        props += bytes([RESPONSE_TOPIC]) + tb._str("props/reply") + bytes([CORRELATION_DATA]) + tb._str(b"\x00\x01")
        for qos in (1, 0):
            pid = pub.publish("props/x", f"qos{qos}", qos=qos, props=props)
            if qos:
                self.assertEqual(pub.expect_puback(pid), 0)
            topic, payload, got = receive(sub)
            self.assertEqual((topic, payload), ("props/x", f"qos{qos}".encode()))
            self.assertEqual(prop(got, USER_PROPERTY), pairs)
            self.assertEqual((prop(got, RESPONSE_TOPIC), prop(got, CORRELATION_DATA)), (["props/reply"], [b"\x00\x01"]))


class BrokerKeepAliveTest(BrokerTest):
    """The broker clamps keep-alive to [30, 1200] s with no flag to lower it: this test waits 1.5 × 30 s."""

    def test_silent_clients_cut_after_one_and_a_half_keep_alives_pinging_one_stays(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        watcher = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(watcher.connect("ka-watcher", keepalive=30)), 0)
        watcher.subscribe(["wills/#", "$aws/events/presence/disconnected/+"])
        start = time.time()
        silent5 = self.mqtt(cert, key, v=5)
        ack = silent5.connect("ka-silent5", keepalive=5, will=("wills/ka-silent5", "timed out", False))
        self.assertEqual(connack_code(ack), 0)
        self.assertEqual(prop(properties_at(ack[2], 2)[0], SERVER_KEEP_ALIVE), [30])  # 5 raised to 30
        silent3 = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(silent3.connect("ka-silent3", keepalive=1,
                                                      will=("wills/ka-silent3", "timed out", False))), 0)
        # The watcher pings every 10 s; the silent ones say nothing.
        cut, seen, last_ping = {}, [], 0.0
        while len(cut) < 2 and time.time() - start < 55:
            if time.time() - last_ping >= 10:
                last_ping = time.time()
                seen += pong(watcher)
            for name, c in (("ka-silent5", silent5), ("ka-silent3", silent3)):
                if name not in cut and closed_within(c, 0.25) is not None:
                    cut[name] = time.time() - start
        self.assertEqual(sorted(cut), ["ka-silent3", "ka-silent5"])
        for name, elapsed in cut.items():
            self.assertTrue(44 <= elapsed <= 48, f"{name} cut after {elapsed:.1f} s, expected 45 s")
        self.assertEqual([(p[0], p[2][:1]) for p in packets_left(silent5)], [(14, bytes([KEEP_ALIVE_TIMEOUT]))])
        got = {t: p for t, p in seen + payloads(watcher, timeout=2)}
        for name in ("ka-silent5", "ka-silent3"):
            self.assertEqual(got.get(f"wills/{name}"), b"timed out")
            event = json.loads(got[f"$aws/events/presence/disconnected/{name}"])
            self.assertEqual(event["disconnectReason"], "MQTT_KEEP_ALIVE_TIMEOUT")
        # The watcher has been connected longer than 45 s: its PINGREQs kept it.
        self.assertEqual(pong(watcher), [])


if __name__ == "__main__":
    unittest.main()
