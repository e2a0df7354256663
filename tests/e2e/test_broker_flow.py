"""Flow limits of the broker, end to end: `cloud serve --mqtt-bytes-per-second` (the per-connection
inbound throughput, AWS's 512 KB/s by default, 0 = unlimited) and `--mqtt-max-queued-bytes` (the
outgoing queue of a reader above which QoS 0 messages to it are dropped; 0 = never, and then
publishers to a reader that is far behind are held back instead)."""
import struct
import threading
import time
import unittest

from harness import run
from test_broker import ACCOUNT_A, BrokerTest

MESSAGE = b"x" * 8192


class FlowTest(BrokerTest):
    def device(self, name):
        cert, key, _ = self.aws_device(ACCOUNT_A, name)
        client = self.mqtt(cert, key)
        self.assertEqual(client.connect(name)[0], 2)  # CONNACK
        return client

    def publish_acknowledged(self, client, count, qos=1):
        """Sends `count` 8 KB messages and waits for the PUBACK of the last: seconds taken."""
        t = time.time()
        last = 0
        for _ in range(count):
            last = client.publish("flow/in", MESSAGE, qos=qos)
        marker = client.publish("flow/marker", b"m", qos=1)  # processed after all of them
        self.assertEqual(client.expect_puback(marker if qos == 0 else last, timeout=30), 0)
        return time.time() - t


class ThrottledTest(FlowTest):
    serve_args = ["--mqtt-bytes-per-second", "64000"]

    def test_low_byte_rate_throttles_a_publisher(self):
        # 40 × 8,206 B = 328 KB at 64 KB/s with a one-second burst; a read takes at most what the
        # bucket holds or one 16 KB record, so at least (328,240 - 64,000 - 16,384) / 64,000 = 3.87 s.
        # (A whole 64 KiB read on credit allowed 3.1 s.)
        pub = self.device("throttled")
        seconds = self.publish_acknowledged(pub, 40)
        self.assertGreaterEqual(seconds, 3.75)
        self.assertLess(seconds, 25)


class UnlimitedTest(FlowTest):
    serve_args = ["--mqtt-bytes-per-second", "0"]

    def test_zero_byte_rate_is_unlimited(self):
        pub = self.device("unlimited")
        seconds = self.publish_acknowledged(pub, 40)
        self.assertLess(seconds, 3)  # the same 320 KB without the 4 s of throttling


class SlowReaderTest(FlowTest):
    # The publish rate (AWS: 100/s per connection) is lifted: these tests flood on purpose.
    serve_args = ["--mqtt-bytes-per-second", "0", "--mqtt-max-queued-bytes", "1000", "--mqtt-publishes-per-second", "0"]

    def test_qos0_to_a_slow_reader_is_dropped_and_the_reader_stays(self):
        sub = self.device("slow-reader")
        self.assertEqual(sub.subscribe("flow/in", qos=0)[0], 9)  # SUBACK; then it stops reading
        pub = self.device("fast-writer")
        # 12 MB: more than the loopback socket buffers hold, so the broker's queue fills.
        self.publish_acknowledged(pub, 1500, qos=0)
        received = 0
        while sub.expect_publish(timeout=2) is not None:
            received += 1
        self.assertGreater(received, 0)
        self.assertLess(received, 1500)
        # Still connected and served: the next message arrives.
        pub.publish("flow/in", b"after", qos=1)
        got = sub.expect_publish(timeout=5)
        self.assertIsNotNone(got)
        self.assertEqual(got[1], b"after")


class NoDropTest(FlowTest):
    serve_args = ["--mqtt-bytes-per-second", "0", "--mqtt-max-queued-bytes", "0", "--mqtt-publishes-per-second", "0"]

    def test_zero_queue_limit_holds_the_publisher_and_loses_nothing(self):
        sub = self.device("slow-reader")
        self.assertEqual(sub.subscribe("flow/in", qos=0)[0], 9)  # SUBACK; then it stops reading
        pub = self.device("fast-writer")
        count = 3000  # 24 MB: far more than the socket buffers and the 1 MiB the broker lets pile up
        finished = threading.Event()

        def flood():
            for seq in range(count):
                pub.publish("flow/in", struct.pack("!I", seq) + MESSAGE[4:], qos=0)
            marker = pub.publish("flow/marker", b"m", qos=1)  # processed after all of them
            if pub.expect_puback(marker, timeout=60) == 0:
                finished.set()

        writer = threading.Thread(target=flood, daemon=True)
        writer.start()
        # Nobody reads: instead of queuing 24 MB for the reader (or dropping), the broker stops
        # reading from the publisher, whose sends block.
        time.sleep(2)
        self.assertFalse(finished.is_set())
        self.assertTrue(writer.is_alive())
        received = []
        while len(received) < count:
            got = sub.expect_publish(timeout=10)
            if got is None:
                break
            received.append(struct.unpack("!I", got[1][:4])[0])
        self.assertEqual(received, list(range(count)))  # every message, in order
        writer.join(timeout=30)
        self.assertTrue(finished.is_set())


class FlagUsageTest(unittest.TestCase):
    def test_negative_byte_rate_is_refused(self):
        p = run(["cloud", "serve", "--data", "/nonexistent", "--mqtt-bytes-per-second", "-1"], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--mqtt-bytes-per-second", p.stderr)

    def test_help_lists_both_flags(self):
        out = run(["cloud", "serve", "--help"]).stdout
        self.assertIn("--mqtt-bytes-per-second", out)
        self.assertIn("--mqtt-max-queued-bytes", out)


if __name__ == "__main__":
    unittest.main()
