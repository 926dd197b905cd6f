"""RFC 3161 time-stamp tokens from a real TSA on loopback (``openssl ts -reply`` behind an
HTTP handler, tests/tsa_server.py), checked with rfc3161-client and ``openssl ts -verify``;
a TSA that errs or is down never loses the upload; the integrity check re-reads every file."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from audit.models import AuditEntry
from evidence import services, timestamps
from evidence.choices import CustodyKind, TokenStatus
from evidence.incoming import incoming_from_stream
from evidence.models import CustodyEvent, Evidence, TimeStampToken
from mamoru.lib.panels import render_panels

from .factories import make_contact
from .tsa_server import TimeStampAuthority, make_authority

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    tsa = TimeStampAuthority(tmp_path_factory.mktemp("tsa")).start()
    yield tsa
    tsa.stop()


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def tsa(settings, authority):
    authority.mode = "ok"
    settings.MAMORU_TSA_URL = authority.url
    settings.MAMORU_TSA_CA_FILE = str(authority.folder / "ca.pem")
    settings.MAMORU_TSA_TIMEOUT = 5
    return authority


def add(actor, data, name, django_capture_on_commit_callbacks, **where):
    with django_capture_on_commit_callbacks(execute=True):
        return services.evidence_add(actor=actor, incoming=incoming_from_stream(io.BytesIO(data), name=name), **where)


def photo(n: int) -> bytes:
    return PNG + n.to_bytes(4, "big")


def test_an_upload_gets_a_token_that_rfc3161_client_and_openssl_both_verify(
    city, tsa, tmp_path, django_capture_on_commit_callbacks
):
    contact = make_contact(city.staff)
    data = photo(1)
    evidence = add(city.staff, data, "窓口.png", django_capture_on_commit_callbacks, contact=contact).evidence
    sha256 = hashlib.sha256(data).hexdigest()

    token = TimeStampToken.objects.get(stored_file=evidence.stored_file)
    assert token.status == TokenStatus.GRANTED and token.tsa_url == tsa.url and token.attempts == 1
    assert token.gen_time is not None and token.serial and "mamoru test TSA" in token.tsa_name
    assert token.policy_oid == "1.2.3.4.1"
    # rfc3161-client: signature against the CA, over this very hash.
    assert timestamps.check_token(token.response, sha256=sha256) == ""
    assert "別のハッシュ値" in timestamps.check_token(token.response, sha256=hashlib.sha256(b"other").hexdigest())
    # openssl, as a court or the police would.
    tsr = tmp_path / "token.tsr"
    tsr.write_bytes(bytes(token.response))
    verified = tsa.verify_with_openssl(sha256=sha256, tsr=tsr)
    assert verified.returncode == 0 and "Verification: OK" in verified.stdout, verified.stderr
    forged = tsa.verify_with_openssl(sha256=hashlib.sha256(b"other").hexdigest(), tsr=tsr)
    assert forged.returncode != 0

    event = CustodyEvent.objects.get(evidence=evidence, kind=CustodyKind.TIMESTAMPED)
    assert event.detail["serial"] == token.serial and event.actor is None
    assert AuditEntry.objects.filter(action="evidence.timestamp.granted", object_id=str(evidence.pk)).exists()

    # The same bytes again: no second token is asked for.
    before = tsa.requests
    add(city.supervisor, data, "copy.png", django_capture_on_commit_callbacks, contact=contact)
    assert tsa.requests == before and TimeStampToken.objects.count() == 1


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error", "HTTP 500"),
        ("reject", "発行しませんでした（policy unacceptable）"),
        ("down", "接続できません"),
        ("hang", "接続できません"),
    ],
)
def test_a_tsa_that_errs_or_is_down_never_loses_the_upload_and_the_command_retries(
    city, tsa, settings, mode, message, evidence_root, django_capture_on_commit_callbacks
):
    if mode == "down":
        settings.MAMORU_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nothing listens
    else:
        tsa.mode = mode
    settings.MAMORU_TSA_TIMEOUT = 1
    contact = make_contact(city.staff)
    evidence = add(city.staff, photo(2), "窓口.png", django_capture_on_commit_callbacks, contact=contact).evidence

    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert (evidence_root / evidence.stored_file.storage_name).read_bytes() == photo(2)
    pending = TimeStampToken.objects.get(stored_file=evidence.stored_file)
    assert pending.status == TokenStatus.FAILED and message in pending.error and not pending.response
    assert AuditEntry.objects.filter(action="evidence.timestamp.failed").exists()
    assert not CustodyEvent.objects.filter(evidence=evidence, kind=CustodyKind.TIMESTAMPED).exists()
    request = RequestFactory().get("/")
    request.user = city.staff
    html = render_panels(page="evidence.evidence_detail", slot="side", request=request, obj=evidence)
    assert "未取得" in html and message in html and evidence.stored_file.sha256 in html

    # Still failing: the command says so and exits 1; the failure is counted on the same row.
    with pytest.raises(CommandError, match="1 件のタイムスタンプを取得できませんでした"):
        call_command("evidence_timestamp", "--missing", stdout=io.StringIO(), stderr=io.StringIO())
    assert TimeStampToken.objects.get(stored_file=evidence.stored_file).attempts == 2

    tsa.mode, settings.MAMORU_TSA_URL = "ok", tsa.url
    out = io.StringIO()
    call_command("evidence_timestamp", "--missing", stdout=out)
    assert "1 件取得、0 件未取得" in out.getvalue()
    token = TimeStampToken.objects.get(stored_file=evidence.stored_file)
    assert token.pk == pending.pk and token.status == TokenStatus.GRANTED and token.attempts == 3 and not token.error
    assert timestamps.check_token(token.response, sha256=evidence.stored_file.sha256) == ""
    assert CustodyEvent.objects.filter(evidence=evidence, kind=CustodyKind.TIMESTAMPED).count() == 1
    # Nothing missing any more: --missing asks for nothing.
    before = tsa.requests
    call_command("evidence_timestamp", "--missing", stdout=(out := io.StringIO()))
    assert tsa.requests == before and "0 件取得" in out.getvalue()


def test_a_token_signed_by_a_tsa_the_city_does_not_trust_is_refused(
    city, tsa, settings, tmp_path, django_capture_on_commit_callbacks
):
    stranger = make_authority(tmp_path / "stranger")
    settings.MAMORU_TSA_CA_FILE = str(stranger / "ca.pem")
    contact = make_contact(city.staff)
    evidence = add(city.staff, photo(3), "窓口.png", django_capture_on_commit_callbacks, contact=contact).evidence
    token = TimeStampToken.objects.get(stored_file=evidence.stored_file)
    assert token.status == TokenStatus.FAILED and "署名を検証できません" in token.error


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("MAMORU_TSA_URL", "ftp://tsa.example.jp/", "http:// または https://"),
        ("MAMORU_TSA_URL", "http://[::1", "URL として読めません"),
        ("MAMORU_TSA_POLICY_OID", "認定", "OID"),
        ("MAMORU_TSA_CA_FILE", "/nonexistent/ca.pem", "CA 証明書"),
    ],
)
def test_a_wrong_setting_keeps_the_upload_and_says_what_is_wrong(
    city, tsa, settings, setting, value, message, django_capture_on_commit_callbacks
):
    setattr(settings, setting, value)
    contact = make_contact(city.staff)
    evidence = add(city.staff, photo(10), "窓口.png", django_capture_on_commit_callbacks, contact=contact).evidence
    token = TimeStampToken.objects.get(stored_file=evidence.stored_file)
    assert token.status == TokenStatus.FAILED and message in token.error


def test_without_a_tsa_no_token_is_asked_for_and_the_command_says_why(
    city, settings, django_capture_on_commit_callbacks
):
    settings.MAMORU_TSA_URL = ""
    contact = make_contact(city.staff)
    evidence = add(city.staff, photo(4), "窓口.png", django_capture_on_commit_callbacks, contact=contact).evidence
    assert not TimeStampToken.objects.exists()
    request = RequestFactory().get("/")
    request.user = city.staff
    html = render_panels(page="evidence.evidence_detail", slot="side", request=request, obj=evidence)
    assert "未取得" in html and "設定されていません" in html
    with pytest.raises(CommandError, match="MAMORU_TSA_URL"):
        call_command("evidence_timestamp", "--missing")


def test_the_panel_shows_the_token_and_its_download_is_a_custody_event(
    city, tsa, client_for, django_capture_on_commit_callbacks
):
    contact = make_contact(city.staff)
    evidence = add(city.staff, photo(5), "窓口.png", django_capture_on_commit_callbacks, contact=contact).evidence
    token = TimeStampToken.objects.get(stored_file=evidence.stored_file)
    request = RequestFactory().get("/")
    request.user = city.supervisor
    html = render_panels(page="evidence.evidence_detail", slot="side", request=request, obj=evidence)
    url = f"/evidence/timestamps/{evidence.pk}/{token.pk}.tsr"
    assert token.serial_hex.startswith("0x") and int(token.serial_hex, 16) == int(token.serial)
    assert (
        url in html
        and f"{token.serial}（{token.serial_hex}）" in html
        and "openssl ts -verify -digest" in html
        and "取得済み" in html
    )

    response = client_for(city.supervisor).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/timestamp-reply"
    assert response.content == bytes(token.response)
    assert f"{evidence.stored_file.sha256}.tsr" in response["Content-Disposition"]
    event = CustodyEvent.objects.get(evidence=evidence, kind=CustodyKind.TOKEN_DOWNLOADED)
    assert event.actor == city.supervisor
    assert AuditEntry.objects.filter(action="evidence.timestamp.downloaded", object_id=str(evidence.pk)).exists()

    # Another department's staff and the administrator: not there.
    assert client_for(city.zeimu_staff).get(url).status_code == 404
    assert client_for(city.admin).get(url).status_code == 404
    assert CustodyEvent.objects.filter(kind=CustodyKind.TOKEN_DOWNLOADED).count() == 1


def test_the_integrity_check_names_a_file_whose_bytes_changed_and_exits_1(
    city, tsa, evidence_root, django_capture_on_commit_callbacks
):
    contact = make_contact(city.staff)
    kept = add(city.staff, photo(6), "残す.png", django_capture_on_commit_callbacks, contact=contact).evidence
    changed = add(city.staff, photo(7), "改ざん.png", django_capture_on_commit_callbacks, contact=contact).evidence
    out = io.StringIO()
    call_command("evidence_verify", stdout=out)
    assert "2 件を確認、0 件に問題があります" in out.getvalue() and "タイムスタンプ 1 件確認" in out.getvalue()
    assert "署名は確認していません" not in out.getvalue()

    (evidence_root / changed.stored_file.storage_name).write_bytes(photo(7) + b"!")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 件の証拠ファイル"):
        call_command("evidence_verify", stdout=out, stderr=err)
    assert changed.stored_file.sha256 in err.getvalue() and "改ざん.png" in err.getvalue()
    assert "一致しません" in err.getvalue() and kept.stored_file.sha256 not in err.getvalue()
    assert CustodyEvent.objects.filter(evidence=changed, kind=CustodyKind.INTEGRITY_FAILED).count() == 1
    assert not CustodyEvent.objects.filter(evidence=kept, kind=CustodyKind.INTEGRITY_FAILED).exists()
    entry = AuditEntry.objects.filter(action="evidence.integrity.checked").order_by("-pk").first()
    assert entry.after["failed"] == [changed.stored_file.sha256]

    # Only the evidence asked for; and a file gone from storage is named too.
    call_command("evidence_verify", "--evidence", str(kept.pk), stdout=(out := io.StringIO()))
    assert "1 件を確認、0 件" in out.getvalue()
    (evidence_root / kept.stored_file.storage_name).unlink()
    with pytest.raises(CommandError):
        call_command("evidence_verify", "--evidence", str(kept.pk), stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "読み出せません" in err.getvalue()


def test_the_integrity_check_notices_a_token_that_is_not_for_the_file(city, tsa, django_capture_on_commit_callbacks):
    contact = make_contact(city.staff)
    one = add(city.staff, photo(8), "一.png", django_capture_on_commit_callbacks, contact=contact).evidence
    two = add(city.staff, photo(9), "二.png", django_capture_on_commit_callbacks, contact=contact).evidence
    TimeStampToken.objects.filter(stored_file=one.stored_file).update(
        response=TimeStampToken.objects.get(stored_file=two.stored_file).response
    )
    with pytest.raises(CommandError):
        call_command("evidence_verify", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert one.stored_file.sha256 in err.getvalue() and "別のハッシュ値" in err.getvalue()
    assert two.stored_file.sha256 not in err.getvalue()


def test_without_the_tsa_ca_the_check_says_it_did_not_verify_signatures(
    city, tsa, settings, django_capture_on_commit_callbacks
):
    contact = make_contact(city.staff)
    add(city.staff, photo(11), "窓口.png", django_capture_on_commit_callbacks, contact=contact)
    settings.MAMORU_TSA_CA_FILE = ""
    call_command("evidence_verify", stdout=(out := io.StringIO()))
    assert "タイムスタンプ 1 件確認" in out.getvalue() and "署名は確認していません" in out.getvalue()


def test_the_token_is_asked_for_only_once_the_upload_is_committed(city, tsa, django_capture_on_commit_callbacks):
    contact = make_contact(city.staff)
    before = tsa.requests
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence = services.evidence_add(
            actor=city.staff, incoming=incoming_from_stream(io.BytesIO(photo(12)), name="窓口.png"), contact=contact
        ).evidence
    assert tsa.requests == before and not TimeStampToken.objects.exists()  # nothing inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert tsa.requests == before + 1
    assert TimeStampToken.objects.get(stored_file=evidence.stored_file).status == TokenStatus.GRANTED
