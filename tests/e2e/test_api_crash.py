"""Acknowledged registrations survive kill -9 of the cloud: 16 clients register certificates
concurrently (so the server groups their commits); the cloud is killed with SIGKILL while they
are still sending; after a restart every certificate that was answered 200 is there, ACTIVE."""
import concurrent.futures
import os
import subprocess
import threading
import time
import unittest

from cloud_helpers import CloudTest, have_boto3


@unittest.skipUnless(have_boto3, "boto3 not installed")
class AnsweredWritesSurviveKill9(CloudTest):
    def make_pems(self, n):
        """n distinct self-signed P-256 certificates (one key, distinct subjects: cheap)."""
        key = self.path("k.pem")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], check=True)
        pems = []
        for i in range(n):
            out = subprocess.run(["openssl", "req", "-new", "-x509", "-key", key, "-subj", f"/CN=crash-{i}",
                                  "-days", "2"], check=True, capture_output=True, text=True).stdout
            pems.append(out)
        return pems

    def test_every_answered_registration_is_in_the_registry_after_kill_9(self):
        pems = self.make_pems(160)
        answered, lock, stop = {}, threading.Lock(), threading.Event()

        def worker(chunk):
            b = self.boto()
            for pem in chunk:
                if stop.is_set():
                    return
                try:
                    r = b.register_certificate_without_ca(certificatePem=pem, status="ACTIVE")
                except Exception:  # the cloud died under us: unanswered, so no promise was made
                    return
                with lock:
                    answered[r["certificateId"]] = r["certificateArn"]

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            futures = [pool.submit(worker, pems[i::16]) for i in range(16)]
            deadline = time.time() + 60
            while len(answered) < 60 and time.time() < deadline:
                time.sleep(0.01)
            self.cloud.kill9()  # mid-stream: some requests are in flight
            stop.set()
            for f in futures:
                f.result(timeout=60)
        self.assertGreaterEqual(len(answered), 60)

        self.start_cloud()
        b = self.boto()
        stored, kw = {}, {"pageSize": 250}
        while True:
            page = b.list_certificates(**kw)
            stored.update({c["certificateId"]: c for c in page["certificates"]})
            if "nextMarker" not in page:
                break
            kw["marker"] = page["nextMarker"]
        missing = set(answered) - set(stored)
        self.assertEqual(missing, set(), f"{len(missing)} answered registrations lost after kill -9")
        for cid, arn in answered.items():
            self.assertEqual(stored[cid]["certificateArn"], arn)
            self.assertEqual(stored[cid]["status"], "ACTIVE")
        # And the registry still works.
        r = b.register_certificate_without_ca(certificatePem=pems[-1], status="ACTIVE") \
            if pems and self.cert_id(pems[-1]) not in stored else None
        self.assertTrue(r is None or r["certificateId"])

    def cert_id(self, pem):
        import hashlib
        der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem.encode(), capture_output=True,
                             check=True).stdout
        return hashlib.sha256(der).hexdigest()


if __name__ == "__main__":
    unittest.main()
