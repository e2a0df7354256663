"""`trustlane chip serve` with real chips from `chip mint`, driven by the trustlane host
commands, openssl and raw python sockets (both transports)."""
import base64
import hashlib
import os
import re
import signal
import socket
import struct
import subprocess
import threading
import time
import unittest

from harness import E2ETest, TRUSTLANE, free_port, run


def crc_x25(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    crc ^= 0xFFFF
    return bytes([crc & 0xFF, crc >> 8])


def t1_frame(pcb, inf=b"", nad=0x5A):
    head = bytes([nad, pcb, len(inf)]) + inf
    return head + crc_x25(head)


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" % (len(out), n))
        out += chunk
    return out


def jrcp_exchange(sock, mty, payload=b""):
    sock.sendall(bytes([mty, 0]) + struct.pack(">H", len(payload)) + payload)
    head = recv_exact(sock, 4)
    return head[0], recv_exact(sock, struct.unpack(">H", head[2:4])[0])


def t1_read(sock):
    head = recv_exact(sock, 3)
    return head + recv_exact(sock, head[2] + 2)


GET_VERSION = bytes.fromhex("8004002000")


class ChipServeBase(E2ETest):
    transport = "jrcp"
    chips = 2

    def setUp(self):
        super().setUp()
        self.store = self.path("store")
        minted = run(["chip", "mint", "--store", self.store, "--count", str(self.chips)]).stdout
        self.uids = re.findall(r"^\d+ ([0-9a-f]{36}) ", minted, re.M)
        self.assertEqual(len(self.uids), self.chips, minted)
        self.port = free_port(self.chips)
        self.server = self.start(["chip", "serve", "--store", self.store, "--listen", f"127.0.0.1:{self.port}",
                                  "--transport", self.transport], name="serve")
        self.wait_ready()

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            log = self.server.log()
            if "ready" in log:
                return log
            if self.server.proc.poll() is not None:
                self.fail("chip serve exited: " + log)
            time.sleep(0.05)
        self.fail("chip serve never became ready: " + self.server.log())

    def addr(self, i=0):
        return f"127.0.0.1:{self.port + i}"

    def host(self, *args, check=True):
        return run(["chip", *args, "--connect", self.addr(), "--transport", self.transport], check=check)

    def apdu_works(self, i=0):
        """The chip still answers GetVersion through our own client."""
        out = run(["chip", "info", "--connect", self.addr(i), "--transport", self.transport]).stdout
        self.assertIn("applet: 3.1.1", out)


class JrcpServeTest(ChipServeBase):
    def test_prints_the_uid_to_address_map_then_ready(self):
        lines = self.server.log().splitlines()
        for i, uid in enumerate(self.uids):
            self.assertIn(f"{uid} 127.0.0.1:{self.port + i}", lines)
        self.assertTrue(any(line.startswith("ready") for line in lines))

    def test_uid_base64_is_the_mqtt_client_id(self):
        out = self.host("uid", "--base64").stdout.strip()
        self.assertEqual(len(out), 24)
        self.assertEqual(base64.b64decode(out).hex(), self.uids[0])
        second = run(["chip", "uid", "--connect", self.addr(1)]).stdout.strip()
        self.assertEqual(second, self.uids[1])

    def test_read_cert_is_vendor_signed_with_uid_serial(self):
        pem = self.path("cert.pem")
        self.host("read-cert", "--id", "0xF0000101", "--out", pem)
        text = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-text"], capture_output=True, text=True,
                              check=True).stdout
        self.assertIn("Plug and Trust", text)
        serial = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-serial"], capture_output=True, text=True,
                                check=True).stdout.strip()
        self.assertEqual(serial, "serial=" + (self.uids[0] + "0000").upper())
        issuer = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-issuer"], capture_output=True,
                                text=True, check=True).stdout
        ca_subject = subprocess.run(["openssl", "x509", "-in", os.path.join(self.store, "vendor-ca.pem"), "-noout",
                                     "-subject"], capture_output=True, text=True, check=True).stdout
        self.assertEqual(issuer.split("=", 1)[1], ca_subject.split("=", 1)[1])
        verify = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(self.store, "vendor-ca.pem"), pem],
                                capture_output=True, text=True)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        der = self.path("cert.der")
        self.host("read-cert", "--der", "--out", der)
        converted = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", der], capture_output=True,
                                   text=True, check=True).stdout
        with open(pem) as f:
            self.assertEqual(converted.strip(), f.read().strip())

    def test_sign_verifies_with_the_certificate_key(self):
        pem = self.path("cert.pem")
        self.host("read-cert", "--out", pem)
        pub = self.path("pub.pem")
        subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-pubkey", "-out", pub], check=True)
        message = b"telemetry from device 1"
        digest = hashlib.sha256(message).digest()
        sig_hex = self.host("sign", "--id", "0xF0000100", "--digest", digest.hex()).stdout.strip()
        with open(self.path("digest.bin"), "wb") as f:
            f.write(digest)
        with open(self.path("sig.der"), "wb") as f:
            f.write(bytes.fromhex(sig_hex))
        ok = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-in", self.path("digest.bin"),
                             "-sigfile", self.path("sig.der")], capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        with open(self.path("digest.bin"), "wb") as f:
            f.write(hashlib.sha256(b"tampered").digest())
        bad = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-in", self.path("digest.bin"),
                              "-sigfile", self.path("sig.der")], capture_output=True, text=True)
        self.assertNotEqual(bad.returncode, 0)

    def test_ls_lists_factory_objects(self):
        out = self.host("ls").stdout
        self.assertRegex(out, r"0xF0000100 ec-key-pair")
        self.assertRegex(out, r"0xF0000101 binary\s+persistent \d+")

    def test_in_process_form_matches_the_served_chip(self):
        served = self.host("uid").stdout
        local = run(["chip", "uid", "--store", self.store, "--chip", self.uids[0]]).stdout
        self.assertEqual(served, local)

    def test_one_line_errors(self):
        refused = run(["chip", "info", "--connect", "127.0.0.1:1"], check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertEqual(len(refused.stderr.strip().splitlines()), 1, refused.stderr)
        self.assertIn("127.0.0.1:1", refused.stderr)
        bad_id = self.host("read-cert", "--id", "0xZZ", check=False)
        self.assertNotEqual(bad_id.returncode, 0)
        self.assertIn("bad object id", bad_id.stderr)
        missing = self.host("sign", "--id", "0x01020304", "--digest", "00" * 32, check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("6A82", missing.stderr)
        self.assertEqual(len(missing.stderr.strip().splitlines()), 1, missing.stderr)

    def test_raw_frames_every_message_type(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            mty, atr = jrcp_exchange(s, 0x00, bytes.fromhex("00000100"))
            self.assertEqual(mty, 0x00)
            self.assertGreater(len(atr), 0)
            self.assertEqual(jrcp_exchange(s, 0x04), (0x04, b""))
            self.assertEqual(jrcp_exchange(s, 0x07), (0x07, b""))
            self.assertEqual(jrcp_exchange(s, 0x30), (0x30, b""))
            self.assertEqual(jrcp_exchange(s, 0x31), (0x31, b""))
            mty, rsp = jrcp_exchange(s, 0x01, GET_VERSION)
            self.assertEqual(mty, 0x01)
            self.assertEqual(rsp[-2:], b"\x90\x00")
            self.assertEqual(rsp[:2], b"\x41\x07")
            self.assertEqual(jrcp_exchange(s, 0x03), (0x03, b""))

    def test_bad_frames_are_survived(self):
        # Oversize: an error message, then the connection is closed.
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"\x01\x00\xff\xff" + b"\x00" * 100)
            mty, text = jrcp_exchange_reply(s)
            self.assertEqual(mty, 0x03)
            self.assertIn(b"65535", text)
        # Truncated frame then disconnect.
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"\x01\x00\x00\x10\x80\x04")
        # A length shorter than the payload: the short APDU is answered (67 00), the rest is
        # read as the next header, and a fresh connection is unaffected.
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"\x01\x00\x00\x02" + GET_VERSION)
            mty, rsp = jrcp_exchange_reply(s)
            self.assertEqual((mty, rsp), (0x01, b"\x67\x00"))
        # Unknown type and a garbage APDU: answered, connection kept.
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            self.assertEqual(jrcp_exchange(s, 0x55)[0], 0x03)
            mty, rsp = jrcp_exchange(s, 0x01, b"\x80")
            self.assertEqual((mty, rsp), (0x01, b"\x67\x00"))
            self.assertEqual(jrcp_exchange(s, 0x01, GET_VERSION)[1][-2:], b"\x90\x00")
        self.apdu_works()

    def test_two_concurrent_clients_are_both_served(self):
        results = []

        def client():
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
                ok = 0
                for _ in range(200):
                    mty, rsp = jrcp_exchange(s, 0x01, GET_VERSION)
                    ok += rsp[-2:] == b"\x90\x00"
                results.append(ok)

        threads = [threading.Thread(target=client) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(results, [200, 200])

    def test_killed_client_holding_the_lock_does_not_wedge_the_chip(self):
        code = ("import socket,sys,time\n"
                f"s=socket.create_connection(('127.0.0.1',{self.port}))\n"
                "s.sendall(b'\\x30\\x00\\x00\\x00'); s.recv(4)\n"
                "s.sendall(b'\\x01\\x00\\x00\\x10\\x80')\n"  # and a half-sent APDU
                "print('locked', flush=True); time.sleep(60)\n")
        victim = subprocess.Popen(["python3", "-c", code], stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(victim.stdout.readline().strip(), "locked")
            victim.kill()
            victim.wait(10)
        finally:
            if victim.poll() is None:
                victim.kill()
            victim.stdout.close()
        self.apdu_works()

    def test_clean_shutdown_on_sigterm(self):
        self.assertEqual(self.server.stop(), 0)
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()

    def test_clean_shutdown_on_sigint_with_open_connections(self):
        idle = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        # One read-only exchange first, so the server has accepted it: a connection still in the
        # listen backlog when the server stops is reset by the kernel, not closed by the server
        # (this test failed so once in CI).
        self.assertEqual(jrcp_exchange(idle, 0x00, bytes.fromhex("00000100"))[0], 0x00)
        locked = socket.create_connection(("127.0.0.1", self.port + 1), timeout=5)
        self.assertEqual(jrcp_exchange(locked, 0x30), (0x30, b""))
        self.server.proc.send_signal(signal.SIGINT)
        self.assertEqual(self.server.proc.wait(timeout=10), 0)
        self.assertEqual(idle.recv(1), b"")  # closed by the server
        idle.close()
        locked.close()


def jrcp_exchange_reply(sock):
    head = recv_exact(sock, 4)
    return head[0], recv_exact(sock, struct.unpack(">H", head[2:4])[0])


class T1ServeTest(ChipServeBase):
    transport = "t1"

    def test_host_commands_over_t1(self):
        out = self.host("uid", "--base64").stdout.strip()
        self.assertEqual(base64.b64decode(out).hex(), self.uids[0])
        pem = self.path("cert.pem")
        self.host("read-cert", "--out", pem)
        verify = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(self.store, "vendor-ca.pem"), pem],
                                capture_output=True, text=True)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        sig = self.host("sign", "--digest", hashlib.sha256(b"x").hexdigest()).stdout.strip()
        self.assertTrue(sig.startswith("30"))

    def test_session_start_exchange_byte_for_byte(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(bytes.fromhex("5AC000FFFC"))
            self.assertEqual(recv_exact(s, 5), bytes.fromhex("A5E0003F19"))
            s.sendall(bytes.fromhex("5AC000FFFC"))
            self.assertEqual(recv_exact(s, 5), bytes.fromhex("A5E0003F19"))
            s.sendall(bytes.fromhex("5AC700F7B1"))
            atr = t1_read(s)
            self.assertEqual(atr[:2], b"\xa5\xe7")
            self.assertLessEqual(atr[2], 100)
            self.assertEqual(atr[-2:], crc_x25(atr[:-2]))
            s.sendall(bytes.fromhex("5A0016 00A4040010A0000003965453000000010300000000 00 A8C8".replace(" ", "")))
            select = t1_read(s)
            self.assertEqual(select[:2], b"\xa5\x00")
            self.assertEqual(select[-4:-2], b"\x90\x00")
            self.assertEqual(select[3:6], b"\x03\x01\x01")
            s.sendall(bytes.fromhex("5AC5004782"))
            self.assertEqual(recv_exact(s, 5), bytes.fromhex("A5E5008767"))

    def test_bad_frames_are_answered_and_survived(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(bytes.fromhex("5AC000FFFD"))  # bad CRC → R(err 1)
            self.assertEqual(recv_exact(s, 5), t1_frame(0x81, nad=0xA5))
            s.sendall(t1_frame(0x00, b"\x80" * 255))  # INF longer than IFS → R(err 2)
            self.assertEqual(recv_exact(s, 5), t1_frame(0x82, nad=0xA5))
            s.sendall(t1_frame(0x00, GET_VERSION, nad=0x12))  # wrong NAD → R(err 2)
            self.assertEqual(recv_exact(s, 5), t1_frame(0x82, nad=0xA5))
            s.sendall(bytes.fromhex("5A0010 8004".replace(" ", "")))  # truncated: answered after a stall
            self.assertEqual(recv_exact(s, 5), t1_frame(0x82, nad=0xA5))
            s.sendall(t1_frame(0xC0))  # the link still works
            self.assertEqual(recv_exact(s, 5), bytes.fromhex("A5E0003F19"))
            s.sendall(t1_frame(0x00, GET_VERSION))
            rsp = t1_read(s)
            self.assertEqual(rsp[-4:-2], b"\x90\x00")
        self.apdu_works()

    def test_chained_response_with_r_ack(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(t1_frame(0xC0))
            recv_exact(s, 5)
            # ReadObject of the certificate in one go: longer than one block, so it comes chained.
            apdu = bytes.fromhex("80020000") + b"\x00\x00\x06" + bytes.fromhex("4104F0000101") + b"\x00\x00"
            s.sendall(t1_frame(0x00, apdu))
            data, ns = b"", 0
            while True:
                block = t1_read(s)
                self.assertEqual(block[-2:], crc_x25(block[:-2]))
                self.assertEqual((block[1] >> 6) & 1, ns)
                data += block[3:-2]
                ns ^= 1
                if not block[1] & 0x20:
                    break
                s.sendall(t1_frame(0x80 | ns << 4))  # R-ACK naming the next block
            self.assertEqual(data[-2:], b"\x90\x00")
            self.assertGreater(len(data), 254)

    def test_two_concurrent_clients_and_a_killed_one(self):
        victim = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        victim.sendall(t1_frame(0xC0))
        recv_exact(victim, 5)
        victim.sendall(bytes.fromhex("5A2005"))  # half a chained block, then gone
        victim.close()
        results = []

        def client():
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
                s.sendall(t1_frame(0xC0))
                recv_exact(s, 5)
                ok, ns = 0, 0
                for _ in range(100):
                    s.sendall(t1_frame(ns << 6, GET_VERSION))
                    ok += t1_read(s)[-4:-2] == b"\x90\x00"
                    ns ^= 1
                results.append(ok)

        threads = [threading.Thread(target=client) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(results, [100, 100])


class ManyChipsServeTest(ChipServeBase):
    chips = 300

    def test_every_chip_gets_its_own_port(self):
        lines = [l for l in self.server.log().splitlines() if re.match(r"^[0-9a-f]{36} ", l)]
        self.assertEqual(len(lines), self.chips)
        for i in (0, 77, 150, self.chips - 1):
            out = run(["chip", "uid", "--connect", self.addr(i)]).stdout.strip()
            self.assertEqual(out, self.uids[i])


class TimingServeTest(ChipServeBase):
    transport = "t1"
    chips = 1

    def setUp(self):
        E2ETest.setUp(self)
        self.store = self.path("store")
        minted = run(["chip", "mint", "--store", self.store, "--count", "1"]).stdout
        self.uids = re.findall(r"^\d+ ([0-9a-f]{36}) ", minted, re.M)
        self.port = free_port(1)
        self.server = self.start(["chip", "serve", "--store", self.store, "--listen", f"127.0.0.1:{self.port}",
                                  "--transport", "t1", "--timing", "real", "--wtx-interval-ms", "10"],
                                 name="serve")
        self.wait_ready()

    def test_real_timing_makes_signing_take_time_and_sends_wtx(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(t1_frame(0xC0))
            recv_exact(s, 5)
            digest = hashlib.sha256(b"slow").digest()
            tlv = bytes.fromhex("4104F0000100") + bytes([0x42, 1, 0x21, 0x43, 32]) + digest
            apdu = bytes.fromhex("80030C09") + bytes([len(tlv)]) + tlv
            start = time.time()
            s.sendall(t1_frame(0x00, apdu))
            wtx = 0
            while True:
                block = t1_read(s)
                if block[1] == 0xC3:  # S(WTX request): grant it
                    wtx += 1
                    s.sendall(t1_frame(0xE3, block[3:4]))
                    continue
                break
            elapsed = time.time() - start
            self.assertEqual(block[-4:-2], b"\x90\x00")
            self.assertGreaterEqual(elapsed, 0.04)  # the timing model's ECDSA sign is ~45 ms
            self.assertGreaterEqual(wtx, 2)


if __name__ == "__main__":
    unittest.main()
