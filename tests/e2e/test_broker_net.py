"""The broker's network layer, end to end: what the TLS session decides before the MQTT core sees
a client (client ID limit, packets pipelined behind CONNECT, expired client certificates). Real
`trustlane cloud serve`, real TLS sockets, raw MQTT 3.1.1/5 packets, certificates from openssl."""
import datetime
import struct
import time
import unittest
import warnings

warnings.simplefilter("ignore", ResourceWarning)

from cloud_helpers import openssl
from test_broker import ACCOUNT_A, BrokerTest, _packet, _str, connack_code


class NetTest(BrokerTest):
    def wait_for_refusal(self, reason, count, timeout=5):
        """The broker's count of refusals for `reason`, once it reaches `count` (or the timeout)."""
        deadline = time.time() + timeout
        seen = 0
        while time.time() < deadline:
            seen = self.stats().get("refusals", {}).get(reason, 0)
            if seen >= count:
                break
            time.sleep(0.1)
        return seen


class ClientIdLimitTest(NetTest):
    def test_client_id_over_128_bytes_refused_before_admission(self):
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        long_id = "x" * 129
        # MQTT 5: CONNACK 0x85 Client Identifier not valid; 3.1.1: closed without a CONNACK.
        self.assertEqual(connack_code(self.mqtt(cert, key, v=5).connect(long_id)), 0x85)
        self.assertIsNone(self.mqtt(cert, key, v=4).connect(long_id + "y"))
        self.assertEqual(self.wait_for_refusal("client_id_invalid", 2), 2)
        self.assertIn("client_id_invalid: client ID of 129 bytes (limit 128)", self.cloud.log())
        # Refused before admission: nothing was counted against the account's connections, and the
        # limit itself is allowed (right away: the refused ones took no per-client-ID rate slot).
        self.assertEqual(self.stats()["accounts"], {})
        ok = self.mqtt(cert, key, v=5)
        self.assertEqual(connack_code(ok.connect("y" * 128)), 0)
        self.assertEqual(self.stats()["accounts"], {f"{ACCOUNT_A}/us-east-1": {"connections": 1}})
        ok.close()


class PipelinedPacketsTest(NetTest):
    def test_packets_sent_right_behind_connect_are_served_in_order(self):
        """MQTT lets a client send SUBSCRIBE and PUBLISH before its CONNACK arrives."""
        cert, key, _ = self.aws_device(ACCOUNT_A, "dev")
        for v in (4, 5):
            with self.subTest(v=v):
                m = self.mqtt(cert, key, v=v)
                props = b"\x00" if v == 5 else b""
                connect = _packet(0x10, _str("MQTT") + bytes([v, 0x02]) + struct.pack("!H", 60) + props + _str(f"pipe{v}"))
                subscribe = _packet(0x82, struct.pack("!H", 1) + props + _str(f"pipe/{v}") + b"\x01")
                publish = _packet(0x32, _str(f"pipe/{v}") + struct.pack("!H", 2) + props + b"hello")
                m.send(connect + subscribe + publish)  # one write: one TLS record
                self.assertEqual(connack_code(m.read()), 0)
                self.assertEqual(m.read()[0], 9)  # SUBACK
                kinds = {}
                for _ in range(2):  # the PUBACK and our own message, in either order
                    pkt = m.read()
                    self.assertIsNotNone(pkt)
                    kinds[pkt[0]] = pkt
                self.assertIn(4, kinds)
                self.assertEqual(m.parse_publish(kinds[3])[1], b"hello")
                m.close()


class ExpiredCertificateTest(NetTest):
    def test_a_registered_certificate_is_refused_once_it_expires(self):
        # A certificate valid for seconds, registered while valid (openssl ca sets exact dates).
        key, cert, csr = self.path("short.key"), self.path("short.pem"), self.path("short.csr")
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)
        openssl("req", "-new", "-key", key, "-subj", "/CN=short", "-out", csr)
        conf = self.path("ca.cnf")
        with open(self.path("index.txt"), "w"):
            pass
        with open(conf, "w") as f:
            f.write(f"[ca]\ndefault_ca=d\n[d]\ndatabase={self.path('index.txt')}\nnew_certs_dir={self.tmp}\n"
                    f"serial={self.path('serial')}\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n")
        with open(self.path("serial"), "w") as f:
            f.write("01\n")
        now = datetime.datetime.now(datetime.timezone.utc)
        fmt = "%Y%m%d%H%M%SZ"
        end = now + datetime.timedelta(seconds=12)  # room for the AWS CLI calls below
        openssl("ca", "-batch", "-config", conf, "-selfsign", "-keyfile", key, "-in", csr, "-out", cert,
                "-startdate", (now - datetime.timedelta(minutes=1)).strftime(fmt), "-enddate", end.strftime(fmt),
                "-notext")
        out = self.aws("register-certificate-without-ca", "--certificate-pem", f"file://{cert}", "--status", "ACTIVE",
                       account=ACCOUNT_A)
        self.allow_all(ACCOUNT_A, out["certificateArn"])
        host = self.endpoint(ACCOUNT_A)
        ok = self.mqtt(cert, key, sni=host, v=5)
        self.assertEqual(connack_code(ok.connect("short-lived")), 0)
        ok.close()
        time.sleep(max(0.0, (end - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 1.5)
        self.assertEqual(connack_code(self.mqtt(cert, key, sni=host, v=5).connect("short-lived-2")), 0x87)
        self.assertIsNone(self.mqtt(cert, key, sni=host, v=4).connect("short-lived-3"))
        self.assertEqual(self.wait_for_refusal("certificate_expired", 2), 2)
        self.assertIn("certificate_expired: certificate " + out["certificateId"] + " expired at", self.cloud.log())


if __name__ == "__main__":
    unittest.main()
