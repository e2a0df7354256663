"""Helpers for the cloud e2e tests: a running `trustlane cloud serve`, AWS CLIs and boto3 pointed
at it with --endpoint-url, and certificates made with the openssl CLI. Nothing reads ~/.aws."""
import json
import os
import time
import shutil
import subprocess

from harness import E2ETest, free_port, wait_for_port

CLI_V2 = "/usr/bin/aws"


def find_cli_v1():
    """The pip (v1) `aws`: the first one on PATH that is not Debian's v2."""
    for d in os.environ.get("PATH", "").split(os.pathsep):
        p = os.path.join(d, "aws")
        if os.path.isfile(p) and os.access(p, os.X_OK) and os.path.realpath(p) != os.path.realpath(CLI_V2):
            return p
    p = os.path.expanduser("~/.pyenv/shims/aws")
    return p if os.path.exists(p) else None


CLI_V1 = find_cli_v1()


def openssl(*args, cwd=None):
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


class CloudTest(E2ETest):
    """Starts one cloud per test on free ports; self.aws()/self.boto() talk to it."""

    serve_args = []

    def setUp(self):
        super().setUp()
        # Make sure neither CLI nor boto3 picks up the user's configuration.
        self.aws_config = self.path("aws-config")
        with open(self.aws_config, "w") as f:
            f.write("[default]\n")
        self.env = {**os.environ, "AWS_CONFIG_FILE": self.aws_config,
                    "AWS_SHARED_CREDENTIALS_FILE": self.aws_config, "AWS_PAGER": "",
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1",
                    "AWS_ACCESS_KEY_ID": "123456789012", "AWS_SECRET_ACCESS_KEY": "secret"}
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            self.env.pop(k, None)
        os.environ.update({k: self.env[k] for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                                                   "AWS_EC2_METADATA_DISABLED")})
        self.data = self.path("data")
        self.start_cloud()

    def start_cloud(self, extra=None):
        # A port picked free can be taken before the cloud binds it (tests run in parallel, and
        # their client sockets draw local ports from the same range): pick again, twice at most.
        for attempt in range(3):
            try:
                return self.launch_cloud(extra)
            except RuntimeError:
                if attempt == 2 or "Address already in use" not in self.cloud.log():
                    raise

    def launch_cloud(self, extra=None):
        """One attempt: free ports, `cloud serve`, wait until it is ready."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        extra = list(extra or [])
        if "--mqtt" not in extra:  # never the shared default port: tests run in parallel
            self.mqtt_port = free_port()
            extra += ["--mqtt", f"127.0.0.1:{self.mqtt_port}"]
        self.cloud = self.start(["cloud", "serve", "--data", self.data, "--api", f"127.0.0.1:{self.port}",
                                 *self.serve_args, *extra], name="cloud")
        wait_for_port(self.port, proc=self.cloud.proc)
        # The API port opens before the startup lines are flushed: wait for the last one.
        deadline = time.time() + 20
        while "trustlane cloud: ready" not in self.cloud.log() and time.time() < deadline:
            if self.cloud.proc.poll() is not None:
                break
            time.sleep(0.05)
        return self.cloud

    def aws(self, *args, cli=CLI_V2, account="123456789012", secret="secret", region="us-east-1", check=True):
        env = {**self.env, "AWS_ACCESS_KEY_ID": account, "AWS_SECRET_ACCESS_KEY": secret,
               "AWS_DEFAULT_REGION": region}
        proc = subprocess.run([cli, "--endpoint-url", self.url, "--output", "json", "iot", *args],
                              capture_output=True, text=True, env=env, timeout=120, cwd=self.tmp)
        if check:
            self.assertEqual(proc.returncode, 0, f"{cli} iot {' '.join(args)}\n{proc.stderr}")
            return json.loads(proc.stdout) if proc.stdout.strip() else {}
        return proc

    def boto(self, account="123456789012", secret="secret", region="us-east-1"):
        import boto3
        from botocore.config import Config
        return boto3.client("iot", endpoint_url=self.url, region_name=region, aws_access_key_id=account,
                            aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))

    def make_cert(self, name, days=30, ca=None, cn=None, key_type="ec"):
        """Returns the path of a new PEM certificate (self-signed, or signed by ca=(cert, key))."""
        key = self.path(f"{name}.key")
        cert = self.path(f"{name}.pem")
        if key_type == "ec":
            openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)
        else:
            openssl("genrsa", "-out", key, "2048")
        subj = f"/CN={cn or name}"
        if ca is None:
            openssl("req", "-new", "-x509", "-key", key, "-subj", subj, "-days", str(days), "-out", cert)
        else:
            csr = self.path(f"{name}.csr")
            openssl("req", "-new", "-key", key, "-subj", subj, "-out", csr)
            openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial",
                    "-days", str(days), "-out", cert)
        return cert

    def make_ca(self, name):
        key = self.path(f"{name}.key")
        cert = self.path(f"{name}.pem")
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)
        openssl("req", "-new", "-x509", "-key", key, "-subj", f"/CN={name}", "-days", "365",
                "-addext", "basicConstraints=critical,CA:TRUE", "-out", cert)
        return cert, key

    @staticmethod
    def read(path):
        with open(path) as f:
            return f.read()


def error_code(exc):
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


have_boto3 = shutil.which("true") is not None
try:
    import boto3  # noqa: F401
except ImportError:
    have_boto3 = False
