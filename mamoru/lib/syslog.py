"""Sending a message to a syslog server: RFC 5424 (or the older RFC 3164) over UDP
or TCP. Pure standard library; no Django. Used to forward the audit log to the
city's log server as entries are written (``audit.forwarding``)."""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

FACILITIES = {
    "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
    "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
    "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}  # fmt: skip
SEVERITY_INFO = 6
UDP_LIMIT = 8192  # bytes of one datagram; longer messages are cut (TCP carries them whole)


class SyslogAddressError(ValueError):
    pass


@dataclass(frozen=True)
class SyslogTarget:
    """Where to send: ``udp://host:514``, ``tcp://host:601``; ``?format=3164`` for the
    old BSD format, ``?facility=local4`` for another facility (default local0)."""

    transport: str
    host: str
    port: int
    rfc: int = 5424
    facility: int = FACILITIES["local0"]

    @classmethod
    def parse(cls, address: str) -> SyslogTarget:
        parsed = urlparse(address.strip())
        if parsed.scheme not in ("udp", "tcp") or not parsed.hostname:
            raise SyslogAddressError(f"syslog address must look like udp://host:514 or tcp://host:601: {address!r}")
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        rfc = int(query.get("format", "5424")) if query.get("format", "5424").isdigit() else 0
        if rfc not in (5424, 3164):
            raise SyslogAddressError(f"syslog format must be 5424 or 3164: {address!r}")
        facility = query.get("facility", "local0").lower()
        if facility not in FACILITIES:
            raise SyslogAddressError(f"unknown syslog facility {facility!r}")
        try:
            port = parsed.port or (514 if parsed.scheme == "udp" else 601)
        except ValueError as error:
            raise SyslogAddressError(f"bad syslog port: {address!r}") from error
        return cls(parsed.scheme, parsed.hostname, port, rfc, FACILITIES[facility])


def _header_value(text: str, limit: int) -> str:
    """A header field: printable US-ASCII without spaces, or "-" (RFC 5424 NILVALUE)."""
    cleaned = "".join(ch for ch in text if 33 <= ord(ch) <= 126)[:limit]
    return cleaned or "-"


def format_message(
    target: SyslogTarget,
    message: str,
    *,
    app_name: str = "mamoru",
    msg_id: str = "-",
    when: dt.datetime | None = None,
    hostname: str | None = None,
) -> bytes:
    """One syslog message. RFC 5424: ``<PRI>1 TIMESTAMP HOST APP PROCID MSGID - BOM+MSG``;
    RFC 3164: ``<PRI>Mmm dd hh:mm:ss HOST APP: MSG``."""
    when = when or dt.datetime.now(dt.UTC)
    host = _header_value(hostname or socket.gethostname(), 255)
    priority = target.facility * 8 + SEVERITY_INFO
    if target.rfc == 3164:
        stamp = when.astimezone().strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1)
        return f"<{priority}>{stamp} {host} {_header_value(app_name, 32)}: {message}".encode()
    stamp = when.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    header = f"<{priority}>1 {stamp} {host} {_header_value(app_name, 48)} - {_header_value(msg_id, 32)} -"
    return header.encode("ascii") + b" \xef\xbb\xbf" + message.encode()


def send(target: SyslogTarget, payload: bytes, *, timeout: float = 2.0) -> None:
    """Send one message; raises OSError when it cannot. TCP uses octet counting
    (RFC 6587) for RFC 5424, a newline after each message for RFC 3164."""
    if target.transport == "udp":
        family = socket.AF_INET6 if ":" in target.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.sendto(payload[:UDP_LIMIT], (target.host, target.port))
        return
    frame = str(len(payload)).encode() + b" " + payload if target.rfc == 5424 else payload + b"\n"
    with socket.create_connection((target.host, target.port), timeout=timeout) as sock:
        sock.sendall(frame)
