"""A real time-stamping authority on loopback for the tests: a CA and a TSA certificate
(extendedKeyUsage critical timeStamping) made with ``openssl`` in a temporary folder, and
``openssl ts -reply`` behind a tiny HTTP handler that takes ``application/timestamp-query``
and answers ``application/timestamp-reply``. ``mode`` makes it misbehave: ``"error"``
answers HTTP 500, ``"hang"`` answers nothing for 3 s, ``"reject"`` a TimeStampResp with status rejection, ``"down"`` closes
the socket (the server is stopped)."""

from __future__ import annotations

import http.server
import subprocess
import threading
import time
from pathlib import Path

CONFIG = """
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = dummy
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_section
[ tsa_section ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _der(tag: int, content: bytes) -> bytes:
    assert len(content) < 128
    return bytes([tag, len(content)]) + content


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_authority(folder: Path) -> Path:
    """The CA, the TSA's key and certificate, and the ``openssl ts`` configuration."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tsa.cnf").write_text(CONFIG.format(dir=folder))
    (folder / "serial").write_text("0100\n")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "3650", "-subj", "/CN=mamoru test root CA", "-config", "tsa.cnf", "-extensions", "ca_ext",
             cwd=folder)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
             "-subj", "/C=JP/O=mamoru test/CN=mamoru test TSA", "-config", "tsa.cnf", cwd=folder)  # fmt: skip
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "tsa.pem", "-days", "3650", "-extfile", "tsa.cnf", "-extensions", "tsa_ext", cwd=folder)  # fmt: skip
    return folder


class TimeStampAuthority:
    def __init__(self, folder: Path):
        self.folder = make_authority(folder)
        self.mode = "ok"
        self.requests = 0
        self.lock = threading.Lock()
        authority = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                authority.requests += 1
                if authority.mode == "hang":  # longer than the client waits
                    time.sleep(3)
                if authority.mode == "error" or self.headers.get_content_type() != "application/timestamp-query":
                    self.send_response(500)
                    self.end_headers()
                    return
                reply = authority.reply(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reply(self, query: bytes) -> bytes:
        if self.mode == "reject":  # a TimeStampResp with PKIStatus rejection (2), a reason and no token
            return _der(0x30, _der(0x30, _der(0x02, b"\x02") + _der(0x30, _der(0x0C, b"policy unacceptable"))))
        with self.lock:  # openssl ts keeps its serial in a file
            (self.folder / "query.tsq").write_bytes(query)
            _openssl("ts", "-reply", "-config", "tsa.cnf", "-queryfile", "query.tsq", "-out", "reply.tsr",
                     cwd=self.folder)  # fmt: skip
            return (self.folder / "reply.tsr").read_bytes()

    def start(self) -> TimeStampAuthority:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def verify_with_openssl(self, *, sha256: str, tsr: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["openssl", "ts", "-verify", "-digest", sha256, "-in", str(tsr),
             "-CAfile", str(self.folder / "ca.pem"), "-untrusted", str(self.folder / "tsa.pem")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
