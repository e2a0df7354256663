"""The trustlane-se05x OpenSSL provider from the openssl command line, against chips served by
a real `trustlane chip serve` process: sign, CSR, storeutl, and mutual TLS with s_client/s_server."""
import os
import re
import subprocess
import time
import unittest

from harness import E2ETest, TRUSTLANE, free_port, run, wait_for_port

PROVIDER_DIR = os.environ.get("TRUSTLANE_PROVIDER_DIR") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(TRUSTLANE))), "lib")
PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n?", re.S)


def provider_args():
    return ["-provider-path", PROVIDER_DIR, "-provider", "trustlane-se05x", "-provider", "default"]


# TLS 1.2 needs OpenSSL's default provider to win plain "EC" fetches (ECDHE-ECDSA cipher
# availability): load it first, or keep the order above and add -propquery ?provider=default.
def provider_args_default_first():
    return ["-provider-path", PROVIDER_DIR, "-provider", "default", "-provider", "trustlane-se05x"]


def openssl(args, check=True, input=None, timeout=60):
    proc = subprocess.run(["openssl", *args], capture_output=True, input=input, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout.decode(errors='replace')}\n"
                             f"stderr:\n{proc.stderr.decode(errors='replace')}")
    return proc


class ProviderBase(E2ETest):
    transport = "jrcp"
    scheme = "se05x"

    def setUp(self):
        super().setUp()
        self.assertTrue(os.path.exists(os.path.join(PROVIDER_DIR, "trustlane-se05x.so")),
                        f"provider module not built in {PROVIDER_DIR}")
        self.store = self.path("store")
        minted = run(["chip", "mint", "--store", self.store, "--count", "1"]).stdout
        self.uid = re.findall(r"^\d+ ([0-9a-f]{36}) ", minted, re.M)[0]
        self.port = free_port()
        self.server = self.start(["chip", "serve", "--store", self.store, "--listen", f"127.0.0.1:{self.port}",
                                  "--transport", self.transport], name="serve")
        wait_for_port(self.port, proc=self.server.proc)
        self.key_uri = f"{self.scheme}://127.0.0.1:{self.port}/0xF0000100"
        self.cert_uri = f"{self.scheme}://127.0.0.1:{self.port}/0xF0000101"
        self.vendor_ca = os.path.join(self.store, "vendor-ca.pem")

    def chip_cert(self):
        """The chip's certificate, read through the provider's store loader."""
        out = openssl(["storeutl", *provider_args(), "-certs", self.cert_uri]).stdout.decode()
        certs = PEM_CERT.findall(out)
        self.assertEqual(len(certs), 1, out)
        path = self.path("chip.pem")
        with open(path, "w") as f:
            f.write(certs[0])
        return path

    def sign_digest_and_verify(self):
        data = self.path("data.txt")
        with open(data, "wb") as f:
            f.write(b"signed inside the SE050 " * 50)
        digest = self.path("data.sha256")
        openssl(["dgst", "-sha256", "-binary", "-out", digest, data])
        sig = self.path("data.sig")
        openssl(["pkeyutl", "-sign", *provider_args(), "-inkey", self.key_uri, "-in", digest, "-out", sig])
        cert = self.chip_cert()
        ok = openssl(["pkeyutl", "-verify", "-certin", "-inkey", cert, "-in", digest, "-sigfile", sig])
        self.assertIn(b"Signature Verified Successfully", ok.stdout)
        # A different digest does not verify with that signature.
        other = self.path("other.sha256")
        with open(other, "wb") as f:
            f.write(bytes(32))
        bad = openssl(["pkeyutl", "-verify", "-certin", "-inkey", cert, "-in", other, "-sigfile", sig], check=False)
        self.assertNotEqual(bad.returncode, 0)


class ProviderJrcpTest(ProviderBase):
    def test_storeutl_certificate_is_the_chips(self):
        cert = self.chip_cert()
        text = openssl(["x509", "-in", cert, "-noout", "-serial", "-issuer"]).stdout.decode()
        # The serial of a factory certificate is the chip's unique ID followed by 00 00.
        self.assertIn("serial=" + self.uid.upper() + "0000", text)
        openssl(["verify", "-CAfile", self.vendor_ca, cert])

    def test_pkeyutl_sign_verifies_with_certificate(self):
        self.sign_digest_and_verify()

    def test_dgst_sign_streams_through_the_chip(self):
        data = self.path("big.bin")
        with open(data, "wb") as f:
            f.write(os.urandom(200000))
        sig = self.path("big.sig")
        openssl(["dgst", "-sha256", *provider_args(), "-sign", self.key_uri, "-out", sig, data])
        pub = self.path("pub.pem")
        with open(pub, "wb") as f:
            f.write(openssl(["x509", "-in", self.chip_cert(), "-noout", "-pubkey"]).stdout)
        ok = openssl(["dgst", "-sha256", "-verify", pub, "-signature", sig, data])
        self.assertIn(b"Verified OK", ok.stdout)

    def test_csr_signed_by_chip_verifies_and_carries_chip_key(self):
        csr = self.path("req.pem")
        openssl(["req", "-new", *provider_args(), "-key", self.key_uri, "-subj", "/CN=device-0", "-out", csr])
        verified = openssl(["req", "-verify", "-in", csr, "-noout"])
        self.assertIn(b"verify OK", verified.stdout + verified.stderr)
        csr_pub = openssl(["req", "-in", csr, "-noout", "-pubkey"]).stdout
        cert_pub = openssl(["x509", "-in", self.chip_cert(), "-noout", "-pubkey"]).stdout
        self.assertEqual(csr_pub, cert_pub)
        self.assertIn(b"CN = device-0", openssl(["req", "-in", csr, "-noout", "-subject", "-nameopt", "oneline"]).stdout
                      .replace(b"CN=", b"CN = "))

    def test_private_key_cannot_be_exported(self):
        out = openssl(["pkey", *provider_args(), "-in", self.key_uri, "-out", self.path("leak.pem")], check=False)
        self.assertNotEqual(out.returncode, 0)
        leaked = open(self.path("leak.pem")).read() if os.path.exists(self.path("leak.pem")) else ""
        self.assertNotIn("PRIVATE KEY", leaked)
        pub = openssl(["pkey", *provider_args(), "-in", self.key_uri, "-pubout"]).stdout
        cert_pub = openssl(["x509", "-in", self.chip_cert(), "-noout", "-pubkey"]).stdout
        self.assertEqual(pub, cert_pub)

    def test_unreachable_chip_and_missing_object_are_clear_errors(self):
        dead = free_port()
        digest = self.path("d")
        with open(digest, "wb") as f:
            f.write(bytes(32))
        out = openssl(["pkeyutl", "-sign", *provider_args(), "-inkey", f"se05x://127.0.0.1:{dead}/0xF0000100",
                       "-in", digest], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn(b"unreachable", out.stderr)
        out = openssl(["pkeyutl", "-sign", *provider_args(), "-inkey",
                       f"se05x://127.0.0.1:{self.port}/0xF0000200", "-in", digest], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn(b"no object 0xF0000200", out.stderr)

    def mutual_tls(self, version_flag, providers=None):
        srv_key, srv_cert = self.path("srv.key"), self.path("srv.pem")
        openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", srv_key, "-out", srv_cert, "-subj", "/CN=broker.test", "-days", "2",
                 "-addext", "subjectAltName=DNS:broker.test"])
        cert = self.chip_cert()
        port = free_port()
        log_path = self.path("s_server.log")
        with open(log_path, "w") as log:
            server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", srv_cert,
                                       "-key", srv_key, "-Verify", "1", "-CAfile", self.vendor_ca,
                                       "-verify_return_error", "-naccept", "1"],
                                      stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
        try:
            # Not wait_for_port: a probe connection would use up the single accept.
            deadline = time.time() + 20
            while "ACCEPT" not in open(log_path).read() and time.time() < deadline and server.poll() is None:
                time.sleep(0.05)
            client = openssl(["s_client", "-connect", f"127.0.0.1:{port}", version_flag,
                              *(providers or provider_args()),
                              "-key", self.key_uri, "-cert", cert, "-CAfile", srv_cert,
                              "-servername", "broker.test", "-verify_hostname", "broker.test",
                              "-verify_return_error"],
                             input=b"hello from the chip\n", check=False, timeout=60)
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        seen = open(log_path).read()
        out = client.stdout.decode(errors="replace")
        self.assertEqual(client.returncode, 0, out + client.stderr.decode(errors="replace") + seen)
        self.assertIn("Verify return code: 0 (ok)", out)
        # The server saw (and verified against the vendor CA) exactly the chip's certificate.
        self.assertIn("Client certificate", seen)
        self.assertEqual(PEM_CERT.findall(seen)[0].strip(), open(cert).read().strip())
        self.assertIn("hello from the chip", seen)
        return out

    def test_s_client_tls13_mutual_auth_with_chip_key(self):
        out = self.mutual_tls("-tls1_3")
        self.assertIn("TLSv1.3", out)

    def test_s_client_tls12_mutual_auth_with_chip_key(self):
        out = self.mutual_tls("-tls1_2", provider_args_default_first())
        self.assertIn("TLSv1.2", out)

    def test_s_client_tls12_with_propquery_preferring_default(self):
        out = self.mutual_tls("-tls1_2", provider_args() + ["-propquery", "?provider=default"])
        self.assertIn("TLSv1.2", out)


class ProviderT1Test(ProviderBase):
    transport = "t1"
    scheme = "se05x+t1"

    def test_pkeyutl_sign_over_t1(self):
        self.sign_digest_and_verify()


if __name__ == "__main__":
    unittest.main()
