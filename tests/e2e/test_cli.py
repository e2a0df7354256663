"""The trustlane binary itself: help, unknown commands, one-line errors."""
import unittest

from harness import E2ETest, run


class CliTest(E2ETest):
    def test_help_lists_every_part(self):
        out = run(["--help"]).stdout
        for sub in ("chip", "cloud", "device", "demo", "bench"):
            self.assertIn(sub, out)

    def test_unknown_subcommand_is_a_clear_error(self):
        proc = run(["frobnicate"], check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("frobnicate", proc.stderr)


if __name__ == "__main__":
    unittest.main()
