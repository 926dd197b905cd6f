"""Web addresses of online posts, normalised so that the same post reported twice is found:
the host in lower case without ``www.``, ``m.`` or ``mobile.``, no tracking parameters
(``utm_*``, ``fbclid``, ``gclid``, ``si``, ``igshid`` …), no fragment, no trailing slash.

Pure: ``online`` keeps the normalised form next to what staff entered."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "si",
        "igshid",
        "igsh",
        "s",
        "t",
        "ref",
        "ref_src",
        "ref_url",
        "feature",
        "mc_cid",
        "mc_eid",
        "_ga",
        "spm",
        "share_id",
        "is_from_webapp",
        "sender_device",
    }
)
MOBILE_PREFIXES = ("www.", "m.", "mobile.", "sp.", "touch.")


class NotAUrl(ValueError):
    """What staff entered is not an http(s) address; ``args[0]`` says why, in Japanese."""


def _is_tracking(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("utm_") or lower in TRACKING_PARAMETERS


def check_url(value: str) -> str:
    """The address as entered, stripped; ``NotAUrl`` when it is not an http(s) address with a host."""
    text = (value or "").strip()
    if not text:
        raise NotAUrl("URL を入力してください。")
    if any(ch.isspace() for ch in text):
        raise NotAUrl(f"「{text[:80]}」は URL ではありません（空白を含んでいます）。")
    try:
        parts = urlsplit(text)
        port = parts.port  # noqa: F841 - raises on a bad port
    except ValueError:
        raise NotAUrl(f"「{text[:80]}」は URL として読めません。") from None
    if parts.scheme.lower() not in ("http", "https"):
        if not parts.scheme:
            raise NotAUrl(f"「{text[:80]}」は URL ではありません（https:// から始まるアドレスを入力してください）。")
        raise NotAUrl(f"http または https の URL だけを登録できます（「{parts.scheme}:」は使えません）。")
    host = parts.hostname or ""
    if not host or "." not in host.strip("."):
        raise NotAUrl(f"「{text[:80]}」にはサイトの名前（ホスト名）がありません。")
    if len(text) > 2000:
        raise NotAUrl("URL が長すぎます（2000文字まで）。")
    return text


def normalise_url(value: str) -> str:
    """The form two reports of the same post share (``NotAUrl`` for a bad address)."""
    parts = urlsplit(check_url(value))
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    port = parts.port
    if port and not (
        (parts.scheme.lower() == "http" and port == 80) or (parts.scheme.lower() == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)))
    return urlunsplit(("https", host, path, query, ""))


def host_of(value: str) -> str:
    """The normalised host of an address (for naming the site on a letter)."""
    return urlsplit(normalise_url(value)).hostname or ""
