"""Durability: SIGKILL a large `chip mint` mid-way; every chip it reported must be complete
(unique ID, key, vendor-signed certificate that matches the key) and the database sound."""
import os
import signal
import sqlite3
import subprocess
import time
import unittest

from harness import TRUSTLANE, E2ETest, run
from test_chip_mint import LINE


class ChipMintKill9Test(E2ETest):
    def test_every_reported_chip_survives_sigkill(self):
        store = self.path("store")
        reported = []
        for round_ in range(2):  # the second round kills a mint that appends to an existing store
            proc = subprocess.Popen([TRUSTLANE, "chip", "mint", "--store", store, "--count", "1000000"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    start_new_session=True)
            lines = []
            deadline = time.time() + 120
            while len(lines) < 1200 + 700 * round_ and time.time() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line)
            os.killpg(proc.pid, signal.SIGKILL)
            rest = proc.stdout.read()  # whatever was flushed before the kill
            errors = proc.stderr.read()
            proc.wait(timeout=10)
            proc.stdout.close()
            proc.stderr.close()
            self.assertEqual(proc.returncode, -signal.SIGKILL, errors)
            lines += rest.splitlines(keepends=True)
            # A line cut by the kill has no newline: only complete lines were reported.
            chips = [LINE.match(l.rstrip("\n")).groups() for l in lines if l.endswith("\n") and LINE.match(l.rstrip("\n"))]
            self.assertGreaterEqual(len(chips), 1200, f"round {round_}: too few chips before the kill")
            reported += chips

        db = sqlite3.connect(os.path.join(store, "store.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        db.close()

        check = run(["chip", "check", "--store", store], timeout=600).stdout.splitlines()
        status = {}
        for line in check[:-1]:
            index, uid, verdict = line.split(" ", 2)
            status[uid] = (int(index), verdict)
        for index, uid, _ in reported:
            self.assertIn(uid, status, f"reported chip {index} {uid} lost")
            self.assertEqual(status[uid], (int(index), "ok"))
        self.assertIn(" 0 bad, integrity ok", check[-1])
        self.assertGreaterEqual(len(status), len(reported))


if __name__ == "__main__":
    unittest.main()
