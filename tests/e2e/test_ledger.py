"""Vendor ledger end to end: `chip mint` → `chip ledger` → `cloud import-ledger` into a real
`cloud serve` with strict SigV4 (so every request the importer sends is verified), checked with
boto3; bad entries reported by uniqueId while the rest is imported; a second run changes nothing."""
import base64
import json
import os
import re
import shutil
import unittest

from cloud_helpers import CloudTest, have_boto3
from harness import run

ACCOUNT = "123456789012"
KEY_ID, SECRET = "AKIDLEDGERTEST", "ledger-secret"
POLICY = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": ["iot:Connect", "iot:Publish", "iot:Receive",
                                                                  "iot:Subscribe"], "Resource": "*"}]})


def summary(stdout):
    """{'imported': n, 'already present': n, 'rejected': n, …} from the importer's summary lines."""
    out = {}
    for line in stdout.splitlines():
        m = re.match(r"^\s*([a-z -]+):\s+(\d+)", line)
        if m:
            out[m.group(1).strip()] = int(m.group(2))
    return out


def b64url_json(text):
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


@unittest.skipUnless(have_boto3, "boto3 not installed")
class LedgerTest(CloudTest):
    """Runs on trustlane's bulk route (--api-path bulk); LedgerPerCallTest repeats every test on
    AWS IoT's 4 calls per chip (--api-path aws)."""
    API_PATH = "bulk"

    def setUp(self):
        creds = os.path.join(self.tmp_dir(), "credentials.json")
        with open(creds, "w") as f:
            json.dump({"credentials": [{"accessKeyId": KEY_ID, "secretAccessKey": SECRET, "accountId": ACCOUNT}]}, f)
        self.serve_args = ["--credentials", creds, "--strict-auth"]
        super().setUp()
        self.env.update({"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET})
        with open(self.path("policy.json"), "w") as f:
            f.write(POLICY)

    def tmp_dir(self):
        import tempfile
        if not hasattr(self, "_pre"):
            self._pre = tempfile.mkdtemp(prefix="trustlane-ledger-creds-")
            self.addCleanup(shutil.rmtree, self._pre, True)
        return self._pre

    def mint_and_export(self, store, count, out, total=None):
        run(["chip", "mint", "--store", self.path(store), "--count", str(count)], timeout=300)
        res = run(["chip", "ledger", "--store", self.path(store), "--out", self.path(out)], timeout=300)
        self.assertIn(f"{total or count} entries written", res.stdout)
        with open(self.path(out)) as f:
            return json.load(f)

    def import_ledger(self, ledger, *extra, check=True):
        return run(["cloud", "import-ledger", self.path(ledger), "--account", ACCOUNT, "--policy", "wildCardPolicy",
                    "--thing-prefix", "chip-", "--endpoint-url", self.url, "--region", "us-east-1",
                    "--api-path", self.API_PATH, *extra],
                   check=check, timeout=300, env=self.env)

    def all_certificates(self, b):
        certs, kw = [], {"pageSize": 250}
        while True:
            page = b.list_certificates(**kw)
            certs += page["certificates"]
            if "nextMarker" not in page:
                return certs
            kw["marker"] = page["nextMarker"]

    def test_round_trip_of_1000_chips_and_a_second_run_changes_nothing(self):
        entries = self.mint_and_export("store", 1000, "ledger.json")
        self.assertEqual(len(entries), 1000)
        uids = [b64url_json(e["payload"])["uniqueId"] for e in entries]
        res = self.import_ledger("ledger.json", "--vendor-ca", self.path("store", "vendor-ca.pem"),
                                 "--verify-with", self.path("store", "manifest-signer.pem"),
                                 "--create-policy", self.path("policy.json"))
        s = summary(res.stdout)
        self.assertEqual((s["entries"], s["imported"], s["already present"], s["rejected"]), (1000, 1000, 0, 0), res.stdout)
        self.assertIn(f"api path:         {self.API_PATH}", res.stdout)
        # The time is split into its two phases, which add up to the total.
        total = float(re.search(r"^time:\s+([\d.]+) s", res.stdout, re.M).group(1))
        phases = [float(re.search(rf"^  {p}:\s+([\d.]+) s$", res.stdout, re.M).group(1)) for p in ("verify", "register")]
        self.assertAlmostEqual(sum(phases), total, delta=0.02)

        b = self.boto(account=KEY_ID, secret=SECRET)
        certs = self.all_certificates(b)
        self.assertEqual(len(certs), 1000)
        self.assertTrue(all(c["status"] == "ACTIVE" and c["certificateMode"] == "SNI_ONLY" for c in certs))
        for c in certs:
            attached = b.list_attached_policies(target=c["certificateArn"])["policies"]
            self.assertEqual([p["policyName"] for p in attached], ["wildCardPolicy"], c["certificateId"])
        things, kw = [], {"maxResults": 250}
        while True:
            page = b.list_things(**kw)
            things += [t["thingName"] for t in page["things"]]
            if "nextToken" not in page:
                break
            kw["nextToken"] = page["nextToken"]
        self.assertEqual(sorted(things), sorted("chip-" + u for u in uids))
        arns = {c["certificateArn"] for c in certs}
        for u in uids[:50]:
            principals = b.list_thing_principals(thingName="chip-" + u)["principals"]
            self.assertEqual(len(principals), 1)
            self.assertIn(principals[0], arns)
        before = [b.describe_certificate(certificateId=c["certificateId"])["certificateDescription"] for c in certs[:20]]

        again = self.import_ledger("ledger.json", "--vendor-ca", self.path("store", "vendor-ca.pem"))
        s = summary(again.stdout)
        self.assertEqual((s["imported"], s["already present"], s["rejected"]), (0, 1000, 0), again.stdout)
        self.assertEqual(len(self.all_certificates(b)), 1000)
        after = [b.describe_certificate(certificateId=c["certificateId"])["certificateDescription"] for c in certs[:20]]
        self.assertEqual(before, after)  # same generationId, lastModifiedDate, customerVersion

    def test_bad_entries_are_reported_by_unique_id_and_the_rest_imported(self):
        good = self.mint_and_export("store", 6, "ledger.json")
        signer = self.path("store", "manifest-signer.pem")
        shutil.copy(signer, self.path("signer-1.pem"))
        # The same vendor with a new manifest signer: not the one the customer trusts.
        os.remove(self.path("store", "manifest-signer.pem"))
        os.remove(self.path("store", "manifest-signer.key"))
        resigned = self.mint_and_export("store", 1, "ledger2.json", total=7)  # new signer
        # Another vendor altogether.
        foreign = self.mint_and_export("other", 1, "other.json")

        tampered = dict(good[0])
        payload = b64url_json(tampered["payload"])
        payload["partNumber"] = "SE050E"
        tampered["payload"] = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        uid = lambda e: b64url_json(e["payload"])["uniqueId"]
        mixed = [tampered, resigned[1], good[2], good[2], good[3], good[4], good[5], foreign[0]]
        with open(self.path("mixed.json"), "w") as f:
            json.dump(mixed, f)

        args = ("--verify-with", self.path("signer-1.pem"), "--vendor-ca", self.path("store", "vendor-ca.pem"),
                "--create-policy", self.path("policy.json"))
        res = self.import_ledger("mixed.json", *args, check=False)
        self.assertNotEqual(res.returncode, 0)
        s = summary(res.stdout)
        self.assertEqual((s["entries"], s["imported"], s["rejected"]), (8, 4, 4), res.stdout)
        self.assertEqual((s["bad-signature"], s["untrusted-signer"], s["duplicate"]), (1, 2, 1), res.stdout)
        self.assertRegex(res.stdout, rf"rejected\s+{uid(good[0])}\s+bad-signature")
        self.assertRegex(res.stdout, rf"rejected\s+{uid(resigned[1])}\s+untrusted-signer")
        self.assertRegex(res.stdout, rf"rejected\s+{uid(good[2])}\s+duplicate")
        self.assertRegex(res.stdout, rf"rejected\s+{uid(foreign[0])}\s+untrusted-signer")
        b = self.boto(account=KEY_ID, secret=SECRET)
        self.assertEqual(len(self.all_certificates(b)), 4)

        again = self.import_ledger("mixed.json", *args, check=False)
        s = summary(again.stdout)
        self.assertEqual((s["imported"], s["already present"], s["rejected"]), (0, 4, 4), again.stdout)
        self.assertEqual(len(self.all_certificates(b)), 4)

    def test_foreign_chip_signed_by_the_trusted_signer_is_refused(self):
        # Trusting only our signer: an entry signed by another vendor's signer is refused.
        self.mint_and_export("store", 2, "ledger.json")
        foreign = self.mint_and_export("other", 1, "other.json")
        with open(self.path("foreign.json"), "w") as f:
            json.dump(foreign, f)
        res = self.import_ledger("foreign.json", "--verify-with", self.path("store", "manifest-signer.pem"),
                                 "--create-policy", self.path("policy.json"), check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertEqual(summary(res.stdout)["untrusted-signer"], 1, res.stdout)

    def test_a_ledger_piped_from_the_export_into_the_import(self):
        run(["chip", "mint", "--store", self.path("store"), "--count", "5"], timeout=300)
        exported = run(["chip", "ledger", "--store", self.path("store"), "--out", "-"], timeout=300)
        self.assertEqual(len(json.loads(exported.stdout)), 5)  # stdout holds the ledger alone
        self.assertIn("5 entries written to standard output", exported.stderr)
        res = run(["cloud", "import-ledger", "-", "--account", ACCOUNT, "--policy", "wildCardPolicy",
                   "--create-policy", self.path("policy.json"), "--vendor-ca", self.path("store", "vendor-ca.pem"),
                   "--endpoint-url", self.url, "--region", "us-east-1", "--api-path", self.API_PATH],
                  timeout=300, env=self.env, input=exported.stdout)
        self.assertRegex(res.stdout, r"imported:\s+5\b")
        b = self.boto(account=KEY_ID, secret=SECRET)
        self.assertEqual(len(self.all_certificates(b)), 5)

    def test_refusals_before_anything_is_registered(self):
        self.mint_and_export("store", 3, "ledger.json")
        ca = self.path("store", "vendor-ca.pem")
        # Missing policy without --create-policy.
        res = self.import_ledger("ledger.json", "--vendor-ca", ca, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("policy wildCardPolicy does not exist", res.stderr)
        # No trust anchor at all.
        res = self.import_ledger("ledger.json", check=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("--verify-with", res.stderr)
        # A truncated file.
        with open(self.path("ledger.json")) as f:
            text = f.read()
        with open(self.path("cut.json"), "w") as f:
            f.write(text[: len(text) // 2])
        res = self.import_ledger("cut.json", "--vendor-ca", ca, "--create-policy", self.path("policy.json"), check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("not valid JSON", res.stderr)
        # A well-formed array with one entry that is not JSON, after good ones: refused whole, by position.
        with open(self.path("bad_entry.json"), "w") as f:
            f.write(text.rstrip().rstrip("]") + ',\n{"header": tru}\n]\n')
        res = self.import_ledger("bad_entry.json", "--vendor-ca", ca, "--create-policy", self.path("policy.json"),
                                 check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("not valid JSON (nothing imported): entry 3:", res.stderr)
        # A wrong secret: the strict cloud refuses the signature; nothing is imported.
        env = {**self.env, "AWS_SECRET_ACCESS_KEY": "wrong"}
        res = run(["cloud", "import-ledger", self.path("ledger.json"), "--account", ACCOUNT, "--policy", "p",
                   "--vendor-ca", ca, "--endpoint-url", self.url], check=False, env=env)
        self.assertNotEqual(res.returncode, 0)
        b = self.boto(account=KEY_ID, secret=SECRET)
        self.assertEqual(self.all_certificates(b), [])


class LedgerPerCallTest(LedgerTest):
    API_PATH = "aws"


@unittest.skipUnless(have_boto3, "boto3 not installed")
class ImportPathSelectionTest(CloudTest):
    """auto takes the bulk route when the cloud offers it; the request count shows which path ran."""

    def test_auto_picks_bulk_and_aws_forces_four_calls_per_chip(self):
        run(["chip", "mint", "--store", self.path("store"), "--count", "20"], timeout=300)
        run(["chip", "ledger", "--store", self.path("store"), "--out", self.path("ledger.json")], timeout=300)
        with open(self.path("policy.json"), "w") as f:
            f.write(POLICY)

        def imp(account, *extra):
            return run(["cloud", "import-ledger", self.path("ledger.json"), "--account", account, "--policy", "p",
                        "--create-policy", self.path("policy.json"), "--vendor-ca", self.path("store", "vendor-ca.pem"),
                        "--endpoint-url", self.url, "--connections", "2", *extra], env={**self.env,
                        "AWS_ACCESS_KEY_ID": account}, timeout=300).stdout

        auto = imp("111111111111", "--batch", "8")
        self.assertIn("api path:         bulk", auto)
        # probe + 3 batches of ≤ 8 (ensure_policy's requests are not counted)
        self.assertRegex(auto, r"\(4 requests,")
        self.assertEqual(summary(auto)["imported"], 20, auto)
        aws = imp("222222222222", "--api-path", "aws")
        self.assertIn("api path:         aws", aws)
        self.assertRegex(aws, r"\(80 requests,")
        self.assertEqual(summary(aws)["imported"], 20, aws)


if __name__ == "__main__":
    unittest.main()
