"""The cloud process: startup lines, SIGTERM, kill -9 durability, strict SigV4, raw HTTP abuse."""
import http.client
import json
import os
import socket
import time
import unittest

from cloud_helpers import CLI_V1, CLI_V2, CloudTest, error_code, have_boto3
from harness import run


class CloudServerTest(CloudTest):
    def raw(self, method, path, body=None, headers=None, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if conn is None:
            c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def test_startup_lines_and_clean_sigterm(self):
        log = self.cloud.log()
        self.assertIn(f"http://127.0.0.1:{self.port}", log)
        self.assertIn(f"MQTT (mutual TLS, SNI account routing) on 127.0.0.1:{self.mqtt_port}", log)
        self.assertIn("trustlane.local", log)
        self.assertIn(os.path.join(self.data, "root-ca.pem"), log)
        self.assertEqual(self.cloud.stop(), 0)
        self.assertIn("stopped", self.cloud.log())

    def test_cloud_ca_prints_the_root_and_key_is_private(self):
        pem = run(["cloud", "ca", "--data", self.data]).stdout
        self.assertEqual(pem, self.read(os.path.join(self.data, "root-ca.pem")))
        self.assertTrue(pem.startswith("-----BEGIN CERTIFICATE-----"))
        self.assertEqual(os.stat(os.path.join(self.data, "root-ca.key")).st_mode & 0o777, 0o600)

    @unittest.skipUnless(have_boto3, "boto3 not installed")
    def test_kill9_keeps_every_answered_write(self):
        b = self.boto()
        ids = [b.register_certificate_without_ca(certificatePem=self.read(self.make_cert(f"d{i}")), status="ACTIVE")
               ["certificateId"] for i in range(5)]
        b.create_policy(policyName="p", policyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                                       '"Action":"iot:*","Resource":"*"}]}')
        endpoint = b.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
        self.cloud.kill9()
        self.start_cloud()
        b = self.boto()
        for cid in ids:
            self.assertEqual(b.describe_certificate(certificateId=cid)["certificateDescription"]["status"], "ACTIVE")
        self.assertEqual(b.get_policy(policyName="p")["policyName"], "p")
        self.assertEqual(b.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"], endpoint)

    def test_raw_http_bad_requests_are_aws_shaped(self):
        auth = {"Authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/iot/aws4_request, "
                                 "SignedHeaders=host, Signature=" + "0" * 64}
        status, headers, body = self.raw("POST", "/certificate/register-no-ca", b"{nope", auth)
        self.assertEqual(status, 400)
        self.assertEqual(headers["x-amzn-errortype"], "InvalidRequestException")
        self.assertIn("message", json.loads(body))
        self.assertTrue(headers.get("x-amzn-requestid"))
        status, headers, _ = self.raw("GET", "/definitely/not/an/operation", None, auth)
        self.assertEqual(status, 404)
        self.assertEqual(headers["x-amzn-errortype"], "UnknownOperationException")
        status, headers, _ = self.raw("GET", "/things/bad%zzname", None, auth)
        self.assertEqual(status, 400)
        status, headers, _ = self.raw("POST", "/certificate/register-no-ca", b"[1,2]", auth)
        self.assertEqual(status, 400)
        status, headers, _ = self.raw("POST", "/certificate/register-no-ca", b'{"certificatePem": ["x"]}', auth)
        self.assertEqual(status, 400)
        # An oversize body is refused from its Content-Length, before the body is read: send only
        # the head, so the client never races the server's close with a half-sent body.
        answer = self.send_head("/certificate/register-no-ca", 2 << 20, auth)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:200])
        self.assertIn(b"x-amzn-errortype: invalidrequestexception", answer.lower())
        status, _, _ = self.raw("GET", "/certificates?pageSize=abc", None, auth)
        self.assertEqual(status, 400)
        # Garbage bytes: an HTTP 400 and a closed connection, and the server keeps serving.
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"\x00\x01garbage\r\n\r\n")
            self.assertIn(b"400", s.recv(4096))
        status, _, _ = self.raw("GET", "/endpoint", None, auth)
        self.assertEqual(status, 200)

    def send_head(self, path, length, auth):
        """Only a request's head, with a Content-Length: the status line of the answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            head = "".join(f"{k}: {v}\r\n" for k, v in auth.items())
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\n{head}Content-Length: {length}\r\n\r\n".encode())
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
            return answer

    def test_the_bulk_route_takes_bodies_up_to_8_mib(self):
        auth = {"Authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/iot/aws4_request, "
                                 "SignedHeaders=host, Signature=" + "0" * 64}
        bulk = "/trustlane/bulk/register-without-ca"
        # 3 MiB reaches the service (which reads it, and finds no JSON object in it), where any
        # other route answers 413 from the head alone.
        status, headers, body = self.raw("POST", bulk, b" " * (3 << 20), auth)
        self.assertEqual(status, 400, body[:200])
        self.assertIn("not a valid JSON object", json.loads(body)["message"])
        self.assertTrue(self.send_head("/things/t", 3 << 20, auth).startswith(b"HTTP/1.1 413"))
        answer = self.send_head(bulk, (8 << 20) + 1, auth)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:200])
        status, _, _ = self.raw("GET", "/endpoint", None, auth)  # still serving
        self.assertEqual(status, 200)

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        for _ in range(20):
            status, _, body = self.raw("GET", "/endpoint?endpointType=iot%3AData-ATS", conn=conn)
            self.assertEqual(status, 200)
            self.assertIn(b"-ats.iot.us-east-1", body)
        conn.close()


class CloudStrictAuthTest(CloudTest):
    def setUp(self):
        self.serve_args = []
        super().setUp()

    def start_cloud(self, extra=None):
        creds = os.path.join(self.tmp, "credentials.json")
        with open(creds, "w") as f:
            json.dump({"credentials": [{"accessKeyId": "AKIAPRODUCTION", "secretAccessKey": "prod-secret",
                                        "accountId": "444455556666"},
                                       {"accessKeyId": "123456789012", "secretAccessKey": "test-secret"}]}, f)
        return super().start_cloud(["--strict-auth", "--credentials", creds])

    def test_cli_signatures_are_verified(self):
        for label, cli in [("v2", CLI_V2)] + ([("v1", CLI_V1)] if CLI_V1 else []):
            with self.subTest(cli=label):
                ok = self.aws("describe-endpoint", "--endpoint-type", "iot:Data-ATS", cli=cli,
                              account="AKIAPRODUCTION", secret="prod-secret")
                self.assertIn("-ats.iot.us-east-1", ok["endpointAddress"])
                bad = self.aws("describe-endpoint", cli=cli, account="AKIAPRODUCTION", secret="wrong", check=False)
                self.assertNotEqual(bad.returncode, 0)
                self.assertIn("InvalidSignatureException", bad.stderr)
                unknown = self.aws("describe-endpoint", cli=cli, account="AKIAUNKNOWN", secret="x", check=False)
                self.assertIn("UnrecognizedClientException", unknown.stderr)

    @unittest.skipUnless(have_boto3, "boto3 not installed")
    def test_boto3_signatures_and_accounts(self):
        from botocore.exceptions import ClientError
        good = self.boto(account="AKIAPRODUCTION", secret="prod-secret")
        pem = self.read(self.make_cert("d"))
        arn = good.register_certificate_without_ca(certificatePem=pem)["certificateArn"]
        self.assertIn(":444455556666:cert/", arn)
        # A path with an encoded ARN label must verify too (canonical URI re-quoting).
        self.assertEqual(good.list_attached_policies(target=arn)["policies"], [])
        with self.assertRaises(ClientError) as ctx:
            self.boto(account="AKIAPRODUCTION", secret="nope").list_certificates()
        self.assertEqual(error_code(ctx.exception), ("InvalidSignatureException", 403))
        # A 12-digit key listed in the file is its own account, and must be signed too.
        test = self.boto(account="123456789012", secret="test-secret")
        self.assertEqual(test.list_certificates()["certificates"], [])
        test.register_certificate_without_ca(certificatePem=pem)  # MAR: same cert, other account
        with self.assertRaises(ClientError) as ctx:
            self.boto(account="123456789012", secret="wrong").list_certificates()
        self.assertEqual(error_code(ctx.exception), ("InvalidSignatureException", 403))

    def test_unsigned_request_is_refused(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request("GET", "/certificates")
        r = c.getresponse()
        r.read()
        c.close()
        self.assertEqual(r.status, 403)
        self.assertEqual(r.getheader("x-amzn-ErrorType"), "MissingAuthenticationTokenException")


if __name__ == "__main__":
    unittest.main()
