"""AWS CLI v1 and v2: auto-pagination over several pages, and MAR across two accounts."""
import json
import unittest

from cloud_helpers import CLI_V1, CLI_V2, CloudTest

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "iot:Connect", "iot:Publish", "iot:Receive", "iot:Subscribe"], "Resource": "*"}]}


class CloudCliPagingTest(CloudTest):
    def clis(self):
        out = [("v2", CLI_V2)]
        if CLI_V1:
            out.append(("v1", CLI_V1))
        return out

    def test_cli_auto_pagination_terminates_with_every_item(self):
        # More than one default page (25) of each. (The CLI's own --page-size collides with the
        # modeled pageSize and switches auto-pagination off, so the default page size is used.)
        b = self.boto()
        ids = {b.create_keys_and_certificate(setAsActive=False)["certificateId"] for _ in range(30)}
        for i in range(30):
            b.create_policy(policyName=f"pol{i:02d}", policyDocument=json.dumps(POLICY))
            b.create_thing(thingName=f"thing{i:02d}")
        for label, cli in self.clis():
            with self.subTest(cli=label):
                out = self.aws("list-certificates", cli=cli)
                self.assertEqual({c["certificateId"] for c in out["certificates"]}, ids)
                self.assertEqual(len(out["certificates"]), 30)
                self.assertNotIn("nextMarker", out)
                pols = self.aws("list-policies", cli=cli)
                self.assertEqual([p["policyName"] for p in pols["policies"]], [f"pol{i:02d}" for i in range(30)])
                things = self.aws("list-things", cli=cli)
                self.assertEqual([t["thingName"] for t in things["things"]], [f"thing{i:02d}" for i in range(30)])
                manual = self.aws("list-certificates", "--page-size", "5", cli=cli)
                self.assertEqual(len(manual["certificates"]), 5)
                self.assertIn("nextMarker", manual)
                rest = self.aws("list-certificates", "--page-size", "250", "--marker", manual["nextMarker"], cli=cli)
                self.assertEqual(len(rest["certificates"]), 25)
                self.assertNotIn("nextMarker", rest)

    def test_mar_same_certificate_in_two_accounts_once_each(self):
        self.make_cert("shared")
        for label, cli in self.clis():
            with self.subTest(cli=label):
                a = self.aws("register-certificate-without-ca", "--certificate-pem", "file://shared.pem",
                             "--status", "ACTIVE", cli=cli, account="200000000001", check=False)
                b = self.aws("register-certificate-without-ca", "--certificate-pem", "file://shared.pem",
                             "--status", "ACTIVE", cli=cli, account="200000000002", check=False)
                if label == "v2":
                    self.assertEqual(a.returncode, 0, a.stderr)
                    self.assertEqual(b.returncode, 0, b.stderr)
                again = self.aws("register-certificate-without-ca", "--certificate-pem", "file://shared.pem",
                                 cli=cli, account="200000000001", check=False)
                self.assertNotEqual(again.returncode, 0)
                self.assertIn("ResourceAlreadyExistsException", again.stderr)
        e1 = self.aws("describe-endpoint", "--endpoint-type", "iot:Data-ATS", account="200000000001")
        e2 = self.aws("describe-endpoint", "--endpoint-type", "iot:Data-ATS", account="200000000002")
        self.assertNotEqual(e1["endpointAddress"], e2["endpointAddress"])
        # The region comes from the credential scope: another region sees nothing.
        other = self.aws("list-certificates", account="200000000001", region="eu-west-1")
        self.assertEqual(other["certificates"], [])


if __name__ == "__main__":
    unittest.main()
