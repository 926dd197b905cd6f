"""RFC 3161 time-stamp tokens from the time-stamping authority (TSA) the city configures
(``MAMORU_TSA_*``; e.g. a 認定タイムスタンプ service): asking for one over a file's SHA-256
and checking one. Talking to the TSA only; the services that record tokens are in
``timestamp_services``.

The request is built here with pyasn1's RFC 3161 module rather than rfc3161-client's
``TimestampRequestBuilder``, because that builder hashes the message itself from bytes in
memory, and an evidence file (up to gigabytes) was already hashed while it streamed in:
only its SHA-256 travels. The reply is parsed and its signature verified with
rfc3161-client (``decode_timestamp_response``, ``VerifierBuilder``)."""

from __future__ import annotations

import base64
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from django.conf import settings
from pyasn1.codec.der import decoder, encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import univ
from pyasn1_modules import rfc3161, rfc5280
from rfc3161_client import PKIStatus, VerificationError, VerifierBuilder, decode_timestamp_response

SHA256_OID = "2.16.840.1.101.3.4.2.1"
REQUEST_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_REPLY_BYTES = 1024 * 1024


class TsaError(Exception):
    """The TSA gave no usable token; the message is Japanese, for the page and the command."""


@dataclass(frozen=True)
class Granted:
    response: bytes  # the whole TimeStampResp (DER), kept as a .tsr file
    gen_time: datetime
    serial: str
    policy_oid: str
    tsa_name: str


def configured() -> bool:
    return bool(settings.MAMORU_TSA_URL)


def build_request(*, sha256: str, nonce: int, policy_oid: str = "") -> bytes:
    """A DER TimeStampReq over ``sha256`` (hex) asking for the TSA's certificate in the reply."""
    algorithm = rfc5280.AlgorithmIdentifier()
    algorithm["algorithm"] = univ.ObjectIdentifier(SHA256_OID)
    algorithm["parameters"] = univ.Null("")
    imprint = rfc3161.MessageImprint()
    imprint["hashAlgorithm"] = algorithm
    imprint["hashedMessage"] = univ.OctetString(bytes.fromhex(sha256))
    request = rfc3161.TimeStampReq()
    request["version"] = 1
    request["messageImprint"] = imprint
    if policy_oid:
        request["reqPolicy"] = univ.ObjectIdentifier(policy_oid)
    request["nonce"] = nonce
    request["certReq"] = True
    return encoder.encode(request)


def _post(body: bytes) -> bytes:
    url = settings.MAMORU_TSA_URL
    if not url.lower().startswith(("http://", "https://")):
        raise TsaError(f"MAMORU_TSA_URL が http:// または https:// の URL ではありません（{url[:100]}）。")
    try:
        request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": REQUEST_TYPE})
    except ValueError as error:
        raise TsaError(f"MAMORU_TSA_URL を URL として読めません（{error}）。") from error
    if settings.MAMORU_TSA_USERNAME:
        pair = f"{settings.MAMORU_TSA_USERNAME}:{settings.MAMORU_TSA_PASSWORD}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode("ascii"))
    try:
        with urllib.request.urlopen(request, timeout=settings.MAMORU_TSA_TIMEOUT) as reply:  # noqa: S310 (the city's TSA)
            data = reply.read(MAX_REPLY_BYTES + 1)
            kind = reply.headers.get_content_type()
    except urllib.error.HTTPError as error:
        raise TsaError(f"時刻認証局がエラーを返しました（HTTP {error.code}）。") from error
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise TsaError(f"時刻認証局に接続できません（{reason}）。") from error
    if len(data) > MAX_REPLY_BYTES:
        raise TsaError("時刻認証局の応答が大きすぎます。")
    if kind != REPLY_TYPE:
        raise TsaError(f"時刻認証局の応答がタイムスタンプではありません（{kind}）。")
    return data


def _refusal(data: bytes) -> str:
    """The status of a reply without a token (a refusal), read with pyasn1; ``""`` if none."""
    try:
        reply, _rest = decoder.decode(data, asn1Spec=rfc3161.TimeStampResp())
        status = int(reply["status"]["status"])
        said = (
            " ".join(str(text) for text in reply["status"]["statusString"])
            if reply["status"]["statusString"].isValue
            else ""
        )
    except (PyAsn1Error, ValueError):
        return ""
    if status in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        return ""
    return f"時刻認証局がタイムスタンプを発行しませんでした（{said or status}）。"


def _signer_name(response) -> str:
    signer = next(iter(response.signed_data.signer_infos), None)
    for der in response.signed_data.certificates:
        certificate = x509.load_der_x509_certificate(der)
        if signer is not None and certificate.serial_number == signer.serial_number:
            return certificate.subject.rfc4514_string()[:500]
    return ""


def request_token(*, sha256: str) -> Granted:
    """Ask the configured TSA for a token over ``sha256`` and check what comes back:
    granted, over this very hash with SHA-256, answering our nonce, and (with
    ``MAMORU_TSA_CA_FILE``) signed by a certificate of the city's TSA. Raises ``TsaError``."""
    nonce = secrets.randbits(63)
    try:
        query = build_request(sha256=sha256, nonce=nonce, policy_oid=settings.MAMORU_TSA_POLICY_OID)
    except PyAsn1Error as error:
        raise TsaError("MAMORU_TSA_POLICY_OID が OID（例: 1.2.392.…）ではありません。") from error
    data = _post(query)
    try:
        response = decode_timestamp_response(data)
    except ValueError as error:  # a refusal comes without a token, which the parser wants
        raise TsaError(_refusal(data) or "時刻認証局の応答を読み取れません。") from error
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        said = " ".join(response.status_string) or str(response.status)
        raise TsaError(f"時刻認証局がタイムスタンプを発行しませんでした（{said}）。")
    info = response.tst_info
    if info.nonce != nonce:
        raise TsaError("時刻認証局の応答が要求と対応していません（nonce 不一致）。")
    problem = check_token(data, sha256=sha256)
    if problem:
        raise TsaError(problem)
    gen_time = info.gen_time if info.gen_time.tzinfo else info.gen_time.replace(tzinfo=UTC)
    return Granted(
        response=data,
        gen_time=gen_time,
        serial=str(info.serial_number)[:100],
        policy_oid=info.policy.dotted_string[:100],
        tsa_name=_signer_name(response),
    )


def trusted_certificates() -> list[x509.Certificate]:
    if not settings.MAMORU_TSA_CA_FILE:
        return []
    with open(settings.MAMORU_TSA_CA_FILE, "rb") as handle:
        return x509.load_pem_x509_certificates(handle.read())


def check_token(data: bytes, *, sha256: str) -> str:
    """What is wrong with the stored reply ``data`` for a file hashing to ``sha256``, in
    Japanese; ``""`` when it holds. Without ``MAMORU_TSA_CA_FILE`` the hash and the
    algorithm are checked but not the signature (said so)."""
    try:
        response = decode_timestamp_response(bytes(data))
    except ValueError:
        return "タイムスタンプトークンを読み取れません。"
    imprint = response.tst_info.message_imprint
    if imprint.hash_algorithm.dotted_string != SHA256_OID:
        return "タイムスタンプトークンのハッシュ方式が SHA-256 ではありません。"
    if imprint.message != bytes.fromhex(sha256):
        return "タイムスタンプトークンが別のハッシュ値に対するものです。"
    try:
        roots = trusted_certificates()
    except (OSError, ValueError):
        return "TSA の CA 証明書（MAMORU_TSA_CA_FILE）を読み込めません。"
    if not roots:
        return ""
    builder = VerifierBuilder()
    for certificate in roots:
        builder = builder.add_root_certificate(certificate)
    try:
        builder.build().verify(response, bytes.fromhex(sha256))
    except VerificationError as error:
        return f"タイムスタンプトークンの署名を検証できません（{error}）。"
    return ""
