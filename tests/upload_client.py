"""A client that uploads a file as a browser does (multipart/form-data), streamed
from disk in 1 MB pieces — or cut off mid-body, as a closed laptop or a dropped
connection does — for the upload tests and benchmarks/evidence_upload.py."""

from __future__ import annotations

import http.client
import json
import os
import socket
import uuid
from pathlib import Path

CHUNK = 1024 * 1024


def _parts(path: Path, name: str) -> tuple[bytes, bytes, str]:
    boundary = f"mamoru-{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head, tail, boundary


def post_file(port: int, url_path: str, cookie: str, path: Path, *, name: str | None = None, timeout: float = 600):
    """Upload ``path``; returns (status, JSON answer)."""
    head, tail, boundary = _parts(path, name or path.name)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.putrequest("POST", url_path)
    connection.putheader("Cookie", cookie)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + os.path.getsize(path) + len(tail)))
    connection.endheaders()
    connection.send(head)
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    try:
        return response.status, json.loads(body)
    except ValueError:
        return response.status, {"body": body[:500].decode(errors="replace")}


def post_file_cut_off(port: int, url_path: str, cookie: str, path: Path, *, send_bytes: int) -> None:
    """Announce the whole file, send only ``send_bytes`` of it, and drop the connection."""
    head, tail, boundary = _parts(path, path.name)
    length = len(head) + os.path.getsize(path) + len(tail)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            (
                f"POST {url_path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n"
            ).encode()
            + head
        )
        with open(path, "rb") as handle:
            sock.sendall(handle.read(send_bytes))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST, not FIN


def start_gunicorn(cluster, name: str = "web") -> int:
    """Serve ``mamoru.wsgi:application`` with gunicorn (one sync worker), as docs/deploy.md
    says production does, in ``cluster``'s environment; returns the port."""
    return cluster.start(name, wsgi=True)


def worker_pid(process) -> int:
    """The process that serves requests: gunicorn's worker (its master's child), or the server itself."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    pids = children.read_text().split() if children.exists() else []
    return int(pids[0]) if pids else process.pid
