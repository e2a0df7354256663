"""Shared helpers for end-to-end tests: real trustlane processes on loopback ports.

Every test starts its own processes in a fresh temporary directory and stops them in
tearDown, so tests are independent and can run in parallel under CTest.
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

TRUSTLANE = os.environ.get("TRUSTLANE_BIN") or shutil.which("trustlane") or "trustlane"


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


def _all_free(base, count):
    for p in range(base, base + count):
        with socket.socket() as t:
            try:
                t.bind(("127.0.0.1", p))
            except OSError:
                return False
    return True


def free_port(count=1):
    """Returns a base port such that base..base+count-1 are free on 127.0.0.1 right now.

    A single port comes from the kernel. A range is drawn below the ephemeral range, where
    the kernel never hands out ports on its own, so parallel tests rarely collide.
    """
    if count == 1:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    low, _ = _ephemeral_range()
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(10000, max(10001, low - count))
        if _all_free(base, count):
            return base
    raise RuntimeError(f"no free range of {count} ports")


def wait_for_port(port, host="127.0.0.1", timeout=20.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def run(args, check=True, timeout=120, **kw):
    """Runs `trustlane ARGS...` to completion and returns the CompletedProcess (text mode)."""
    proc = subprocess.run([TRUSTLANE, *args], capture_output=True, text=True, timeout=timeout, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"trustlane {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


class Service:
    """A long-running trustlane process (a server) whose output is captured to a log file."""

    def __init__(self, args, workdir, name="service", env=None):
        self.log_path = os.path.join(workdir, f"{name}.log")
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen([TRUSTLANE, *args], stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})}, start_new_session=True)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def kill9(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._log.close()
        return self.proc.returncode


class E2ETest(unittest.TestCase):
    """Base class: a temporary directory and automatic cleanup of started services."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="trustlane-e2e-")
        self.services = []

    def tearDown(self):
        for s in reversed(self.services):
            s.stop()
        if self._outcome_ok():
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"kept {self.tmp} for inspection")
            for s in self.services:
                print(f"--- {s.log_path}\n{s.log()[-4000:]}")

    def _outcome_ok(self):
        outcome = getattr(self, "_outcome", None)
        if outcome is None:
            return True
        result = getattr(outcome, "result", None)
        if result is None:
            return True
        return not (result.failures or result.errors)

    def start(self, args, name="service", env=None):
        s = Service(args, self.tmp, name, env)
        self.services.append(s)
        return s

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)
