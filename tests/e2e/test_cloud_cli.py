"""The seed's AWS CLI commands, verbatim, with both AWS CLI v1 (pip) and v2 (Debian)."""
import json
import re
import unittest

from cloud_helpers import CLI_V1, CLI_V2, CloudTest

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "iot:Connect", "iot:Publish", "iot:Receive", "iot:Subscribe"], "Resource": "*"}]}


class CloudCliTest(CloudTest):
    def clis(self):
        out = [("v2", CLI_V2)]
        if CLI_V1:
            out.append(("v1", CLI_V1))
        return out

    def test_seed_scenario_commands(self):
        with open(self.path("policy.json"), "w") as f:
            json.dump(POLICY, f)
        for i, (label, cli) in enumerate(self.clis()):
            with self.subTest(cli=label):
                account = f"10000000000{i}"
                cert = self.make_cert(f"dev-{label}")
                reg = self.aws("register-certificate-without-ca", "--certificate-pem", f"file://dev-{label}.pem",
                               "--status", "ACTIVE", cli=cli, account=account)
                self.assertRegex(reg["certificateId"], r"^[0-9a-f]{64}$")
                self.assertEqual(reg["certificateArn"], f"arn:aws:iot:us-east-1:{account}:cert/{reg['certificateId']}")
                pol = self.aws("create-policy", "--policy-name", "wildCardPolicy", "--policy-document",
                               "file://policy.json", cli=cli, account=account)
                self.assertEqual(pol["policyName"], "wildCardPolicy")
                self.assertEqual(pol["policyVersionId"], "1")
                self.aws("attach-policy", "--policy-name", "wildCardPolicy", "--target", reg["certificateArn"],
                         cli=cli, account=account)
                ep = self.aws("describe-endpoint", "--endpoint-type", "iot:Data-ATS", cli=cli, account=account)
                self.assertRegex(ep["endpointAddress"], r"^[a-z0-9]{14}-ats\.iot\.us-east-1\.trustlane\.local$")
                attached = self.aws("list-attached-policies", "--target", reg["certificateArn"], cli=cli,
                                    account=account)
                self.assertEqual([p["policyName"] for p in attached["policies"]], ["wildCardPolicy"])
                desc = self.aws("describe-certificate", "--certificate-id", reg["certificateId"], cli=cli,
                                account=account)["certificateDescription"]
                self.assertEqual(desc["status"], "ACTIVE")
                self.assertEqual(desc["certificateMode"], "SNI_ONLY")
                self.assertEqual(desc["ownedBy"], account)
                self.assertEqual(desc["certificatePem"].strip(), self.read(cert).strip())

    def test_cli_error_codes(self):
        for label, cli in self.clis():
            with self.subTest(cli=label):
                missing = self.aws("describe-certificate", "--certificate-id", "a" * 64, cli=cli, check=False)
                self.assertIn("ResourceNotFoundException", missing.stderr)
                with open(self.path("junk.pem"), "w") as f:
                    f.write("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
                junk = self.aws("register-certificate-without-ca", "--certificate-pem", "file://junk.pem", cli=cli,
                                check=False)
                self.assertIn("CertificateValidationException", junk.stderr)
                with open(self.path("bad-policy.json"), "w") as f:
                    f.write('{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"iot:*","Resource":"*"}]}')
                bad = self.aws("create-policy", "--policy-name", "bad", "--policy-document", "file://bad-policy.json",
                               cli=cli, check=False)
                self.assertIn("MalformedPolicyException", bad.stderr)

    def test_rsa_certificate_is_refused(self):
        self.make_cert("rsa", key_type="rsa")
        proc = self.aws("register-certificate-without-ca", "--certificate-pem", "file://rsa.pem", check=False)
        self.assertIn("CertificateValidationException", proc.stderr)
        self.assertTrue(re.search("not supported|P-256", proc.stderr), proc.stderr)


if __name__ == "__main__":
    unittest.main()
