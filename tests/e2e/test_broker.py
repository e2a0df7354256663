"""The MQTT broker of `trustlane cloud serve`, end to end: certificates made through the AWS CLI,
real TLS clients (python ssl with SNI, openssl s_client, mosquitto clients) and MQTT 3.1.1/5
packets on the wire. MAR (SNI account routing), JITR, policies, sessions, retained messages."""
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import time
import urllib.request
import unittest
import warnings

warnings.simplefilter("ignore", ResourceWarning)

from cloud_helpers import CloudTest, openssl
from harness import free_port, wait_for_port

ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]})
ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"


# ---- a small MQTT client on raw packets (v3.1.1 and v5) ------------------------------------

def _varint(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("!H", len(b)) + b


def _packet(first, body):
    return bytes([first]) + _varint(len(body)) + body


def varint_at(data, i):
    """The variable byte integer at data[i] and the index after it."""
    value, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


class Mqtt:
    """One MQTT connection over TLS. v=4 (3.1.1) or v=5."""

    def __init__(self, port, cert, key, cafile, sni=None, v=4, alpn=None, timeout=5):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cafile)
        ctx.load_cert_chain(cert, key)
        ctx.check_hostname = sni is not None
        if alpn:
            ctx.set_alpn_protocols(alpn)
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = ctx.wrap_socket(raw, server_hostname=sni)
        self.v = v
        self.buf = b""
        self.next_id = 1

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _props(self, props=b""):
        return _varint(len(props)) + props if self.v == 5 else b""

    def send(self, data):
        self.sock.sendall(data)

    def connect(self, client_id, clean=True, keepalive=60, will=None, props=b""):
        flags = 0x02 if clean else 0
        payload = _str(client_id)
        if will:
            topic, message, retain = will
            flags |= 0x04 | (0x20 if retain else 0)
            payload += (self._props() if self.v == 5 else b"") + _str(topic) + _str(message)
        body = _str("MQTT") + bytes([self.v, flags]) + struct.pack("!H", keepalive) + self._props(props) + payload
        self.send(_packet(0x10, body))
        return self.read()  # (type, flags, body) or None when closed

    def read(self, timeout=5):
        """The next packet as (type, flags, body); None when the connection closed."""
        self.sock.settimeout(timeout)
        while True:
            if len(self.buf) >= 2:
                n, mult, i = 0, 1, 1
                while i < len(self.buf):
                    b = self.buf[i]
                    n += (b & 0x7F) * mult
                    mult *= 128
                    i += 1
                    if not b & 0x80:
                        break
                else:
                    i = None
                if i is not None and len(self.buf) >= i + n and (self.buf[i - 1] & 0x80) == 0:
                    first, body = self.buf[0], self.buf[i:i + n]
                    self.buf = self.buf[i + n:]
                    return first >> 4, first & 0x0F, body
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionError, ssl.SSLError, OSError):
                return None
            if not chunk:
                return None
            self.buf += chunk

    def subscribe(self, topic_filter, qos=1):
        pid = self.next_id
        self.next_id += 1
        filters = topic_filter if isinstance(topic_filter, list) else [topic_filter]
        body = struct.pack("!H", pid) + self._props() + b"".join(_str(f) + bytes([qos]) for f in filters)
        self.send(_packet(0x82, body))
        return self.read()

    def unsubscribe(self, topic_filter):
        """UNSUBSCRIBE one filter or a list; returns the next packet (the UNSUBACK)."""
        pid = self.next_id
        self.next_id += 1
        filters = topic_filter if isinstance(topic_filter, list) else [topic_filter]
        self.send(_packet(0xA2, struct.pack("!H", pid) + self._props() + b"".join(_str(f) for f in filters)))
        return self.read()

    def ping(self):
        self.send(_packet(0xC0, b""))  # PINGREQ

    def publish(self, topic, payload, qos=0, retain=False, props=b""):
        body = _str(topic)
        pid = 0
        if qos:
            pid = self.next_id
            self.next_id += 1
            body += struct.pack("!H", pid)
        body += self._props(props) + (payload.encode() if isinstance(payload, str) else payload)
        self.send(_packet(0x30 | (qos << 1) | (1 if retain else 0), body))
        return pid

    def expect_puback(self, pid, timeout=5):
        """The reason code of the PUBACK for `pid` (0 for the short form), skipping other packets."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            pkt = self.read(timeout=max(0.1, deadline - time.time()))
            if pkt is None:
                return None
            if pkt[0] == 4 and struct.unpack("!H", pkt[2][:2])[0] == pid:
                return pkt[2][2] if len(pkt[2]) > 2 else 0
        return None

    def puback(self, pid):
        self.send(_packet(0x40, struct.pack("!H", pid)))

    def disconnect(self):
        self.send(_packet(0xE0, b"\x00\x00" if self.v == 5 else b"")[:2] if self.v != 5 else _packet(0xE0, b"\x00\x00"))
        self.close()

    def parse_publish(self, pkt):
        """(topic, payload, qos, retain, packet_id) of a PUBLISH packet."""
        _, flags, body = pkt
        tlen = struct.unpack("!H", body[:2])[0]
        topic = body[2:2 + tlen].decode()
        i = 2 + tlen
        qos = (flags >> 1) & 3
        pid = 0
        if qos:
            pid = struct.unpack("!H", body[i:i + 2])[0]
            i += 2
        if self.v == 5:
            plen, i = varint_at(body, i)
            i += plen
        return topic, body[i:], qos, bool(flags & 1), pid

    def expect_publish(self, timeout=5):
        """The next PUBLISH (acknowledging QoS 1), skipping other packets; None when none came."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            pkt = self.read(timeout=max(0.1, deadline - time.time()))
            if pkt is None:
                return None
            if pkt[0] == 3:
                topic, payload, qos, retain, pid = self.parse_publish(pkt)
                if qos:
                    self.puback(pid)
                return topic, payload, qos, retain
        return None


def require_mosquitto_clients(test):
    """scripts/setup installs mosquitto-clients: a missing tool is a failure, never a skip."""
    missing = [t for t in ("mosquitto_sub", "mosquitto_pub") if not shutil.which(t)]
    test.assertFalse(missing, f"{' and '.join(missing)} not found: run scripts/setup (package mosquitto-clients)")


def connack_code(pkt):
    """CONNACK return/reason code, or None when the connection closed without one."""
    if pkt is None:
        return None
    assert pkt[0] == 2, pkt
    return pkt[2][1]


class BrokerTest(CloudTest):
    """A cloud with its broker on free ports; helpers to make devices through the AWS CLI."""

    def launch_cloud(self, extra=None):
        self.mqtt_port = free_port()
        self.alpn_port = free_port()
        cloud = super().launch_cloud(["--mqtt", f"127.0.0.1:{self.mqtt_port}",
                                     "--mqtt-alpn", f"127.0.0.1:{self.alpn_port}", *(extra or [])])
        wait_for_port(self.mqtt_port, proc=cloud.proc)
        self.root = self.path("root-ca.pem")
        shutil.copy(os.path.join(self.data, "root-ca.pem"), self.root)
        return cloud

    def endpoint(self, account):
        return self.aws("describe-endpoint", "--endpoint-type", "iot:Data-ATS", account=account)["endpointAddress"]

    def allow_all(self, account, cert_arn, name="allow-all"):
        self.aws("create-policy", "--policy-name", name, "--policy-document", ALLOW_ALL, account=account, check=False)
        self.aws("attach-policy", "--policy-name", name, "--target", cert_arn, account=account)

    def aws_device(self, account, name):
        """CreateKeysAndCertificate (DEFAULT mode, ACTIVE) with an allow-all policy: (cert, key, id)."""
        out = self.aws("create-keys-and-certificate", "--set-as-active", account=account)
        cert, key = self.path(f"{name}.crt"), self.path(f"{name}.key")
        with open(cert, "w") as f:
            f.write(out["certificatePem"])
        with open(key, "w") as f:
            f.write(out["keyPair"]["PrivateKey"])
        self.allow_all(account, out["certificateArn"])
        return cert, key, out["certificateId"]

    def vendor_device(self, name, accounts, policy=ALLOW_ALL):
        """A self-made ('vendor-signed') certificate registered WITHOUT CA (SNI_ONLY), ACTIVE, in each account."""
        cert = self.make_cert(name)
        key = self.path(f"{name}.key")
        cid = None
        for account in accounts:
            out = self.aws("register-certificate-without-ca", "--certificate-pem", f"file://{cert}", "--status",
                           "ACTIVE", account=account)
            cid = out["certificateId"]
            self.aws("create-policy", "--policy-name", f"p-{name}", "--policy-document", policy, account=account,
                     check=False)
            self.aws("attach-policy", "--policy-name", f"p-{name}", "--target", out["certificateArn"], account=account)
        return cert, key, cid

    def mqtt(self, cert, key, sni=None, v=4, port=None, alpn=None):
        return Mqtt(port or self.mqtt_port, cert, key, self.root, sni=sni, v=v, alpn=alpn)

    def stats(self):
        """GET /trustlane/stats on the control-plane port (the broker's counters)."""
        with urllib.request.urlopen(f"{self.url}/trustlane/stats", timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.headers["content-type"], "application/json")
            return json.loads(r.read())


class BrokerBasicsTest(BrokerTest):
    def test_publish_subscribe_qos1_between_311_and_5(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        host = self.endpoint(ACCOUNT_A)
        for sub_v, pub_v in ((5, 4), (4, 5), (4, 4), (5, 5)):
            sub = self.mqtt(cert, key, sni=host, v=sub_v)
            self.assertEqual(connack_code(sub.connect(f"sub{sub_v}{pub_v}")), 0)
            suback = sub.subscribe("sensor/#", qos=1)
            self.assertEqual(suback[0], 9)
            self.assertEqual(suback[2][-1], 1)  # granted QoS 1
            pub = self.mqtt(cert, key, sni=host, v=pub_v)
            self.assertEqual(connack_code(pub.connect(f"pub{sub_v}{pub_v}")), 0)
            pid = pub.publish("sensor/t1", f"hello {pub_v}->{sub_v}", qos=1)
            ack = pub.read()
            self.assertEqual((ack[0], struct.unpack("!H", ack[2][:2])[0]), (4, pid))
            got = sub.expect_publish()
            self.assertEqual(got[:3], ("sensor/t1", f"hello {pub_v}->{sub_v}".encode(), 1))
            # AWS: sensor/# does not match "sensor" itself.
            pub.publish("sensor", "parent", qos=0)
            self.assertIsNone(sub.expect_publish(timeout=0.5))
            sub.close()
            pub.close()

    def test_default_certificate_connects_without_sni(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        c = self.mqtt(cert, key, sni=None)
        self.assertEqual(connack_code(c.connect("nosni")), 0)
        c.close()

    def test_qos2_subscription_granted_qos1_and_qos2_publish_refused(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        c = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(c.connect("q2")), 0)
        suback = c.subscribe("a/b", qos=2)
        self.assertLessEqual(suback[2][-1], 1)
        c.publish("a/b", "x", qos=2)
        pkt = c.read()
        while pkt is not None and pkt[0] != 14:
            pkt = c.read()
        # MQTT 5: DISCONNECT (QoS not supported) then close, or a plain close.
        if pkt is not None:
            self.assertEqual(pkt[2][0], 0x9B)
        c.close()

    def test_alpn_listener_requires_x_amzn_mqtt_ca(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        c = self.mqtt(cert, key, port=self.alpn_port, alpn=["x-amzn-mqtt-ca"])
        self.assertEqual(connack_code(c.connect("alpn")), 0)
        c.close()
        with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
            bad = self.mqtt(cert, key, port=self.alpn_port, alpn=["http/1.1"])
            self.assertIsNone(bad.connect("alpn2"))
            raise ConnectionError("closed as expected")
        none = self.mqtt(cert, key, port=self.alpn_port)
        self.assertIsNone(none.connect("alpn3"))  # no ALPN at all: closed after the handshake

    def test_openssl_s_client_sees_server_certificate_for_endpoint(self):
        host = self.endpoint(ACCOUNT_A)
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        for version in ("-tls1_2", "-tls1_3"):
            proc = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{self.mqtt_port}", "-servername",
                                   host, "-verify_hostname", host, "-CAfile", self.root, "-cert", cert, "-key", key,
                                   version, "-verify_return_error"],
                                  input=b"", capture_output=True, timeout=30)
            out = proc.stdout.decode(errors="replace")
            self.assertIn("Verify return code: 0 (ok)", out, out + proc.stderr.decode(errors="replace"))

    def test_silent_tls_client_is_cut_off(self):
        s = socket.create_connection(("127.0.0.1", self.mqtt_port))
        s.settimeout(20)
        start = time.time()
        self.assertEqual(s.recv(10), b"")  # closed by the handshake timeout
        self.assertLess(time.time() - start, 15)
        s.close()

    def test_unauthorized_publish_and_subscribe(self):
        deny_pub = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iot:Connect", "iot:Subscribe", "iot:Receive"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iot:Publish", "Resource": "arn:aws:iot:*:*:topic/ok/*"}]})
        cert, key, _ = self.vendor_device("limited", [ACCOUNT_A], policy=deny_pub)
        host = self.endpoint(ACCOUNT_A)
        v5 = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(connack_code(v5.connect("lim5")), 0)
        pid = v5.publish("secret/x", "no", qos=1)
        ack = v5.read()
        self.assertEqual(ack[0], 4)
        self.assertEqual(struct.unpack("!H", ack[2][:2])[0], pid)
        self.assertEqual(ack[2][2], 0x87)  # NOT_AUTHORIZED
        pid = v5.publish("ok/x", "yes", qos=1)
        ack = v5.read()
        self.assertEqual(ack[2][2:3] in (b"", b"\x00", b"\x10"), True)
        v5.close()
        v3 = self.mqtt(cert, key, sni=host, v=4)
        self.assertEqual(connack_code(v3.connect("lim3")), 0)
        v3.publish("secret/x", "no", qos=1)
        self.assertIsNone(v3.read())  # 3.1.1: the connection is dropped

    def test_connect_denied_by_policy(self):
        only_other = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iot:Connect", "Resource": "arn:aws:iot:*:*:client/allowed"}]})
        cert, key, _ = self.vendor_device("picky", [ACCOUNT_A], policy=only_other)
        host = self.endpoint(ACCOUNT_A)
        self.assertIsNone(self.mqtt(cert, key, sni=host, v=4).connect("other"))
        self.assertEqual(connack_code(self.mqtt(cert, key, sni=host, v=5).connect("other5")), 0x87)
        time.sleep(1.1)
        self.assertEqual(connack_code(self.mqtt(cert, key, sni=host, v=4).connect("allowed")), 0)

    def test_duplicate_client_id_takes_over(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        watcher = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(watcher.connect("watcher")), 0)
        watcher.subscribe("$aws/events/presence/disconnected/twin")
        first = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(first.connect("twin")), 0)
        time.sleep(1.1)  # CONNECT ≤ 1/s per client ID
        second = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(second.connect("twin")), 0)
        pkt = first.read()
        if pkt is not None:  # MQTT 5: DISCONNECT SESSION_TAKEN_OVER
            self.assertEqual((pkt[0], pkt[2][0]), (14, 0x8E))
        event = watcher.expect_publish()
        self.assertIsNotNone(event)
        self.assertEqual(json.loads(event[1])["disconnectReason"], "DUPLICATE_CLIENTID")

    def test_lifecycle_events(self):
        cert, key, cid = self.aws_device(ACCOUNT_A, "dev")
        watcher = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(watcher.connect("watcher")), 0)
        watcher.subscribe("$aws/events/presence/+/dev1")
        dev = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(dev.connect("dev1")), 0)
        topic, payload, _, _ = watcher.expect_publish()
        self.assertEqual(topic, "$aws/events/presence/connected/dev1")
        ev = json.loads(payload)
        self.assertEqual((ev["clientId"], ev["eventType"], ev["principalIdentifier"], ev["ipAddress"]),
                         ("dev1", "connected", cid, "127.0.0.1"))
        self.assertIn("sessionIdentifier", ev)
        dev.disconnect()
        topic, payload, _, _ = watcher.expect_publish()
        ev = json.loads(payload)
        self.assertEqual(topic, "$aws/events/presence/disconnected/dev1")
        self.assertEqual((ev["eventType"], ev["clientInitiatedDisconnect"], ev["disconnectReason"]),
                         ("disconnected", True, "CLIENT_INITIATED_DISCONNECT"))

    def test_subscription_events(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        watcher = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(watcher.connect("watcher")), 0)
        watcher.subscribe("$aws/events/subscriptions/+/dev2")
        dev = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(dev.connect("dev2")), 0)
        dev.subscribe(["a/b", "c/#"])
        topic, payload, _, _ = watcher.expect_publish()
        ev = json.loads(payload)
        self.assertEqual(topic, "$aws/events/subscriptions/subscribed/dev2")
        self.assertEqual((ev["eventType"], ev["topics"]), ("subscribed", ["a/b", "c/#"]))

    def test_retained_message_survives_restart(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        pub = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(pub.connect("pub")), 0)
        pub.publish("config/led", "on", qos=1, retain=True)
        self.assertEqual(pub.read()[0], 4)  # PUBACK: stored
        pub.close()
        self.cloud.kill9()
        self.services.remove(self.cloud)
        self.start_cloud()
        sub = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(sub.connect("sub")), 0)
        sub.subscribe("config/+")
        topic, payload, _, retain = sub.expect_publish()
        self.assertEqual((topic, payload, retain), ("config/led", b"on", True))
        # An empty retained publish deletes it.
        sub.publish("config/led", b"", qos=1, retain=True)
        sub.close()
        time.sleep(0.3)
        again = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(again.connect("sub2")), 0)
        again.subscribe("config/+")
        self.assertIsNone(again.expect_publish(timeout=0.7))

    def test_persistent_session_gets_queued_qos1(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        sub = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(sub.connect("persist", clean=False)), 0)
        sub.subscribe("jobs/#", qos=1)
        sub.close()
        time.sleep(0.3)
        pub = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(pub.connect("pusher")), 0)
        pub.publish("jobs/1", "do it", qos=1)
        self.assertEqual(pub.read()[0], 4)
        time.sleep(1.1)
        back = self.mqtt(cert, key, v=4)
        ack = back.connect("persist", clean=False)
        self.assertEqual(connack_code(ack), 0)
        self.assertEqual(ack[2][0] & 1, 1)  # sessionPresent
        got = back.expect_publish()
        self.assertEqual(got[:3], ("jobs/1", b"do it", 1))

    def test_will_message_on_abrupt_close(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        sub = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(sub.connect("obs")), 0)
        sub.subscribe("wills/#")
        dying = self.mqtt(cert, key, v=4)
        self.assertEqual(connack_code(dying.connect("dying", will=("wills/dying", "gone", False))), 0)
        dying.sock.shutdown(socket.SHUT_RDWR)
        dying.close()
        got = sub.expect_publish()
        self.assertEqual(got[:2], ("wills/dying", b"gone"))

    def test_sigusr1_toggles_per_second_stats(self):
        import signal
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        self.assertIsNone(self.mqtt(cert, key, sni="zzzzzzzzzzzzzz-ats.iot.us-east-1.trustlane.local").connect("x"))
        self.cloud.proc.send_signal(signal.SIGUSR1)
        deadline = time.time() + 5
        while time.time() < deadline and "broker stats:" not in self.cloud.log():
            time.sleep(0.2)
        lines = [l for l in self.cloud.log().splitlines() if "broker stats:" in l]
        self.assertTrue(lines)
        self.assertIn("unknown_endpoint=1", lines[-1])

    def test_mosquitto_clients_with_default_certificate(self):
        require_mosquitto_clients(self)
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        common = ["-h", "127.0.0.1", "-p", str(self.mqtt_port), "--cafile", self.root, "--cert", cert, "--key", key,
                  "--insecure"]
        sub = subprocess.Popen(["mosquitto_sub", *common, "-i", "msub", "-t", "mos/#", "-C", "1", "-W", "15", "-V",
                                "mqttv311"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(1.0)
        subprocess.run(["mosquitto_pub", *common, "-i", "mpub", "-t", "mos/x", "-m", "from mosquitto", "-q", "1",
                        "-V", "mqttv5"], check=True, timeout=15, capture_output=True)
        out, err = sub.communicate(timeout=20)
        self.assertEqual(out.decode().strip(), "from mosquitto", err.decode())


class BrokerMarTest(BrokerTest):
    def test_sni_only_certificate_connects_only_with_its_account_sni(self):
        cert, key, _ = self.vendor_device("vendor", [ACCOUNT_A])
        host_a, host_b = self.endpoint(ACCOUNT_A), self.endpoint(ACCOUNT_B)
        self.assertNotEqual(host_a, host_b)
        self.assertEqual(connack_code(self.mqtt(cert, key, sni=host_a).connect("v1")), 0)
        # No SNI, another account's SNI, or an unknown endpoint: refused (3.1.1: closed; 5: reason code).
        self.assertIsNone(self.mqtt(cert, key, sni=None).connect("v2"))
        self.assertIsNone(self.mqtt(cert, key, sni=host_b).connect("v3"))
        self.assertEqual(connack_code(self.mqtt(cert, key, sni=host_b, v=5).connect("v4")), 0x87)
        unknown = "zzzzzzzzzzzzzz-ats.iot.us-east-1.trustlane.local"
        self.assertIsNone(self.mqtt(cert, key, sni=unknown).connect("v5"))

    def test_same_certificate_in_two_accounts_sni_decides_and_nothing_crosses(self):
        cert, key, _ = self.vendor_device("shared", [ACCOUNT_A, ACCOUNT_B])
        host_a, host_b = self.endpoint(ACCOUNT_A), self.endpoint(ACCOUNT_B)
        sub_a = self.mqtt(cert, key, sni=host_a, v=5)
        self.assertEqual(connack_code(sub_a.connect("sa")), 0)
        sub_a.subscribe("fleet/#")
        sub_b = self.mqtt(cert, key, sni=host_b, v=4)
        self.assertEqual(connack_code(sub_b.connect("sb")), 0)
        sub_b.subscribe("fleet/#")
        pub_b = self.mqtt(cert, key, sni=host_b, v=4)
        self.assertEqual(connack_code(pub_b.connect("pb")), 0)
        pub_b.publish("fleet/1", "for B only", qos=1)
        self.assertEqual(sub_b.expect_publish()[:2], ("fleet/1", b"for B only"))
        self.assertIsNone(sub_a.expect_publish(timeout=0.7))
        # The same client ID in two accounts are two clients: no takeover across accounts.
        other = self.mqtt(cert, key, sni=host_b, v=5)
        self.assertEqual(connack_code(other.connect("sa")), 0)
        pub_a = self.mqtt(cert, key, sni=host_a, v=5)
        self.assertEqual(connack_code(pub_a.connect("pa")), 0)
        pub_a.publish("fleet/2", "for A", qos=1)
        self.assertEqual(sub_a.expect_publish()[:2], ("fleet/2", b"for A"))

    def test_inactive_certificate_refused_and_live_session_cut(self):
        cert, key, cid = self.vendor_device("rev", [ACCOUNT_A])
        host = self.endpoint(ACCOUNT_A)
        live = self.mqtt(cert, key, sni=host, v=4)
        self.assertEqual(connack_code(live.connect("live")), 0)
        self.aws("update-certificate", "--certificate-id", cid, "--new-status", "INACTIVE", account=ACCOUNT_A)
        start = time.time()
        self.assertIsNone(live.read(timeout=5))  # cut promptly
        self.assertLess(time.time() - start, 3)
        self.assertIsNone(self.mqtt(cert, key, sni=host, v=4).connect("again"))
        self.aws("update-certificate", "--certificate-id", cid, "--new-status", "REVOKED", account=ACCOUNT_A)
        self.assertEqual(connack_code(self.mqtt(cert, key, sni=host, v=5).connect("again5")), 0x87)

    def test_policy_change_applies_to_live_connection(self):
        cert, key, cid = self.vendor_device("pol", [ACCOUNT_A])
        host = self.endpoint(ACCOUNT_A)
        c = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(connack_code(c.connect("pol")), 0)
        c.subscribe("t/#")
        c.publish("t/1", "before", qos=1)
        self.assertEqual(c.expect_publish()[:2], ("t/1", b"before"))
        arn = f"arn:aws:iot:us-east-1:{ACCOUNT_A}:cert/{cid}"
        self.aws("detach-policy", "--policy-name", "p-pol", "--target", arn, account=ACCOUNT_A)
        time.sleep(0.3)
        pid = c.publish("t/1", "after", qos=1)
        self.assertEqual(c.expect_puback(pid), 0x87)  # PUBACK NOT_AUTHORIZED

    def test_jitr_registers_pending_certificate_and_publishes_event(self):
        ca = self.make_ca("VendorCA")
        out = self.aws("register-ca-certificate", "--ca-certificate", f"file://{ca[0]}", "--certificate-mode",
                       "SNI_ONLY", "--set-as-active", "--allow-auto-registration", account=ACCOUNT_A)
        ca_id = out["certificateId"]
        host = self.endpoint(ACCOUNT_A)
        # A watcher in the account, subscribed to the registration events of this CA.
        wcert, wkey, _ = self.vendor_device("watch", [ACCOUNT_A])
        watcher = self.mqtt(wcert, wkey, sni=host, v=4)
        self.assertEqual(connack_code(watcher.connect("watcher")), 0)
        watcher.subscribe(f"$aws/events/certificates/registered/{ca_id}")
        device = self.make_cert("jitr-dev", ca=ca)
        dkey = self.path("jitr-dev.key")
        self.assertIsNone(self.mqtt(device, dkey, sni=host, v=4).connect("jitr"))  # closed after registration
        topic, payload, _, _ = watcher.expect_publish()
        event = json.loads(payload)
        self.assertEqual(topic, f"$aws/events/certificates/registered/{ca_id}")
        self.assertEqual(event["caCertificateId"], ca_id)
        cid = event["certificateId"]
        desc = self.aws("describe-certificate", "--certificate-id", cid, account=ACCOUNT_A)["certificateDescription"]
        self.assertEqual(desc["status"], "PENDING_ACTIVATION")
        # The handler's job: activate and attach a policy; the device then connects.
        self.aws("update-certificate", "--certificate-id", cid, "--new-status", "ACTIVE", account=ACCOUNT_A)
        self.allow_all(ACCOUNT_A, desc["certificateArn"], name="jitr-policy")
        self.assertEqual(connack_code(self.mqtt(device, dkey, sni=host, v=5).connect("jitr")), 0)
        # Another account's SNI does not know this CA: refused, nothing registered there.
        self.assertIsNone(self.mqtt(device, dkey, sni=self.endpoint(ACCOUNT_B), v=4).connect("jitr-b"))


if __name__ == "__main__":
    unittest.main()
