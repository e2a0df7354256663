"""`trustlane chip mint` / `chip check`: output, files, personalities, one-line errors."""
import base64
import os
import re
import stat
import subprocess
import unittest

from harness import E2ETest, run

LINE = re.compile(r"^(\d+) ([0-9a-f]{36}) ([A-Za-z0-9+/]{24})$")


def minted(stdout):
    """(index, uid hex, base64) for every chip line of mint's output."""
    return [LINE.match(l).groups() for l in stdout.splitlines() if LINE.match(l)]


class ChipMintTest(E2ETest):
    def test_mint_prints_one_line_per_chip_and_the_vendor_ca(self):
        store = self.path("store")
        out = run(["chip", "mint", "--store", store, "--count", "3"]).stdout
        chips = minted(out)
        self.assertEqual([c[0] for c in chips], ["0", "1", "2"])
        for _, uid_hex, uid_b64 in chips:
            self.assertEqual(base64.b64decode(uid_b64), bytes.fromhex(uid_hex))
        self.assertEqual(len({c[1] for c in chips}), 3)
        self.assertIn(f"vendor CA: {store}/vendor-ca.pem", out)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(store, "vendor-ca.key")).st_mode), 0o600)
        subject = subprocess.run(["openssl", "x509", "-in", os.path.join(store, "vendor-ca.pem"), "-noout",
                                  "-subject"], capture_output=True, text=True, check=True).stdout
        self.assertIn("trustlane vendor", subject)
        self.assertIn("Plug and Trust", subject)

    def test_second_mint_appends_and_check_verifies_every_chip(self):
        store = self.path("store")
        first = minted(run(["chip", "mint", "--store", store, "--count", "2"]).stdout)
        second = minted(run(["chip", "mint", "--store", store, "--count", "3", "--personality", "se050e"]).stdout)
        self.assertEqual([c[0] for c in second], ["2", "3", "4"])
        check = run(["chip", "check", "--store", store]).stdout
        for index, uid_hex, _ in first + second:
            self.assertIn(f"{index} {uid_hex} ok", check)
        self.assertIn("5 chips, 0 bad, integrity ok", check)

    def test_bad_count_and_personality_are_one_line_errors(self):
        store = self.path("store")
        for args, needle in ((["--count", "0"], "--count"), (["--count", "-3"], "--count"),
                             (["--count", "abc"], "count"),
                             (["--count", "1", "--personality", "se051"], "--personality")):
            proc = run(["chip", "mint", "--store", store, *args], check=False)
            self.assertNotEqual(proc.returncode, 0, args)
            self.assertIn(needle, proc.stderr)
            self.assertFalse(os.path.exists(os.path.join(store, "store.db")), args)

    def test_unwritable_directory_is_a_clear_error(self):
        blocker = self.path("a-file")
        with open(blocker, "w") as f:
            f.write("x")
        proc = run(["chip", "mint", "--store", os.path.join(blocker, "store"), "--count", "1"], check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1)
        self.assertIn("cannot create store directory", proc.stderr)

    def test_corrupt_store_is_a_clear_error(self):
        store = self.path("store")
        run(["chip", "mint", "--store", store, "--count", "1"])
        with open(os.path.join(store, "store.db"), "wb") as f:
            f.write(b"this is not a database" * 200)
        for cmd in (["chip", "mint", "--store", store, "--count", "1"], ["chip", "check", "--store", store]):
            proc = run(cmd, check=False)
            self.assertEqual(proc.returncode, 1, cmd)
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
            self.assertIn("store.db", proc.stderr)


if __name__ == "__main__":
    unittest.main()
